"""Per-authority map geometry, built once per process and shared by every session."""

from __future__ import annotations

from functools import lru_cache

from csc_inequalities.figures.maps import lsoa_geojson
from csc_inequalities.store import load_store


@lru_cache(maxsize=512)
def authority_geojson(imd_year: int, la_code: str) -> dict:
    """The authority's LSOA polygons as GeoJSON for plotly, cached on plain arguments."""
    return lsoa_geojson(load_store().boundaries(imd_year, la_code))
