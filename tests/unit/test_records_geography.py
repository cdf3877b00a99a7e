"""Postcodes and LSOA codes to both geographies: normalising, splits, merges, the authority."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records.geography import (
    change_counts,
    in_authority,
    locate,
    normalise_postcodes,
    resolve_lsoa_codes,
    resolve_postcodes,
    store_geography,
)
from tests.helpers.fake_store import LA, OTHER_LA, FakeStore


def tables():
    return store_geography(FakeStore())


def test_postcodes_are_normalised_to_upper_case_without_spaces():
    values = pd.Series([" ab1 2cd", "AB1  2CD", "", None, "ab1-2cd"], dtype="str")
    assert normalise_postcodes(values).tolist()[:2] == ["AB12CD", "AB12CD"]
    assert normalise_postcodes(values).isna().tolist() == [False, False, True, True, False]


def test_postcodes_resolve_to_both_geographies_or_are_unknown():
    values = pd.Series(["ab1 3cd", "EG19 7TT", None], dtype="str")
    resolved = resolve_postcodes(values, tables())
    assert resolved["lsoa11_code"].tolist()[0] == "E01000002"
    assert resolved["lsoa21_code"].tolist()[0] == "E01033002"
    assert resolved["geo_status"].tolist() == ["ok", "unknown postcode", "missing"]


def test_lsoa_codes_convert_between_geographies_with_splits_to_the_largest_part():
    codes = pd.Series(["E01000001", "E01000002", "e01000004", "E01033003", "W01000001"])
    resolved = resolve_lsoa_codes(codes, tables())
    assert resolved["lsoa11_code"].tolist()[:4] == [
        "E01000001",
        "E01000002",
        "E01000004",
        "E01000003",
    ]
    assert resolved["lsoa21_code"].tolist()[:4] == [
        "E01000001",
        "E01033001",
        "E01033003",
        "E01033003",
    ]
    assert resolved["geo_status"].tolist() == ["ok"] * 4 + ["unknown LSOA code"]
    assert resolved["geo_change"].tolist() == ["", "S", "M", "M", ""]
    assert change_counts(resolved) == {"M": 2, "S": 1}


def test_lsoa_code_is_preferred_and_postcode_used_when_the_code_is_unusable():
    postcodes = pd.Series(["ZZ9 9ZZ", "AB1 2CD", None], dtype="str")
    codes = pd.Series(["E01000003", "nonsense", None], dtype="str")
    located = locate(postcodes, codes, tables())
    assert located["lsoa11_code"].tolist()[:2] == ["E01000003", "E01000001"]
    assert located["geo_status"].tolist() == ["ok", "ok", "missing"]


def test_authority_membership_uses_either_geography():
    located = resolve_lsoa_codes(pd.Series(["E01000001", "E01000005", "E01033002"]), tables())
    assert in_authority(located, LA, tables()).tolist() == [True, False, True]
    assert in_authority(located, OTHER_LA, tables()).tolist() == [False, True, False]


def test_postcode_directory_is_indexed_once_per_store():
    store = FakeStore()
    first = store_geography(store)
    assert store_geography(store) is first
    assert store.postcode_calls == 1
