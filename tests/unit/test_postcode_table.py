"""Postcode lookups read a few row groups and give exactly the rows of the whole table."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from csc_inequalities.reference import postcode_table


@pytest.fixture(scope="module")
def everything(store) -> pd.DataFrame:
    return store.postcodes()


def same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal rows, compared as text (categories differ with the rows read)."""
    columns = ["postcode", "lsoa11_code", "lsoa21_code", "la_code"]
    as_text = {column: "str" for column in columns}
    pd.testing.assert_frame_equal(
        got[columns].astype(as_text).sort_values("postcode", ignore_index=True),
        expected[columns].astype(as_text).sort_values("postcode", ignore_index=True),
    )


def test_postcodes_are_found_across_groups_and_unknown_ones_are_left_out(store, everything):
    ends = everything["postcode"].iloc[[0, 16_383, 16_384, 1_000_000, len(everything) - 1]]
    sample = everything["postcode"].sample(3_000, random_state=7)
    wanted = [*ends, *sample, "ZZ999ZZ", "A", "", None]
    got = store.postcodes_for(wanted)
    same_rows(got, everything[everything["postcode"].isin(wanted)])
    assert len(got) == len(set(ends) | set(sample))


def test_found_rows_share_one_sorted_set_of_lsoa_codes_holding_just_the_codes_found(
    store, everything
):
    got = store.postcodes_for(everything["postcode"].sample(500, random_state=3))
    eleven, twenty_one = got["lsoa11_code"].cat.categories, got["lsoa21_code"].cat.categories
    assert eleven.equals(twenty_one)
    assert eleven.is_monotonic_increasing
    assert set(eleven) == set(got["lsoa11_code"].dropna()) | set(got["lsoa21_code"].dropna())


def test_asking_for_no_postcodes_gives_an_empty_table_of_the_same_columns(store):
    empty = store.postcodes_for([])
    assert empty.empty
    assert list(empty.columns) == ["postcode", "lsoa11_code", "lsoa21_code", "la_code"]


def test_an_authoritys_postcodes_are_exactly_its_rows(store, everything):
    codes = ["E06000009", "E10000016", "E09000001"]
    same_rows(store.postcodes_in(codes), everything[everything["la_code"].isin(codes)])
    assert store.postcodes_in(["E99999999"]).empty


def test_an_authority_and_its_postcodes_are_read_from_a_few_of_the_groups(store, everything):
    path = store.store_dir / "postcodes.parquet"
    groups = postcode_table._authority_row_groups(path)
    total = max(max(found) for found in groups.values()) + 1
    assert total >= 100
    assert len(groups["E06000009"]) <= 5  # Blackpool: FY postcodes
    blackpool = everything.loc[everything["la_code"] == "E06000009", "postcode"]
    file = pq.ParquetFile(path)
    wanted = blackpool.sort_values().to_numpy(dtype=object)
    assert 1 <= len(postcode_table._groups_holding(file, wanted)) <= 5
