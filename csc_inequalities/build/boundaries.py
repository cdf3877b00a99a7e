"""LSOA boundaries for screen maps: England simplified as one coverage, borders kept shared."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from csc_inequalities.build.checks import BuildCheckError

BRITISH_NATIONAL_GRID = "EPSG:27700"
WGS84 = "EPSG:4326"
COORDINATE_GRID = 1e-5  # degrees: 5 decimals, about 1 m
# GEOS coverage simplification tolerance, roughly the square root of the areas removed.
SIMPLIFY_TOLERANCE_M = 90.0
CLEAN_SNAP_M = 0.5  # vertices this close become one, so neighbours share identical edges
CLEAN_GAP_M = 1.0  # slivers narrower than this between neighbours go to one of them


def english_polygons(boundaries: gpd.GeoDataFrame, code_column: str) -> gpd.GeoDataFrame:
    """English LSOAs only, with the store's code column name."""
    english = boundaries[boundaries[code_column].str.startswith("E01")]
    return gpd.GeoDataFrame(
        {"lsoa_code": english[code_column].to_numpy()},
        geometry=english.geometry.to_numpy(),
        crs=boundaries.crs,
    )


def simplify_coverage(polygons: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify all polygons together in metres so neighbours keep one shared border."""
    projected = polygons.to_crs(BRITISH_NATIONAL_GRID)
    cleaned = shapely.coverage_clean(
        projected.geometry.to_numpy(), gap_width=CLEAN_GAP_M, snapping_distance=CLEAN_SNAP_M
    )
    if not shapely.coverage_is_valid(cleaned):
        raise BuildCheckError("Boundaries: the LSOA polygons do not form a clean coverage.")
    simplified = shapely.coverage_simplify(cleaned, tolerance_m)
    return gpd.GeoDataFrame(
        {"lsoa_code": polygons["lsoa_code"].to_numpy()},
        geometry=simplified,
        crs=BRITISH_NATIONAL_GRID,
    )


def screen_geometry(polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """WGS84 coordinates on a 5-decimal grid (snapped alike, so shared borders stay shared)."""
    geographic = polygons.to_crs(WGS84)
    geometry = shapely.set_precision(geographic.geometry.to_numpy(), COORDINATE_GRID)
    invalid = ~shapely.is_valid(geometry)
    if invalid.any():
        geometry[invalid] = _polygonal(shapely.make_valid(geometry[invalid]))
    empty = shapely.is_empty(geometry)
    if empty.any():
        examples = polygons.loc[empty, "lsoa_code"].head(5).tolist()
        raise BuildCheckError(f"Boundaries: polygons vanished when simplified: {examples}")
    return gpd.GeoDataFrame(
        {"lsoa_code": polygons["lsoa_code"].to_numpy()}, geometry=geometry, crs=WGS84
    )


def _polygonal(geometries):
    """Keep only the polygon parts of repaired geometries (make_valid may add lines)."""
    return [
        shapely.union_all(
            [
                part
                for part in shapely.get_parts(geometry)
                if part.geom_type in ("Polygon", "MultiPolygon")
            ]
        )
        if geometry.geom_type == "GeometryCollection"
        else geometry
        for geometry in geometries
    ]


def with_authority(polygons: gpd.GeoDataFrame, lsoas: pd.DataFrame, table: str) -> gpd.GeoDataFrame:
    """Boundaries labelled with their authority and sorted by it for filtered reads."""
    merged = polygons.merge(
        lsoas[["lsoa_code", "la_code"]], on="lsoa_code", how="outer", indicator=True
    )
    unmatched = merged.loc[merged.pop("_merge") != "both", "lsoa_code"]
    if len(unmatched):
        raise BuildCheckError(
            f"{table}: {len(unmatched)} LSOAs have a boundary but no data or the reverse "
            f"(e.g. {unmatched.iloc[0]})."
        )
    ordered = merged.sort_values(["la_code", "lsoa_code"], ignore_index=True)
    return gpd.GeoDataFrame(ordered[["lsoa_code", "la_code"]], geometry=ordered.geometry, crs=WGS84)
