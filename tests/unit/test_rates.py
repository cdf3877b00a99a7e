"""Rates and their confidence intervals against PHEindicatormethods' published test values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csc_inequalities.stats.rates import (
    BYARS,
    EXACT,
    NO_CHILDREN,
    count_interval,
    interval_method,
    rate_interval,
    rate_per_10000,
)

# Expected values typed from PHEindicatormethods tests/testthat testdata_Rate
# (phe_testdata_Rate.xlsx, sheet testdata_Rate): rate per 100, 95% and 99.8% limits.
PHE_RATE_CASES = [
    # count, population, lower 95, upper 95, lower 99.8, upper 99.8, method
    (1, 100, 0.025318, 5.571643, 0.0010005, 9.233413, EXACT),
    (5, 100, 1.623486, 11.668332, 0.739372, 16.454745, EXACT),
    (20, 100, 12.211429, 30.889880, 8.922802, 38.085036, BYARS),
    (65, 100, 50.163188, 82.849139, 42.880261, 94.000291, BYARS),
    (9856, 12345, 78.269491, 81.430017, 77.375905, 82.354473, BYARS),
    (222, 3215, 6.026575, 7.875729, 5.560738, 8.461047, BYARS),
    (999, 3456, 27.141305, 30.755833, 26.162148, 31.845605, BYARS),
]


@pytest.mark.parametrize(
    ("count", "population", "lo95", "hi95", "lo998", "hi998", "method"), PHE_RATE_CASES
)
def test_rate_limits_match_phe(count, population, lo95, hi95, lo998, hi998, method):
    lower, upper = rate_interval(count, population, 0.95, per=100)
    assert lower[0] == pytest.approx(lo95, rel=1e-5)
    assert upper[0] == pytest.approx(hi95, rel=1e-5)
    lower, upper = rate_interval(count, population, 0.998, per=100)
    assert lower[0] == pytest.approx(lo998, rel=1e-4)
    assert upper[0] == pytest.approx(hi998, rel=1e-5)
    assert interval_method(count)[0] == method


def test_byars_count_limits_match_phe():
    # phe_testdata_Byars_Wilson.xlsx: Byar's limits of counts 65 and 1045 (95%), 10 (99.8%).
    lower, upper = count_interval([65, 1045], 0.95)
    assert lower == pytest.approx([50.163188, 982.593202], rel=1e-6)
    assert upper == pytest.approx([82.849139, 1110.331213], rel=1e-6)
    lower, upper = count_interval([10], 0.998)
    assert lower[0] == pytest.approx(2.916318, rel=1e-6)
    assert upper[0] == pytest.approx(24.193725, rel=1e-6)


def test_exact_interval_for_small_counts_by_hand():
    # Exact Poisson, 95%: count 0 -> [0, 3.689]; count 3 -> [0.6187, 8.7673] (Garwood tables).
    lower, upper = count_interval([0, 3])
    assert lower == pytest.approx([0.0, 0.618672], abs=1e-6)
    assert upper == pytest.approx([3.688879, 8.767273], rel=1e-6)
    assert list(interval_method([0, 9, 10])) == [EXACT, EXACT, BYARS]


def test_rate_per_10000_by_hand_and_zero_population():
    rates = rate_per_10000([5, 0, 3], [2500, 100, 0])
    assert rates[:2] == pytest.approx([20.0, 0.0])
    assert np.isnan(rates[2])
    lower, upper = rate_interval([3], [0])
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert interval_method([3], [0])[0] == NO_CHILDREN


@given(
    count=st.integers(min_value=0, max_value=100_000),
    population=st.integers(min_value=1, max_value=10_000_000),
    factor=st.integers(min_value=1, max_value=50),
)
def test_rates_scale_with_counts(count, population, factor):
    rate = rate_per_10000(count, population)[0]
    assert rate_per_10000(count * factor, population)[0] == pytest.approx(rate * factor)
    assert rate_per_10000(count * factor, population * factor)[0] == pytest.approx(rate)


@given(
    count=st.integers(min_value=0, max_value=1_000_000),
    population=st.floats(min_value=0.5, max_value=1e7),
)
def test_interval_contains_rate_and_never_fails(count, population):
    rate = rate_per_10000(count, population)[0]
    lower, upper = rate_interval(count, population)
    assert 0.0 <= lower[0] <= rate <= upper[0]
