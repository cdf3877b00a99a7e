"""The gradient table and the CWIP overlay, checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csc_inequalities.results.gradient import CWIP_LABEL, cwip_overlay, gradient_table, overall_rate
from csc_inequalities.stats.rates import BYARS, EXACT, NO_CHILDREN
from tests.helpers.synthetic_store import synthetic_store

LSOAS = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000002", "E01000003", "E01000004"],
        "children_0_17": [1000.0, 1000.0, 500.0, 2000.0],
    }
)
GROUPS = pd.Series([1, 1, 3, 10], name="national_decile")
COUNTS = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000001", "E01000002", "E01000004", "E01999999", None],
        "ethnic_group": ["White", "Asian", "White", "White", "White", "White"],
        "count": [2.0, 1.0, 12.0, 1.0, 5.0, 3.0],
    }
)


def test_gradient_table_by_hand():
    table = gradient_table(COUNTS, LSOAS, GROUPS).set_index("group")
    assert list(table.index) == list(range(1, 11))
    assert table.loc[1, "group_label"] == "1 most deprived"
    assert table.loc[10, "group_label"] == "10 least deprived"
    # Decile 1: 15 children counted among 2,000 -> 75 per 10,000, Byar's interval.
    assert table.loc[1, ["lsoas", "children", "count"]].tolist() == [2, 2000.0, 15.0]
    assert table.loc[1, "rate_per_10000"] == pytest.approx(75.0)
    assert table.loc[1, "ci_method"] == BYARS
    # Decile 3: none counted among 500 -> 0, exact upper limit 3.688879 / 500 * 10,000.
    assert table.loc[3, "rate_per_10000"] == 0.0
    assert table.loc[3, "lower_95ci"] == 0.0
    assert table.loc[3, "upper_95ci"] == pytest.approx(73.77758, rel=1e-6)
    assert table.loc[10, "ci_method"] == EXACT
    # Decile 2 has no LSOAs in this authority: kept, with no rate.
    assert table.loc[2, "children"] == 0.0 and math.isnan(table.loc[2, "rate_per_10000"])
    assert table.loc[2, "ci_method"] == NO_CHILDREN


def test_overall_rate_leaves_out_counts_outside_the_authority():
    overall = overall_rate(gradient_table(COUNTS, LSOAS, GROUPS))
    assert (overall.count, overall.children) == (16.0, 4500.0)
    assert overall.rate_per_10000 == pytest.approx(16 / 4500 * 10_000)


def test_quintile_tables_have_five_groups():
    table = gradient_table(COUNTS, LSOAS, pd.Series([1, 1, 2, 5], name="local_quintile"))
    assert table["group"].tolist() == [1, 2, 3, 4, 5]
    assert table["count"].tolist() == [15.0, 0.0, 0.0, 0.0, 1.0]


def test_cwip_overlay_exists_for_cpp_and_cla_only():
    store = synthetic_store(n_lsoas=20)
    assert cwip_overlay(store, "CIN") is None
    cla = cwip_overlay(store, "CLA")
    assert cla["decile"].tolist() == list(range(1, 11))
    assert cla["rate_per_10000"].iloc[0] > cla["rate_per_10000"].iloc[-1]
    assert "18 LAs" in CWIP_LABEL and "IMD 2015" in CWIP_LABEL
