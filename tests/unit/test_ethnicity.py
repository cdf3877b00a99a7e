"""Ethnic group denominators, rates, ratios to White and the ethnicity x deprivation table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csc_inequalities.results.ethnicity import (
    METHOD,
    ethnic_denominators,
    ethnicity_by_deprivation,
    ethnicity_table,
    lsoa_ethnic_children,
)

CENSUS = pd.DataFrame(
    {
        "la_code": ["E06000001"] * 5 + ["E06000002"],
        "ethnic_group": ["White", "Mixed", "Asian", "Black", "Other", "White"],
        "children_0_15": [800.0, 0.0, 200.0, 0.0, 0.0, 5000.0],
    }
)
LSOAS = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000002"],
        "children_0_17": [600.0, 600.0],
        "eth_white": [0.5, 1.0],
        "eth_mixed": [0.0, 0.0],
        "eth_asian": [0.5, 0.0],
        "eth_black": [0.0, 0.0],
        "eth_other": [0.0, 0.0],
    }
)
COUNTS = pd.DataFrame(
    {
        "lsoa_code": ["E01000001", "E01000002", "E01000001", "E01000002"],
        "ethnic_group": ["White", "White", "Asian", "Not known"],
        "count": [16.0, 32.0, 24.0, 3.0],
    }
)


def test_denominators_scale_census_0_15_shares_to_the_0_17_total():
    denominators = ethnic_denominators(CENSUS, "E06000001", 1200.0)
    assert denominators.to_dict() == {
        "White": 960.0, "Mixed": 0.0, "Asian": 240.0, "Black": 0.0, "Other": 0.0
    }  # fmt: skip
    assert "CHNE" in METHOD and "Asian" in METHOD


def test_rates_and_ratio_to_white_by_hand():
    table = ethnicity_table(COUNTS, ethnic_denominators(CENSUS, "E06000001", 1200.0))
    rows = table.set_index("ethnic_group")
    assert rows.loc["White", "rate_per_10000"] == pytest.approx(500.0)  # 48 / 960
    assert rows.loc["Asian", "rate_per_10000"] == pytest.approx(1000.0)  # 24 / 240
    assert rows.loc["Asian", "ratio_to_white"] == pytest.approx(2.0)
    assert rows.loc["Asian", "ratio_lower"] < 2.0 < rows.loc["Asian", "ratio_upper"]
    assert math.isnan(rows.loc["Black", "rate_per_10000"])  # no children: no rate, no crash
    assert rows.loc["Not known", "count"] == 3.0
    assert math.isnan(rows.loc["Not known", "children"])


def test_lsoa_denominators_are_rescaled_to_the_authority_group_totals():
    denominators = ethnic_denominators(CENSUS, "E06000001", 1200.0)
    children = lsoa_ethnic_children(LSOAS, denominators)
    # White raw 300 + 600 = 900 rescaled to 960; Asian raw 300 rescaled to 240.
    assert children.loc["E01000001", "White"] == pytest.approx(320.0)
    assert children.loc["E01000002", "White"] == pytest.approx(640.0)
    assert children.loc["E01000001", "Asian"] == pytest.approx(240.0)
    assert children.sum().to_dict() == pytest.approx(denominators.to_dict())


def test_ethnicity_by_deprivation_by_hand():
    denominators = ethnic_denominators(CENSUS, "E06000001", 1200.0)
    quintiles = pd.Series([1, 5], name="national_quintile")
    table = ethnicity_by_deprivation(COUNTS, LSOAS, quintiles, denominators)
    assert len(table) == 25
    cell = table.set_index(["quintile", "ethnic_group"])
    assert cell.loc[(1, "White"), "rate_per_10000"] == pytest.approx(16 / 320 * 10_000)
    assert cell.loc[(5, "White"), "rate_per_10000"] == pytest.approx(32 / 640 * 10_000)
    assert cell.loc[(1, "Asian"), "count"] == 24.0
    assert math.isnan(cell.loc[(3, "White"), "rate_per_10000"])
