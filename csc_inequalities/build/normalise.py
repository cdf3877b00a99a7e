"""Each source read into one normalised frame, whether the file is the publisher's or the mirror's.

The normalised frame has the mirror's column names and types (the names the build steps use),
so the official addresses and the mirror give the same tables (boundary coordinates aside: the
portal reprojects its polygons itself, see data/README.md).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from csc_inequalities.build.sources import (
    Input,
    Source,
    SourceError,
    check_official_shape,
    check_source_shape,
)

WGS84 = "EPSG:4326"
TEXT = {"dtype": "str", "keep_default_na": False}  # tables copied as published, markers kept


def load(source: Source, item: Input) -> pd.DataFrame:
    """The source as the build steps read it: the mirror's columns and types, whatever its form."""
    if item.form == "mirror":
        frame = read_mirror(source, item.path)
    else:
        raw = read_official(source, item.path)
        if isinstance(raw, pd.DataFrame):
            check_official_shape(source, raw)
        frame = NORMALISERS.get(source.name, _same)(raw)
    check_source_shape(source, frame)
    return frame if source.copy_as_text else frame[list(source.columns)]


def read_mirror(source: Source, path: Path) -> pd.DataFrame:
    """A mirror copy: GeoParquet, or CSV (gzipped or not, with or without a byte-order mark)."""
    try:
        if path.suffix == ".parquet":
            return gpd.read_parquet(path)
        options = TEXT if source.copy_as_text else source.read_options
        return pd.read_csv(path, encoding="utf-8-sig", low_memory=False, **options)
    except (OSError, ValueError, EOFError, UnicodeDecodeError) as error:
        raise SourceError(f"Could not read {source.mirror_path}: {error}") from error


def read_official(source: Source, path: Path) -> pd.DataFrame | str:
    """A file as the publisher sends it (CSV, xlsx sheet, zip member, GeoJSON features, text)."""
    official = source.official_download()
    params = official.params
    csv_options = TEXT if source.copy_as_text else {}
    try:
        if official.format == "csv":
            return pd.read_csv(path, encoding="utf-8-sig", low_memory=False, **csv_options)
        if official.format == "xlsx":
            return pd.read_excel(
                path, sheet_name=params.get("sheet", 0), skiprows=params.get("skip_rows", 0)
            )
        if official.format == "zip":
            with zipfile.ZipFile(path) as archive, archive.open(params["member"]) as member:
                return pd.read_csv(member, encoding="utf-8-sig", low_memory=False, **csv_options)
        if official.format == "geojson":
            return features_frame(json.loads(path.read_text(encoding="utf-8")))
        if official.format == "text":
            return path.read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise SourceError(
            f"{source.name}: could not read the official file {path.name} "
            f"({official.format}): {error}"
        ) from error
    raise SourceError(f"{source.name}: unknown official format {official.format!r}")


def features_frame(collection: dict) -> pd.DataFrame:
    """GeoJSON features as a frame of their properties, with a geometry column if they have one."""
    features = collection.get("features", [])
    frame = pd.DataFrame([feature.get("properties") or {} for feature in features])
    geometries = [feature.get("geometry") for feature in features]
    if any(geometry is not None for geometry in geometries):
        shapes = shapely.from_geojson([json.dumps(g) if g else None for g in geometries])
        return gpd.GeoDataFrame(frame, geometry=shapes, crs=WGS84)
    return frame


def _same(raw: pd.DataFrame) -> pd.DataFrame:
    """The official file already has the mirror's layout (a byte-identical copy)."""
    return raw


