"""Build step: each authority's LSOA polygons as the GeoJSON the browser fetches, made once.

Serving then reads a small gzip file per authority instead of filtering the boundary tables
with GeoPandas on every first use (which took about 26 ms per authority and left parts of the
Parquet reads in the process's memory for good).
"""

from __future__ import annotations

import json

import geopandas as gpd
import orjson

from csc_inequalities.build.context import BuildContext
from csc_inequalities.reference.maps_data import GEOJSON_FOLDER, write_authority_geojson
from csc_inequalities.reference.store import GEOGRAPHY_BY_IMD_YEAR


def lsoa_geojson(boundaries: gpd.GeoDataFrame) -> dict:
    """GeoJSON keyed by LSOA code, the form plotly's choropleth joins values on."""
    frame = boundaries[["lsoa_code", "geometry"]].set_index("lsoa_code", drop=False)
    return json.loads(frame.to_json(drop_id=False, to_wgs84=True))


def maps_step(ctx: BuildContext) -> None:
    """Write every authority's polygons for both index years from the boundary tables."""
    written = 0
    for imd_year, geography in GEOGRAPHY_BY_IMD_YEAR.items():
        boundaries = gpd.read_parquet(ctx.out_dir / f"boundaries_{geography}.parquet")
        for la_code, rows in boundaries.groupby("la_code", sort=True):
            content = orjson.dumps(lsoa_geojson(rows.reset_index(drop=True)))
            write_authority_geojson(ctx.out_dir, imd_year, str(la_code), content)
            written += 1
    ctx.tables[f"{GEOJSON_FOLDER} files"] = written
