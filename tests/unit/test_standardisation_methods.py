"""Indirect standardisation, Kitagawa decomposition, attributable fraction and funnel limits,
each against a published worked example or a case worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from csc_inequalities.stats.attributable import attributable_fraction
from csc_inequalities.stats.decomposition import kitagawa, shares
from csc_inequalities.stats.funnel import (
    HIGH_95,
    HIGH_998,
    LOW_95,
    LOW_998,
    WITHIN,
    funnel_position,
    limit_counts,
    ratio_limits,
)
from csc_inequalities.stats.inequality import attributable_to_deprivation
from csc_inequalities.stats.rates import BYARS, EXACT
from csc_inequalities.stats.standardisation import (
    expected_count,
    standardised_ratio,
    standardised_ratios,
)

# PHEindicatormethods tests/testthat, testdata_DSR_ISR.xlsx, sheet testdata_multiarea_isr:
# local population per age band (the same for testdata_big, _small and _tiny) and the reference
# counts and populations (sheet refdata). The 10-14 band has a reference count of 0.
LOCAL_POPULATION = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576,
                    606, 522, 426, 273, 300, 288, 153, 123, 207]  # fmt: skip
REFERENCE_COUNT = [10303, 2824, 0, 3615, 3641, 3490, 3789, 3213, 3031, 2771,
                   3089, 3490, 3595, 4745, 5514, 7125, 5694, 6210, 5757]  # fmt: skip
REFERENCE_POPULATION = [50520, 57173, 60213, 54659, 44345, 50128, 62163, 67423, 62899, 55463,
                        60479, 49974, 44140, 40888, 37239, 30819, 18136, 15325, 13918]  # fmt: skip
# Sheet testresults_ISR, rows 7-9 (ratio x 1; the digits from rows 10-12, ratio x 100, which
# keep more figures for the small ratios): observed, ratio, 95% and 99.8% limits, method.
PHE_ISR_CASES = [
    ("testdata_big", 895, 1.07072329, 1.00171477, 1.14323329, 0.96351556, 1.18600704, BYARS),
    ("testdata_small", 91, 0.10886684, 0.08765040, 0.13366576, 0.07695426, 0.14897921, BYARS),
    ("testdata_tiny", 9, 0.01076705, 0.00492338, 0.02043921, 0.00293393, 0.02710590, EXACT),
]
PHE_EXPECTED = 835.883561


def test_expected_count_matches_phe():
    rates = np.array(REFERENCE_COUNT) / np.array(REFERENCE_POPULATION)
    assert expected_count(LOCAL_POPULATION, rates) == pytest.approx(PHE_EXPECTED, rel=1e-8)


@pytest.mark.parametrize(
    ("area", "observed", "ratio", "lo95", "hi95", "lo998", "hi998", "method"), PHE_ISR_CASES
)
def test_standardised_ratio_matches_phe(area, observed, ratio, lo95, hi95, lo998, hi998, method):
    rates = np.array(REFERENCE_COUNT) / np.array(REFERENCE_POPULATION)
    result = standardised_ratio(observed, expected_count(LOCAL_POPULATION, rates))
    assert result.ratio == pytest.approx(ratio, rel=1e-5), area
    assert (result.lower_95, result.upper_95) == pytest.approx((lo95, hi95), rel=1e-5)
    assert (result.lower_998, result.upper_998) == pytest.approx((lo998, hi998), rel=1e-5)
    assert result.method == method


def test_many_ratios_at_once_match_the_single_ratio():
    ratios = standardised_ratios([895, 9, 4], [PHE_EXPECTED, PHE_EXPECTED, 0.0])
    assert ratios["ratio"][:2] == pytest.approx([1.07072329, 0.01076705], rel=1e-6)
    assert ratios["ratio_lower"][:2] == pytest.approx([1.00171477, 0.00492338], rel=1e-6)
    assert np.isnan(ratios["ratio"][2])


def test_nothing_expected_gives_a_reason_not_a_ratio():
    result = standardised_ratio(3, 0.0)
    assert result.ratio is None and "no events are expected" in result.reason


def test_strata_without_people_add_nothing_to_the_expected_count():
    assert expected_count([100, 0, np.nan], [0.5, np.nan, 0.2]) == pytest.approx(50.0)


# The Kitagawa example worked by hand in ../shared/methods/README.md: rates per 10,000 in three
# deprivation groups for areas A and B.
POPULATION_A, EVENTS_A = [5_000, 3_000, 2_000], [50, 15, 4]
POPULATION_B, EVENTS_B = [2_000, 3_000, 5_000], [30, 12, 5]


def _rates(events, population):
    return np.array(events) / np.array(population) * 10_000


def test_kitagawa_matches_the_worked_example():
    result = kitagawa(
        shares(POPULATION_A),
        _rates(EVENTS_A, POPULATION_A),
        shares(POPULATION_B),
        _rates(EVENTS_B, POPULATION_B),
    )
    assert (result.rate_a, result.rate_b) == pytest.approx((69.0, 47.0))
    assert result.difference == pytest.approx(22.0)
    assert result.composition == pytest.approx(33.0)
    assert result.rate_effect == pytest.approx(-11.0)
    assert result.composition + result.rate_effect == pytest.approx(result.difference)


def test_worked_example_standardised_ratio_against_b():
    expected = expected_count(POPULATION_A, _rates(EVENTS_B, POPULATION_B), per=10_000)
    assert expected == pytest.approx(89.0)
    assert standardised_ratio(69, expected).ratio == pytest.approx(0.775, abs=5e-4)


def test_a_group_without_people_in_a_still_adds_up():
    result = kitagawa([0.6, 0.4, 0.0], [80.0, 40.0, np.nan], [0.2, 0.3, 0.5], [90.0, 50.0, 10.0])
    assert result.rate_effect == pytest.approx((80 - 90) * 0.4 + (40 - 50) * 0.35)
    assert result.composition + result.rate_effect == pytest.approx(result.difference)
    assert result.difference == pytest.approx(64.0 - (18 + 15 + 5))


def test_attributable_fraction_worked_by_hand():
    # 200 counted among 10,000 children; 10 of them among the 2,000 in the least deprived
    # fifth (s = 0.2, p = 0.05): PAF = 1 - 0.05 / 0.2 = 0.75. Wilson 95% for 10/200:
    # z = 1.959964, (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - p))) / (2(n + z^2))
    # = (23.841 -/+ 12.9250) / 407.683 = 0.027383 to 0.089578, so the PAF's limits are
    # 1 - 0.089578 / 0.2 = 0.5521 and 1 - 0.027383 / 0.2 = 0.8631.
    result = attributable_fraction(200, 10_000, 10, 2_000)
    assert result.fraction == pytest.approx(0.75)
    assert (result.lower, result.upper) == pytest.approx((0.5521, 0.8631), abs=1e-4)


def test_attributable_fraction_undefined_cases_say_why():
    assert "least deprived" in attributable_fraction(10, 1_000, 0, 0).reason
    assert attributable_fraction(0, 1_000, 0, 200).fraction is None


def test_attributable_fraction_of_quintiles_is_the_excess_share():
    import pandas as pd

    quintiles = pd.DataFrame({"count": [60.0, 50.0, 40.0, 40.0, 10.0], "children": [2_000.0] * 5})
    result = attributable_to_deprivation(quintiles)
    assert result.fraction == pytest.approx((200 - 10_000 * 10 / 2_000) / 200)


# testdata_funnel_ratio_outputs.csv (PHEindicatormethods calculate_funnel_limits, ratio):
# for a number of observed events, the expected events at which that count sits on each limit.
FUNNEL_OUTPUT_ROWS = [
    # observed, lower 2s expected, upper 2s expected, lower 3s expected, upper 3s expected
    (1, 5.571644585, 0.025317898, 9.233410143, 0.001000547),
    (10, 18.390358, 4.795388, 24.133972, 2.960520),
    (76, 95.125344, 59.879360, 106.986561, 51.879107),
    (716, 770.422213, 664.508301, 802.604140, 636.152117),
]


@pytest.mark.parametrize(("observed", "lo2", "hi2", "lo3", "hi3"), FUNNEL_OUTPUT_ROWS)
def test_funnel_limits_match_phe(observed, lo2, hi2, lo3, hi3):
    assert limit_counts(lo2, 0.95)[0][0] == pytest.approx(observed, abs=2e-4)
    assert limit_counts(hi2, 0.95)[1][0] == pytest.approx(observed, abs=2e-4)
    assert limit_counts(lo3, 0.998)[0][0] == pytest.approx(observed, abs=2e-4)
    assert limit_counts(hi3, 0.998)[1][0] == pytest.approx(observed, abs=2e-4)
    # The same points as ratios (the file's *_isr columns are ratio x 100).
    assert ratio_limits(lo2)[0][0] == pytest.approx(observed / lo2, rel=1e-5)


# testdata_funnel_ratio_inputs.csv: observed, expected and PHE's significance label.
FUNNEL_INPUT_ROWS = [
    (8, 6.239860227, WITHIN),
    (151, 106.4429719, HIGH_998),
    (159, 232.9329036, LOW_998),
    (191, 184.0963855, WITHIN),
]


def test_funnel_positions_match_phe():
    observed, expected, labels = zip(*FUNNEL_INPUT_ROWS, strict=True)
    assert list(funnel_position(observed, expected)) == list(labels)


def test_funnel_positions_at_95_only():
    lower, upper = limit_counts(100.0, 0.95)
    between = (upper[0] + limit_counts(100.0, 0.998)[1][0]) / 2
    assert list(funnel_position([between, lower[0] - 0.5], [100.0, 100.0])) == [HIGH_95, LOW_95]
    assert funnel_position([0], [20.0])[0] == LOW_998
    assert funnel_position([3], [0.0])[0] is None


def test_funnel_narrows_as_expected_counts_grow():
    lower, upper = ratio_limits([5.0, 50.0, 500.0])
    assert np.all(np.diff(upper) < 0) and np.all(np.diff(lower) > 0)
    assert np.all(lower < 1) and np.all(upper > 1)
