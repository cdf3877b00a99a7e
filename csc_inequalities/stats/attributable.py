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

from csc_inequalities.stats.proportions import wilson_interval

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
    lows, highs = wilson_interval(reference_count, observed, confidence)
    low, high = float(lows[0]), float(highs[0])
    return AttributableFraction(
        1.0 - share_of_count / share_of_children,
        1.0 - high / share_of_children,
        1.0 - low / share_of_children,
    )
