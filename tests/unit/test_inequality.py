"""SII, RII, rate ratios, share and excess against worked examples and hand calculation."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csc_inequalities.results.gradient import with_rates
from csc_inequalities.stats.inequality import (
    excess_above_least_deprived,
    midpoint_ranks,
    rate_ratio,
    share_most_deprived,
    slope_index,
    standard_normal_draws,
    summarise,
)

# Worked examples typed from PHEindicatormethods tests/testthat testdata_SII
# (phe_testdata_SII.xlsx), "area1", quantile 1 = most deprived.
LIFE_EXPECTANCY = {  # records 1-10, "default (e.g. life expectancy) - default parameters"
    "population": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    "value": [75.93345901, 78.34423827, 83.83606310, 83.63753997, 80.46550315,
              81.11567599, 81.69308357, 84.19000621, 80.59556411, 86.28943496],
    "lower": [72.72205305, 75.25098022, 80.86972951, 80.15757836, 77.13087860,
              78.04999868, 79.01157849, 81.44572828, 75.82718517, 83.21905935],
    "upper": [79.14486497, 81.43749633, 86.80239670, 87.11750158, 83.80012771,
              84.18135329, 84.37458865, 86.93428414, 85.36394305, 89.35981057],
    "sii": 6.934616474, "rii": 1.088818080,
    "sii_limits": (3.127594618, 10.75868737), "rii_limits": (1.038369059, 1.141299336),
}  # fmt: skip
INFANT_MORTALITY = {  # records 71-80, "rate (e.g. infant mortality) - default parameters"
    "population": [279012, 255993, 236961, 214315, 192812, 183546, 168593, 164822, 154836, 138165],
    "value": [5.892219689, 4.734504459, 3.827634083, 3.868138021, 3.677157023,
              3.143626121, 3.125871181, 2.942568346, 2.828799504, 2.764810191],
    "lower": [5.614959662, 4.475920771, 3.586926055, 3.614079114, 3.416696987,
              2.897717635, 2.870493809, 2.692404130, 2.576305738, 2.501420619],
    "upper": [6.183085358, 5.007951940, 4.084429103, 4.139982300, 3.957393482,
              3.410331719, 3.403890987, 3.215901572, 3.105962150, 3.055848666],
    "sii": -3.275201233, "rii": 0.4060006895,
    "sii_limits": (-3.586823302, -2.965317002), "rii_limits": (0.3688817020, 0.4462477665),
}  # fmt: skip


@pytest.mark.parametrize("case", [LIFE_EXPECTANCY, INFANT_MORTALITY], ids=["LE", "rate"])
def test_sii_and_rii_match_phe_worked_examples(case):
    result = slope_index(case["population"], case["value"], case["lower"], case["upper"])
    assert result.sii == pytest.approx(case["sii"], rel=1e-7)
    assert result.rii == pytest.approx(case["rii"], rel=1e-7)
    # PHE's limits come from 100,000 random draws; the R tests accept 5%.
    assert (result.sii_lower, result.sii_upper) == pytest.approx(case["sii_limits"], rel=0.05)
    assert (result.rii_lower, result.rii_upper) == pytest.approx(case["rii_limits"], rel=0.05)
    assert result.groups == 10 and result.reason is None


def test_sii_on_quintiles_matches_phe():
    # Records 61-65 ("default - testing quintiles"): the first five life expectancy groups.
    case = LIFE_EXPECTANCY
    result = slope_index(*(case[key][:5] for key in ("population", "value", "lower", "upper")))
    assert result.sii == pytest.approx(7.919334147, rel=1e-7)
    assert result.rii == pytest.approx(1.103711695, rel=1e-7)


def test_midpoint_ranks_by_hand():
    # Documented PHE example: groups of 12% then 10% of the population -> 0.06, 0.17.
    ranks = midpoint_ranks(np.array([12.0, 10.0, 78.0]))
    assert ranks == pytest.approx([0.06, 0.17, 0.61])


def test_simulation_is_seeded_and_fast():
    case = LIFE_EXPECTANCY
    args = [case[key] for key in ("population", "value", "lower", "upper")]
    first = slope_index(*args)
    started = time.perf_counter()
    second = slope_index(*args)
    assert time.perf_counter() - started < 0.02
    assert first == second


def test_simulated_limits_are_those_of_each_simulated_table_fitted_on_its_own():
    """The limits come from fitting value + se x draw for every draw: refit each one here."""
    case = LIFE_EXPECTANCY
    population, value, lower, upper = (
        np.array(case[key], dtype=float) for key in ("population", "value", "lower", "upper")
    )
    repetitions, seed = 400, 11
    result = slope_index(population, value, lower, upper, repetitions=repetitions, seed=seed)
    se = (upper - lower) / (2 * 1.959963984540054)
    simulated = value[:, None] + se[:, None] * standard_normal_draws(len(value), repetitions, seed)
    weight = np.sqrt(population / population.sum())
    design = np.column_stack([weight, midpoint_ranks(population) * weight])
    fits = [np.linalg.lstsq(design, column * weight, rcond=None)[0] for column in simulated.T]
    intercepts, slopes = np.array(fits).T
    assert (result.sii_lower, result.sii_upper) == pytest.approx(
        np.quantile(slopes, [0.025, 0.975]), rel=1e-9
    )
    assert (result.rii_lower, result.rii_upper) == pytest.approx(
        np.quantile((intercepts + slopes) / intercepts, [0.025, 0.975]), rel=1e-9
    )


def test_sii_needs_five_populated_groups():
    result = slope_index([100, 100, 0, 0], [5, 4, 0, 0], [3, 2, 0, 0], [7, 6, 0, 0])
    assert result.sii is None and "at least 5" in result.reason


def test_rate_ratio_log_interval_by_hand():
    # 50/10,000 against 10/10,000: ratio 5, SE(log) = sqrt(1/50 + 1/10) = 0.34641.
    ratio = rate_ratio(50, 10_000, 10, 10_000)
    assert ratio.ratio == pytest.approx(5.0)
    assert ratio.lower == pytest.approx(5.0 * np.exp(-1.959964 * 0.3464102), rel=1e-6)
    assert ratio.upper == pytest.approx(5.0 * np.exp(1.959964 * 0.3464102), rel=1e-6)


def test_rate_ratio_with_zero_counts_is_undefined_not_an_error():
    assert rate_ratio(5, 1000, 0, 1000).ratio is None
    assert rate_ratio(5, 1000, 0, 1000).reason
    assert rate_ratio(0, 1000, 4, 1000).ratio == 0.0
    assert rate_ratio(0, 1000, 4, 1000).lower is None
    assert rate_ratio(3, 0, 4, 1000).ratio is None


def _quintiles(counts, children):
    return with_rates(pd.DataFrame({"group": range(1, 6), "count": counts, "children": children}))


def test_share_and_excess_by_hand():
    table = _quintiles([40.0, 30.0, 15.0, 10.0, 5.0], [1000.0, 1000.0, 1000.0, 1000.0, 1000.0])
    share = share_most_deprived(table)
    assert share.share_of_count == pytest.approx(0.4)
    assert share.share_of_children == pytest.approx(0.2)
    # Every child at quintile 5's rate (5 per 1,000): expected 25, observed 100, excess 75.
    excess = excess_above_least_deprived(table)
    assert (excess.expected, excess.observed, excess.excess) == pytest.approx((25.0, 100.0, 75.0))


def test_excess_is_floored_at_zero_and_undefined_without_children():
    rising = _quintiles([1.0, 1.0, 1.0, 1.0, 20.0], [1000.0] * 5)
    assert excess_above_least_deprived(rising).excess == 0.0
    empty_end = _quintiles([5.0, 4.0, 3.0, 2.0, 0.0], [1000.0, 1000.0, 1000.0, 1000.0, 0.0])
    assert excess_above_least_deprived(empty_end).excess is None


def _deciles(counts, children):
    return with_rates(
        pd.DataFrame({"group": range(1, len(counts) + 1), "count": counts, "children": children})
    )


@settings(max_examples=60, deadline=None)
@given(
    base=st.integers(min_value=0, max_value=40),
    step=st.integers(min_value=5, max_value=60),
    children=st.lists(st.integers(min_value=800, max_value=5000), min_size=10, max_size=10),
)
def test_sii_sign_follows_the_gradient(base, step, children):
    # Rates falling from decile 1 (most deprived) to 10: PHE's SII is negative and RII < 1.
    children = np.array(children, dtype=float)
    rates = base + step * np.arange(10, 0, -1)
    counts = np.round(rates * children / 10_000 * 20)
    table = _deciles(counts, children * 20)
    falling = slope_index(
        table["children"], table["rate_per_10000"], table["lower_95ci"], table["upper_95ci"]
    )
    assert falling.sii < 0
    reverse = table.iloc[::-1]
    rising = slope_index(
        reverse["children"], reverse["rate_per_10000"], reverse["lower_95ci"], reverse["upper_95ci"]
    )
    assert rising.sii > 0


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=30), min_size=10, max_size=10),
    children=st.lists(st.integers(min_value=0, max_value=3000), min_size=10, max_size=10),
)
def test_zero_counts_and_empty_groups_never_crash(counts, children):
    deciles = _deciles(np.array(counts, float), np.array(children, float))
    quintile_counts = np.add.reduceat(np.array(counts, float), range(0, 10, 2))
    quintile_children = np.add.reduceat(np.array(children, float), range(0, 10, 2))
    summary = summarise(deciles, _quintiles(quintile_counts, quintile_children))
    assert summary.slope.sii is not None or summary.slope.reason
    for ratio in (summary.ratio_decile, summary.ratio_quintile):
        assert ratio.ratio is not None or ratio.reason
