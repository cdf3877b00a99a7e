"""Kitagawa (1955) decomposition of a difference between two crude rates.

Area A's crude rate minus area B's, over groups g with population shares c and group rates r,
splits exactly into a composition effect, the sum of (cA - cB) x (rA + rB) / 2 (how much of
the difference comes from A's people being spread over the groups differently), and a rate
effect, the sum of (rA - rB) x (cA + cB) / 2 (how much comes from different rates within the
groups). A group where A has no people has no rate of its own: it is given B's rate, so it adds
nothing to the rate effect and only its missing share to the composition effect; the two
effects still add up to the difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHOD = (
    "Kitagawa decomposition: the difference between the two crude rates is split exactly into "
    "the part due to the mix of children across deprivation deciles (differences in each "
    "decile's share of children, weighted by the average of the two rates) and the part due "
    "to different rates within deciles (differences in rates, weighted by the average of the "
    "two shares)."
)


@dataclass(frozen=True)
class Decomposition:
    """Crude rates of A and B, their difference, and its composition and rate effects."""

    rate_a: float
    rate_b: float
    difference: float
    composition: float
    rate_effect: float
    composition_by_group: np.ndarray
    rate_by_group: np.ndarray


def shares(population) -> np.ndarray:
    """Each group's share of the population (zeros when there is nobody)."""
    population = np.nan_to_num(np.asarray(population, dtype=float))
    total = population.sum()
    return population / total if total > 0 else np.zeros_like(population)


def kitagawa(shares_a, rates_a, shares_b, rates_b) -> Decomposition:
    """Split crude rate A minus crude rate B into composition and rate effects per group."""
    c_a, c_b = np.asarray(shares_a, dtype=float), np.asarray(shares_b, dtype=float)
    r_b = np.asarray(rates_b, dtype=float)
    r_a = np.where(c_a > 0, np.asarray(rates_a, dtype=float), r_b)
    composition = (c_a - c_b) * (r_a + r_b) / 2.0
    rate_effect = (r_a - r_b) * (c_a + c_b) / 2.0
    crude_a, crude_b = float(np.sum(c_a * r_a)), float(np.sum(c_b * r_b))
    return Decomposition(
        rate_a=crude_a,
        rate_b=crude_b,
        difference=crude_a - crude_b,
        composition=float(composition.sum()),
        rate_effect=float(rate_effect.sum()),
        composition_by_group=composition,
        rate_by_group=rate_effect,
    )
