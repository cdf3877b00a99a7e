"""Population attributable fraction: the share of events above the least deprived rate.

PAF = (O - E) / O, where O is the count observed across the authority and E the count if every
child had the least deprived group's rate (E = N x O_ref / N_ref). Written with the reference
group's share of the events, p = O_ref / O, and of the children, s = N_ref / N, it is
PAF = 1 - p / s. Conditional on the total count, O_ref is binomial with O trials, so the
Wilson score interval of p (the closed form PHE/OHID uses) gives the PAF's interval through
1 - p / s, with the children treated as known, as they are for every rate here.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

METHOD = (
    "Population attributable fraction: the share of the counted children above the number "
    "expected if every child had the least deprived fifth's rate, (observed - expected) / "
    "observed. Its 95% interval comes from the Wilson score interval of the least deprived "
    "fifth's share of the count (binomial given the total), divided by its share of children."
)


@dataclass(frozen=True)
class AttributableFraction:
    """The PAF with its interval, or None and the reason it is undefined."""

    fraction: float | None
    lower: float | None
    upper: float | None
    reason: str | None = None


def wilson_limits(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score limits of a proportion (PHEindicatormethods' closed form)."""
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    x, n = float(successes), float(trials)
    spread = z * np.sqrt(z**2 + 4.0 * x * (1.0 - x / n))
    lower = (2.0 * x + z**2 - spread) / (2.0 * (n + z**2))
    upper = (2.0 * x + z**2 + spread) / (2.0 * (n + z**2))
    return float(max(lower, 0.0)), float(min(upper, 1.0))


def attributable_fraction(
    observed: float,
    children: float,
    reference_count: float,
    reference_children: float,
    confidence: float = 0.95,
) -> AttributableFraction:
    """PAF against the reference (least deprived) group's rate, with a Wilson-based interval."""
    if reference_children <= 0 or children <= 0:
        return AttributableFraction(
            None, None, None, "the authority has no children in the least deprived fifth"
        )
    if observed <= 0:
        return AttributableFraction(None, None, None, "no children were counted")
    share_of_children = reference_children / children
    share_of_count = reference_count / observed
    low, high = wilson_limits(reference_count, observed, confidence)
    return AttributableFraction(
        1.0 - share_of_count / share_of_children,
        1.0 - high / share_of_children,
        1.0 - low / share_of_children,
    )
