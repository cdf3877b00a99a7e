"""Each authority's polygons are written once by the data build, as the browser receives them."""

from __future__ import annotations

import gzip

import orjson
import pytest

from csc_inequalities.build.maps import lsoa_geojson
from csc_inequalities.reference.maps_data import (
    authority_geojson,
    authority_geojson_gzip,
    geojson_path,
)
from csc_inequalities.reference.store import GEOGRAPHY_BY_IMD_YEAR

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("imd_year", "la_code"), [(2019, "E06000009"), (2025, "E10000016"), (2025, "E09000001")]
)
def test_the_stored_polygons_are_the_authoritys_boundaries_as_geojson(store, imd_year, la_code):
    boundaries = store.boundaries(imd_year, la_code)
    assert authority_geojson(imd_year, la_code) == lsoa_geojson(boundaries)
    stored = authority_geojson_gzip(imd_year, la_code)
    assert orjson.loads(gzip.decompress(stored))["features"][0]["id"] == boundaries["lsoa_code"][0]
    lsoas = store.authority(la_code)[f"n_lsoa_{GEOGRAPHY_BY_IMD_YEAR[imd_year]}"]
    assert len(authority_geojson(imd_year, la_code)["features"]) == lsoas


def test_every_authority_has_its_polygons_for_both_index_years(store):
    for imd_year in GEOGRAPHY_BY_IMD_YEAR:
        for la_code in store.authorities["la_code"]:
            assert geojson_path(store.store_dir, imd_year, la_code).is_file(), (imd_year, la_code)
