"""Proportions with Wilson score intervals, as PHE/OHID Fingertips computes them.

Wilson (1927) score limits, in the closed form PHEindicatormethods uses (``wilson_lower``,
``wilson_upper``): with p = x / n and z the normal quantile,
(2x + z^2 -/+ z * sqrt(z^2 + 4x(1 - p))) / (2(n + z^2)). They stay within 0 and 1 and
behave well for small counts and proportions near 0 or 1, where the normal interval does not.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

WILSON = "Wilson score"
NOT_A_PROPORTION = "numerator above denominator"
NO_DENOMINATOR = "no denominator"


def _as_float(values: ArrayLike) -> np.ndarray:
    """Counts as a float array (scalars become 1-element arrays)."""
    return np.atleast_1d(np.asarray(values, dtype=float))


def proportion(successes: ArrayLike, trials: ArrayLike) -> np.ndarray:
    """x / n; NaN where there is nothing to divide by."""
    x, n = _as_float(successes), _as_float(trials)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, x / n, np.nan)


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper Wilson limits; NaN where n is 0 or x lies outside 0..n (no proportion)."""
    x, n = _as_float(successes), _as_float(trials)
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    valid = (n > 0) & (x >= 0) & (x <= n)
    safe_n = np.where(valid, n, 1.0)
    safe_x = np.where(valid, x, 0.0)
    spread = z * np.sqrt(z**2 + 4.0 * safe_x * (1.0 - safe_x / safe_n))
    lower = (2.0 * safe_x + z**2 - spread) / (2.0 * (safe_n + z**2))
    upper = (2.0 * safe_x + z**2 + spread) / (2.0 * (safe_n + z**2))
    # Clipped: at x = n the upper limit is 1 but can round to 1 + 2e-16.
    lower, upper = np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)
    return np.where(valid, lower, np.nan), np.where(valid, upper, np.nan)


def interval_method(successes: ArrayLike, trials: ArrayLike) -> np.ndarray:
    """Which interval each proportion carries, for tables and methods notes."""
    x, n = _as_float(successes), _as_float(trials)
    methods = np.full(len(x), WILSON, dtype=object)
    methods[x > n] = NOT_A_PROPORTION
    methods[~(n > 0)] = NO_DENOMINATOR
    return methods
