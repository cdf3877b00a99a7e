"""Rates per 10,000 children with confidence intervals, as PHE/OHID Fingertips computes them.

Byar's approximation (Breslow & Day 1987) for 10 or more events, the exact Poisson interval
(chi-square quantiles) below 10; a count of zero has lower limit 0. Matches
PHEindicatormethods ``phe_rate``.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

PER = 10_000
BYARS_MINIMUM = 10
BYARS = "Byar's"
EXACT = "exact Poisson"
NO_CHILDREN = "no children"


def _as_float(values) -> np.ndarray:
    """Counts or populations as a float array (scalars become 1-element arrays)."""
    return np.atleast_1d(np.asarray(values, dtype=float))


def rate_per_10000(count, population, per: float = PER) -> np.ndarray:
    """Events per ``per`` people; NaN where the population is zero or missing."""
    count, population = _as_float(count), _as_float(population)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(population > 0, count / population * per, np.nan)


def count_interval(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper confidence limits for Poisson counts."""
    count = _as_float(count)
    alpha = 1.0 - confidence
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    safe = np.where(count > 0, count, 1.0)
    byars_lower = safe * (1.0 - 1.0 / (9.0 * safe) - z / (3.0 * np.sqrt(safe))) ** 3
    byars_upper = (count + 1.0) * (
        1.0 - 1.0 / (9.0 * (count + 1.0)) + z / (3.0 * np.sqrt(count + 1.0))
    ) ** 3
    # Exact Poisson limits: chi2.ppf(q, 2k) / 2 is the inverse regularised gamma function at
    # (k, q). scipy.special is imported on first use and is a fifth of scipy.stats' memory.
    from scipy.special import gammaincinv

    exact_lower = np.where(count > 0, gammaincinv(safe, alpha / 2.0), 0.0)
    exact_upper = gammaincinv(count + 1.0, 1.0 - alpha / 2.0)
    byars = count >= BYARS_MINIMUM
    return np.where(byars, byars_lower, exact_lower), np.where(byars, byars_upper, exact_upper)


def rate_interval(
    count, population, confidence: float = 0.95, per: float = PER
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper confidence limits of rates per ``per``; NaN where population is zero."""
    lower, upper = count_interval(count, confidence)
    population = _as_float(population)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(population > 0, per / population, np.nan)
    return lower * scale, upper * scale


def interval_method(count, population=None) -> np.ndarray:
    """Which interval each rate carries, for tables and methods notes."""
    count = _as_float(count)
    methods = np.where(count >= BYARS_MINIMUM, BYARS, EXACT).astype(object)
    if population is not None:
        methods[~(_as_float(population) > 0)] = NO_CHILDREN
    return methods