def _renamed(mapping: dict[str, str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A normaliser that gives the official columns the mirror's names."""

    def normalise(raw: pd.DataFrame) -> pd.DataFrame:
        return raw.rename(columns=mapping)[list(mapping.values())]

    return normalise


def _polygons(raw: gpd.GeoDataFrame, code: str, name: str, renames: dict) -> gpd.GeoDataFrame:
    """Boundaries as the mirror holds them: valid MultiPolygons in WGS84, renamed columns."""
    geometry = raw.geometry.to_crs(WGS84).to_numpy()
    invalid = ~shapely.is_valid(geometry)
    if invalid.any():
        geometry[invalid] = [_polygonal(part) for part in shapely.make_valid(geometry[invalid])]
    single = shapely.get_type_id(geometry) == 3  # Polygon
    geometry[single] = [shapely.MultiPolygon([polygon]) for polygon in geometry[single]]
    frame = pd.DataFrame({renames.get(code, code): raw[code], renames.get(name, name): raw[name]})
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def _polygonal(geometry):
    """The polygon parts of a repaired geometry (make_valid may add lines or points)."""
    if geometry.geom_type != "GeometryCollection":
        return geometry
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts)


def boundaries_lsoa11_bgc(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Portal features (LSOA11CD, LSOA11NM) as the mirror's GeoParquet columns."""
    return _polygons(raw, "LSOA11CD", "LSOA11NM", {})


def boundaries_lsoa21_bsc(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Portal features (LSOA21CD, LSOA21NM) under the geographr names lsoa21_code, lsoa21_name."""
    return _polygons(
        raw, "LSOA21CD", "LSOA21NM", {"LSOA21CD": "lsoa21_code", "LSOA21NM": "lsoa21_name"}
    )


def lookup_lsoa11_lsoa21(raw: pd.DataFrame) -> pd.DataFrame:
    """The exact-fit lookup under geographr's names, one row per distinct pair as geographr kept."""
    renamed = raw.rename(
        columns={
            "LSOA11NM": "lsoa11_name",
            "F_LSOA11CD": "lsoa11_code",
            "CHGIND": "change_code",
            "LSOA21NM": "lsoa21_name",
            "LSOA21CD": "lsoa21_code",
            "LAD22NM": "ltla22_name",
            "LAD22CD": "ltla22_code",
        }
    )
    columns = [
        "lsoa11_name",
        "lsoa11_code",
        "change_code",
        "lsoa21_name",
        "lsoa21_code",
        "ltla22_name",
        "ltla22_code",
    ]
    return renamed[columns].drop_duplicates(ignore_index=True)


def population20_lsoa11(raw: pd.DataFrame) -> pd.DataFrame:
    """The ONS workbook sheet (LSOA Code, All Ages, 0 ... 90+) under demographr's names."""
    ages = {column: str(column) for column in raw.columns if re.fullmatch(r"\d+\+?", str(column))}
    renamed = raw.rename(
        columns={
            "LSOA Code": "lsoa11_code",
            "LSOA Name": "lsoa11_name",
            "All Ages": "total_population",
            **ages,
        }
    )
    columns = ["lsoa11_name", "lsoa11_code", "total_population", *ages.values()]
    return renamed.dropna(subset=["lsoa11_code"])[columns].drop_duplicates(ignore_index=True)


def census21_age6_lsoa21(raw: pd.DataFrame) -> pd.DataFrame:
    """The ONS custom-dataset observations (LSOA x Age 6 categories) in the long mirror layout."""
    return pd.DataFrame(
        {
            "lsoa21_code": raw["area_code"],
            "lsoa21_name": raw["area_name"],
            "age_group": raw["resident_age_6a"],
            "usual_residents": raw["observation"].astype("int64"),
        }
    )


_TS021_PREFIX = "Ethnic group: "


def ethnicity21_lsoa21(raw: pd.DataFrame) -> pd.DataFrame:
    """Nomis TS021 (wide, detailed and high-level groups) as demographr's long 5-group table."""
    renamed = raw.rename(columns=lambda column: str(column).removeprefix(_TS021_PREFIX))
    groups = [
        column
        for column in renamed.columns
        if ":" not in column and column not in ("date", "geography", "geography code")
    ]
    wide = renamed[["geography code", "Total: All usual residents", *groups]].rename(
        columns={"geography code": "lsoa21_code", "Total: All usual residents": "total_residents"}
    )
    return wide.melt(
        id_vars=["lsoa21_code", "total_residents"], var_name="ethnic_group", value_name="n"
    )


_SHORT_GROUPS = {
    "Asian, Asian British or Asian Welsh": "Asian",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Mixed or Multiple ethnic groups": "Mixed",
    "White": "White",
    "Other ethnic group": "Other",
}
CHILDREN_BAND = "Aged 15 years and under"


def ethnicity_age_msoa21(raw: pd.DataFrame) -> pd.DataFrame:
    """ONS observations (MSOA x 6 groups x sex x 13 ages) as VirtUK's rows with a 0-15 column."""
    groups = raw[raw["ethnic_group_tb_6a"] != "Does not apply"]
    unknown = sorted(set(groups["ethnic_group_tb_6a"]) - set(_SHORT_GROUPS))
    if unknown:
        raise SourceError(f"ethnicity_age_msoa21: unknown ethnic groups {unknown}")
    children = groups[groups["resident_age_13a"] == CHILDREN_BAND]
    if children.empty:
        raise SourceError(f"ethnicity_age_msoa21: no '{CHILDREN_BAND}' observations")
    return pd.DataFrame(
        {
            "msoa": children["area_code"].to_numpy(),
            "sex": children["sex"].to_numpy(),
            "Ethnicity": children["ethnic_group_tb_6a"].map(_SHORT_GROUPS).to_numpy(),
            "0-15": children["observation"].astype("int64").to_numpy(),
        }
    )


_R_VECTOR = r"{name}\s*=\s*c\(([^()]*)\)"


def cwip_gradient(text: str) -> pd.DataFrame:
    """C. Webb's CWIP rates (R vectors, decile 10 = most deprived) with decile 1 = most deprived."""

    def numbers(name: str) -> list[int]:
        match = re.search(_R_VECTOR.format(name=name), text)
        if not match:
            raise SourceError(f"cwip_gradient: the page no longer defines {name} = c(...)")
        return [int(value) for value in match.group(1).split(",")]

    countries = re.search(r'country\s*=\s*c\(rep\("(\w+)",\s*10\),\s*rep\("(\w+)",\s*10\)\)', text)
    if not countries:
        raise SourceError("cwip_gradient: the page no longer defines the countries")
    frame = pd.DataFrame(
        {
            "country": [countries.group(1)] * 10 + [countries.group(2)] * 10,
            "imd_decile_most_deprived_is_1": [11 - depr for depr in numbers("depr")],
            "cpp_rate_per_10000": numbers("cpp"),
            "cla_rate_per_10000": numbers("cla"),
        }
    )
    return frame.sort_values(
        ["country", "imd_decile_most_deprived_is_1"], ignore_index=True, kind="mergesort"
    )


_IOD_2025 = {
    "LSOA code (2021)": "lsoa21_code",
    **{
        f"{official} {kind}": f"{short}_{suffix}"
        for official, short in {
            "Index of Multiple Deprivation (IMD)": "IMD",
            "Income": "Income",
            "Employment": "Employment",
            "Education, Skills and Training": "Education",
            "Health Deprivation and Disability": "Health",
            "Crime": "Crime",
            "Barriers to Housing and Services": "Housing_and_Services",
            "Living Environment": "Environment",
        }.items()
        for kind, suffix in (
            ("Decile (where 1 is most deprived 10% of LSOAs)", "decile"),
            ("Rank (where 1 is most deprived)", "rank"),
        )
    },
    "Index of Multiple Deprivation (IMD) Score": "IMD_score",
}

NORMALISERS: dict[str, Callable] = {
    "iod2025_imd": _renamed(_IOD_2025),
    "boundaries_lsoa11_bgc": boundaries_lsoa11_bgc,
    "boundaries_lsoa21_bsc": boundaries_lsoa21_bsc,
    "lookup_lsoa21_ltla24": _renamed(
        {
            "LSOA21CD": "lsoa21_code",
            "LSOA21NM": "lsoa21_name",
            "LAD24CD": "ltla24_code",
            "LAD24NM": "ltla24_name",
            "WD24CD": "ward24_code",
            "WD24NM": "ward24_name",
        }
    ),
    "lookup_lsoa11_ltla21": _renamed(
        {
            "LSOA11CD": "lsoa11_code",
            "LSOA11NM": "lsoa11_name",
            "LAD21CD": "ltla21_code",
            "LAD21NM": "ltla21_name",
        }
    ),
    "lookup_ltla22_ltla23": _renamed(
        {
            "LAD22CD": "ltla22_code",
            "LAD22NM": "ltla22_name",
            "LAD23CD": "ltla23_code",
            "LAD23NM": "ltla23_name",
        }
    ),
    "lookup_ltla23_utla23": _renamed(
        {
            "LTLA23CD": "ltla23_code",
            "LTLA23NM": "ltla23_name",
            "UTLA23CD": "utla23_code",
            "UTLA23NM": "utla23_name",
        }
    ),
    "lookup_ltla24_region24": _renamed(
        {
            "LAD24CD": "ltla24_code",
            "LAD24NM": "ltla24_name",
            "RGN24CD": "region24_code",
            "RGN24NM": "region24_name",
        }
    ),
    "lookup_lsoa11_lsoa21": lookup_lsoa11_lsoa21,
    "population20_lsoa11": population20_lsoa11,
    "census21_age6_lsoa21": census21_age6_lsoa21,
    "ethnicity21_lsoa21": ethnicity21_lsoa21,
    "ethnicity_age_msoa21": ethnicity_age_msoa21,
    "cwip_gradient": cwip_gradient,
}
