"""Stable small-area rates: empirical Bayes smoothing towards the authority rate.

Marshall (1991) global empirical Bayes estimator, Poisson-gamma model with method-of-moments
estimates: with the authority rate m, the population-weighted variance of LSOA rates s2 and
mean LSOA population n, the between-area variance is A = s2 - m / n (0 if negative), and each
LSOA's rate r_i is shrunk to m + C_i (r_i - m) with C_i = A / (A + m / n_i). LSOAs with few
children or few events move most towards the authority rate.
"""

from __future__ import annotations

import numpy as np

from csc_inequalities.stats.rates import PER

SMALL_COUNT_THRESHOLD = 10
METHOD = (
    "Smoothed rates use empirical Bayes shrinkage (Marshall 1991): each neighbourhood's rate "
    "is pulled towards the authority's overall rate, more strongly where it rests on few "
    "children or few events, so chance highs and lows on small numbers do not dominate the map."
)


def empirical_bayes_rates(count, population, per: float = PER) -> np.ndarray:
    """Smoothed rate per ``per`` for each area (NaN where the area has no children)."""
    count = np.asarray(count, dtype=float)
    population = np.asarray(population, dtype=float)
    has_children = population > 0
    result = np.full(count.shape, np.nan)
    if not has_children.any():
        return result
    counts, people = count[has_children], population[has_children]
    mean_rate = counts.sum() / people.sum()
    raw = counts / people
    spread = np.sum(people * (raw - mean_rate) ** 2) / people.sum()
    between = max(spread - mean_rate / people.mean(), 0.0)
    weight = between / (between + mean_rate / people) if between > 0 else np.zeros_like(raw)
    result[has_children] = (mean_rate + weight * (raw - mean_rate)) * per
    return result


def below_threshold(count, threshold: int = SMALL_COUNT_THRESHOLD) -> np.ndarray:
    """True for areas whose count is under the threshold, so their raw rate is unstable."""
    return np.asarray(count, dtype=float) < threshold
