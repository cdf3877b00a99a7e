"""Wilson score intervals against PHEindicatormethods' published test values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csc_inequalities.stats.proportions import (
    NO_DENOMINATOR,
    NOT_A_PROPORTION,
    WILSON,
    interval_method,
    proportion,
    wilson_interval,
)

# Typed by hand from PHEindicatormethods tests/testthat testdata_B_W
# (/work/shared/methods/phe_testdata_Byars_Wilson.xlsx, sheet testdata_B_W, method Wilson).
PHE_WILSON_CASES = [
    # x, n, confidence, lower, upper
    (65, 100, 0.95, 0.5525444329688797, 0.7363575175690247),
    (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
    (0.445, 1, 0.95, 0.04381744772058822, 0.9334621276979156),
    (65, 100, 0.998, 0.4954946574070431, 0.7783540614089697),
    (1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    (0.445, 1, 0.998, 0.019347006132900975, 0.9702259947019541),
]


@pytest.mark.parametrize(("x", "n", "confidence", "lower", "upper"), PHE_WILSON_CASES)
def test_wilson_limits_match_phe(x, n, confidence, lower, upper):
    low, high = wilson_interval(x, n, confidence)
    assert low[0] == pytest.approx(lower, rel=1e-9)
    assert high[0] == pytest.approx(upper, rel=1e-9)


def test_limits_are_vectorised_and_match_one_by_one():
    x = np.array([65, 1045])
    n = np.array([100, 5000])
    low, high = wilson_interval(x, n)
    assert low.tolist() == pytest.approx([PHE_WILSON_CASES[0][3], PHE_WILSON_CASES[1][3]])
    assert high.tolist() == pytest.approx([PHE_WILSON_CASES[0][4], PHE_WILSON_CASES[1][4]])


def test_zero_and_all_successes_reach_the_bounds():
    low, high = wilson_interval([0, 10], [10, 10])
    assert low[0] == 0.0 and high[0] > 0.0
    assert high[1] == pytest.approx(1.0) and low[1] < 1.0


def test_no_interval_without_a_proportion():
    low, high = wilson_interval([3, 12], [0, 10])
    assert np.isnan(low).all() and np.isnan(high).all()
    assert np.isnan(proportion(3, 0)[0])
    assert interval_method([3, 12, 4], [0, 10, 10]).tolist() == [
        NO_DENOMINATOR,
        NOT_A_PROPORTION,
        WILSON,
    ]


@given(
    st.integers(min_value=1, max_value=100_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_interval_holds_the_proportion_within_zero_and_one(pair):
    x, n = pair
    low, high = wilson_interval(x, n)
    p = proportion(x, n)[0]
    assert 0.0 <= low[0] <= p + 1e-12
    assert p - 1e-12 <= high[0] <= 1.0
