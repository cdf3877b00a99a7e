"""Per-authority map geometry: GeoJSON the data build wrote once, read and shared by sessions."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import orjson

from csc_inequalities.reference.store import BUILD_COMMAND, StoreMissing, load_store

GEOJSON_ROUTE = "geojson/{imd_year}/{la_code}.json"
GEOJSON_FOLDER = "geojson"


def geojson_path(store_dir: Path, imd_year: int, la_code: str) -> Path:
    """Where the build keeps an authority's polygons for an index year (gzip-compressed)."""
    return Path(store_dir) / GEOJSON_FOLDER / str(imd_year) / f"{la_code}.json.gz"


def write_authority_geojson(store_dir: Path, imd_year: int, la_code: str, content: bytes) -> None:
    """Keep an authority's GeoJSON as the browser receives it: gzip-compressed, once."""
    path = geojson_path(store_dir, imd_year, la_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content, compresslevel=9, mtime=0))


@lru_cache(maxsize=64)
def authority_geojson_gzip(imd_year: int, la_code: str) -> bytes:
    """The authority's polygons as stored (gzip), for browsers that take gzip (all do)."""
    path = geojson_path(load_store().store_dir, imd_year, la_code)
    if not path.is_file():
        raise StoreMissing(f"The reference store has no polygons at {path}: {BUILD_COMMAND}")
    return path.read_bytes()


def authority_geojson_bytes(imd_year: int, la_code: str) -> bytes:
    """The authority's polygons as GeoJSON text."""
    return gzip.decompress(authority_geojson_gzip(imd_year, la_code))


# Only exports draw a map with the polygons inside the figure, so only a few are kept.
@lru_cache(maxsize=8)
def authority_geojson(imd_year: int, la_code: str) -> dict:
    """The authority's LSOA polygons as GeoJSON for plotly (image exports)."""
    return orjson.loads(authority_geojson_bytes(imd_year, la_code))


def authority_geojson_url(imd_year: int, la_code: str) -> str:
    """Where the browser fetches the polygons: the map figure then carries only the values."""
    return GEOJSON_ROUTE.format(imd_year=imd_year, la_code=la_code)
