"""Indirectly standardised ratios: observed events against those expected from reference rates.

As PHE/OHID Fingertips computes them (PHEindicatormethods ``calculate_ISRatio``): the expected
count is the sum over strata (here deprivation deciles) of the local population times the
reference rate, the ratio is observed / expected, and its limits are the observed count's
limits (Byar's from 10 events, exact Poisson below) divided by the expected count, which is
treated as known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csc_inequalities.stats.rates import count_interval, interval_method

METHOD = (
    "Indirect standardisation: the count expected if the children of each deprivation decile "
    "had the reference rate of that decile (the sum of children times reference rate), against "
    "the count observed. The ratio's limits are the observed count's Byar's limits (exact "
    "Poisson below 10 events) divided by the expected count."
)


@dataclass(frozen=True)
class StandardisedRatio:
    """Observed against expected, with 95% and 99.8% limits, or a reason there is no ratio."""

    observed: float
    expected: float
    ratio: float | None
    lower_95: float | None
    upper_95: float | None
    lower_998: float | None
    upper_998: float | None
    method: str
    reason: str | None = None


def expected_count(population, reference_rate, per: float = 1.0) -> float:
    """Sum of population x reference rate (rates per ``per``); strata with no people add 0."""
    population = np.asarray(population, dtype=float)
    rate = np.asarray(reference_rate, dtype=float)
    has_people = np.nan_to_num(population) > 0
    return float(np.sum(np.where(has_people, population * rate, 0.0)) / per)


def standardised_ratio(observed: float, expected: float) -> StandardisedRatio:
    """Observed / expected with the count's limits divided by the expected count."""
    observed, expected = float(observed), float(expected)
    method = str(interval_method(observed)[0])
    if not np.isfinite(expected) or expected <= 0:
        return StandardisedRatio(
            observed, expected, None, None, None, None, None, method,
            "no events are expected (no children, or reference rates of zero)",
        )  # fmt: skip
    lower_95, upper_95 = count_interval(observed, 0.95)
    lower_998, upper_998 = count_interval(observed, 0.998)
    return StandardisedRatio(
        observed, expected, observed / expected,
        float(lower_95[0] / expected), float(upper_95[0] / expected),
        float(lower_998[0] / expected), float(upper_998[0] / expected), method,
    )  # fmt: skip


def standardised_ratios(observed, expected) -> dict[str, np.ndarray]:
    """Ratios and 95% limits for many areas at once (NaN where nothing is expected)."""
    observed = np.asarray(observed, dtype=float)
    expected = np.asarray(expected, dtype=float)
    lower, upper = count_interval(observed, 0.95)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(expected > 0, 1.0 / expected, np.nan)
    return {
        "ratio": observed * scale,
        "ratio_lower": lower * scale,
        "ratio_upper": upper * scale,
    }
