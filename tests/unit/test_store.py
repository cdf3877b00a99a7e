"""Loading the reference store: speed, tables, per-authority boundaries, clear errors."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
import shapely

from csc_inequalities.reference.store import (
    ReferenceStore,
    StoreMissing,
    UnknownAuthority,
    geography_for,
    load_store,
)

pytestmark = pytest.mark.slow

GEOJSON_LIMIT_BYTES = 150_000


def geojson_bytes(frame) -> int:
    """Size of the authority's polygons as a GeoJSON FeatureCollection (5-decimal coordinates)."""
    features = [
        {
            "type": "Feature",
            "properties": {"lsoa_code": code},
            "geometry": json.loads(shapely.to_geojson(geometry)),
        }
        for code, geometry in zip(frame["lsoa_code"], frame.geometry, strict=True)
    ]
    return len(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    )


def test_the_store_loads_in_under_two_seconds(store):
    started = time.perf_counter()
    ReferenceStore(store.store_dir)
    assert time.perf_counter() - started < 2.0


def test_load_store_is_cached_per_process(store):
    assert load_store() is load_store()


def test_index_years_map_to_their_lsoa_geographies(store):
    assert geography_for(2019) == 2011 and geography_for(2025) == 2021
    assert store.lsoas(2019)["lsoa_code"].str.len().eq(9).all()
    assert len(store.lsoas(2019)) == 32844 and len(store.lsoas(2025)) == 33755
    with pytest.raises(ValueError, match="choose 2019"):
        store.lsoas(2015)


def test_authority_lookup_and_unknown_codes(store):
    assert store.authority("e06000009")["la_name"] == "Blackpool"
    assert store.authority_name("E10000016") == "Kent"
    with pytest.raises(UnknownAuthority, match="E99999999.*not a current English upper-tier"):
        store.authority("E99999999")
    with pytest.raises(KeyError):
        store.boundaries(2019, "E10000006")


def test_boundaries_of_one_authority_match_its_lsoas_and_are_light_on_average(store):
    for year, column in ((2019, "n_lsoa_2011"), (2025, "n_lsoa_2021")):
        counts = store.authorities.set_index("la_code")[column]
        for la_code in ("E06000009", "E10000016", "E06000063"):
            assert len(store.boundaries(year, la_code)) == counts[la_code]
    sizes = [geojson_bytes(store.boundaries(2019, code)) for code in store.authorities["la_code"]]
    assert sum(sizes) / len(sizes) < GEOJSON_LIMIT_BYTES


def test_other_tables_and_postcodes_are_read_on_demand(store):
    assert set(store.table("mye_children_la").columns) >= {"new_la_code", "population_estimate"}
    assert list(store.postcodes().columns) == ["postcode", "lsoa11_code", "lsoa21_code", "la_code"]
    assert list(store.cwip.columns) == [
        "country",
        "decile",
        "cpp_rate_per_10000",
        "cla_rate_per_10000",
    ]
    assert list(store.ethnicity_children.columns) == ["la_code", "ethnic_group", "children_0_15"]
    with pytest.raises(StoreMissing, match="no table 'dfe_nothing'"):
        store.table("dfe_nothing")


def test_changing_a_returned_table_leaves_the_store_unchanged(store):
    lsoas = store.lsoas(2019)
    lsoas["children_0_17"] = 0.0
    lsoas["extra"] = 1
    authorities = store.authorities
    authorities.loc[:, "la_name"] = "changed"
    assert store.lsoas(2019)["children_0_17"].sum() > 0
    assert "extra" not in store.lsoas(2019).columns
    assert store.authorities["la_name"].iloc[0] != "changed"


def test_a_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreMissing, match="csc-inequalities data build"):
        load_store(tmp_path / "nowhere")
    assert issubclass(StoreMissing, FileNotFoundError)


def test_authority_table_follows_the_contract(store):
    columns = [
        "la_code",
        "la_name",
        "region_code",
        "region_name",
        "dfe_la_number",
        "previous_codes",
        "n_lsoa_2011",
        "n_lsoa_2021",
        "children_2011",
        "children_2021",
    ]
    assert list(store.authorities.columns) == columns
    assert pd.api.types.is_integer_dtype(store.authorities["dfe_la_number"])
    assert store.authorities["children_2011"].sum() == pytest.approx(
        store.authorities["children_2021"].sum()
    )
