"""Per-authority map geometry, built once per process and shared by every session."""

from __future__ import annotations

from functools import lru_cache

import orjson

from csc_inequalities.figures.maps import lsoa_geojson
from csc_inequalities.reference.store import load_store

GEOJSON_ROUTE = "geojson/{imd_year}/{la_code}.json"


@lru_cache(maxsize=512)
def authority_geojson(imd_year: int, la_code: str) -> dict:
    """The authority's LSOA polygons as GeoJSON for plotly, cached on plain arguments."""
    return lsoa_geojson(load_store().boundaries(imd_year, la_code))


@lru_cache(maxsize=64)
def authority_geojson_bytes(imd_year: int, la_code: str) -> bytes:
    """The same GeoJSON serialised once, for the browser to fetch and cache."""
    return orjson.dumps(authority_geojson(imd_year, la_code))


def authority_geojson_url(imd_year: int, la_code: str) -> str:
    """Where the browser fetches the polygons: the map figure then carries only the values."""
    return GEOJSON_ROUTE.format(imd_year=imd_year, la_code=la_code)
