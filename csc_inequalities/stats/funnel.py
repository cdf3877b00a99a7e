"""Funnel-plot control limits for ratios of observed to expected events (Spiegelhalter 2005).

As PHEindicatormethods ``calculate_funnel_limits(statistic = "ratio")`` draws them, from exact
Poisson limits for every count: with E expected events, the lower 95% limit is the count O
at which E is O's exact upper 95% limit (P(X <= O | E) = 0.025, O treated as continuous) and
the upper limit the count at which E is its exact lower limit (P(X >= O | E) = 0.025). The
limits on the ratio are those counts divided by E. The 99.8% limits ("3 sigma") use 0.001 in
each tail. A point beyond a limit is flagged as PHE labels it: High or Low (0.025) outside
the 95% limits, (0.001) outside the 99.8% limits.
"""

from __future__ import annotations

import numpy as np

HIGH_998 = "High (0.001)"
HIGH_95 = "High (0.025)"
LOW_998 = "Low (0.001)"
LOW_95 = "Low (0.025)"
WITHIN = "Not significant"
METHOD = (
    "Funnel plot of standardised ratios against expected counts: control limits at 95% and "
    "99.8% from exact Poisson limits (Spiegelhalter 2005; PHE's funnel plot method), around "
    "a ratio of 1. With many areas about 1 in 20 lies outside the 95% limits by chance alone."
)


def limit_counts(expected, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits as observed counts for each expected count."""
    from scipy.special import gdtrib  # inverse of the gamma CDF in its shape, on first use

    expected = np.atleast_1d(np.asarray(expected, dtype=float))
    tail = (1.0 - confidence) / 2.0
    safe = np.where(expected > 0, expected, np.nan)
    # gdtrib(1, p, E) is the shape a with P(a, E) = p (regularised lower incomplete gamma).
    lower = np.clip(gdtrib(1.0, 1.0 - tail, safe) - 1.0, 0.0, None)
    upper = gdtrib(1.0, tail, safe)
    return lower, upper


def ratio_limits(expected, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits on the ratio observed / expected at each expected count."""
    expected = np.atleast_1d(np.asarray(expected, dtype=float))
    lower, upper = limit_counts(expected, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lower / expected, upper / expected


def funnel_limits(expected) -> dict[str, np.ndarray]:
    """The 95% and 99.8% limits as counts ('lower_95', 'upper_95', ...) for expected counts."""
    lower_95, upper_95 = limit_counts(expected, 0.95)
    lower_998, upper_998 = limit_counts(expected, 0.998)
    return {
        "lower_95": lower_95,
        "upper_95": upper_95,
        "lower_998": lower_998,
        "upper_998": upper_998,
    }


def position_against(observed, expected, limits: dict[str, np.ndarray]) -> np.ndarray:
    """PHE's significance label for each point, against limits from funnel_limits."""
    observed = np.atleast_1d(np.asarray(observed, dtype=float))
    expected = np.atleast_1d(np.asarray(expected, dtype=float))
    labels = np.full(len(observed), WITHIN, dtype=object)
    labels[observed < limits["lower_95"]] = LOW_95
    labels[observed < limits["lower_998"]] = LOW_998
    labels[observed > limits["upper_95"]] = HIGH_95
    labels[observed > limits["upper_998"]] = HIGH_998
    labels[~(expected > 0)] = None
    return labels


def funnel_position(observed, expected) -> np.ndarray:
    """PHE's significance label for each point against the 95% and 99.8% limits."""
    return position_against(observed, expected, funnel_limits(expected))
