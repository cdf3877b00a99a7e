"""Empirical Bayes smoothing of LSOA rates (Marshall 1991), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csc_inequalities.stats.smoothing import below_threshold, empirical_bayes_rates


def test_marshall_estimator_by_hand():
    # m = 10/2000; s2 = 2.5e-5; A = s2 - m/1000 = 2e-5; C = 2e-5 / (2e-5 + 5e-6) = 0.8.
    smoothed = empirical_bayes_rates([0, 10], [1000, 1000])
    assert smoothed == pytest.approx([10.0, 90.0])


def test_no_extra_variation_shrinks_every_area_to_the_authority_rate():
    smoothed = empirical_bayes_rates([1, 1, 2], [1000, 1000, 1000])
    assert smoothed == pytest.approx([13.333333] * 3)


def test_smoothed_rates_lie_between_raw_and_authority_rates():
    rng = np.random.default_rng(5)
    population = rng.integers(100, 800, 200).astype(float)
    count = rng.poisson(population * 0.01 * rng.uniform(0.2, 3, 200))
    raw = count / population * 10_000
    mean = count.sum() / population.sum() * 10_000
    smoothed = empirical_bayes_rates(count, population)
    assert np.all(np.minimum(raw, mean) - 1e-9 <= smoothed)
    assert np.all(smoothed <= np.maximum(raw, mean) + 1e-9)


def test_areas_without_children_get_no_rate_and_all_zero_counts_work():
    smoothed = empirical_bayes_rates([0, 0, 0], [0, 100, 200])
    assert math.isnan(smoothed[0]) and smoothed[1:] == pytest.approx([0.0, 0.0])
    assert below_threshold([0, 9, 10]).tolist() == [True, True, False]
