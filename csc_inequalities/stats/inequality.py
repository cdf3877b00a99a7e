"""Summary measures of the social gradient: SII, RII, rate ratios, share and excess.

SII and RII follow PHE/OHID Fingertips (PHEindicatormethods ``phe_sii``, Low & Low 2004):
groups are ordered from 1 (most deprived) upwards; each gets the midpoint of its range in
the cumulative population distribution (relative rank 0 = most deprived end, 1 = least
deprived end); the group rates are regressed on that rank by least squares weighted by
population share. The SII is the fitted value at rank 1 minus the fitted value at rank 0,
and the RII their ratio (fitted at 1 / fitted at 0). So under PHE's convention a rate that
rises with deprivation has a *negative* SII and an RII below 1. Confidence limits come
from simulation: each group's rate is drawn from a normal distribution with the standard
error implied by its 95% interval, the line is refitted for every draw, and the limits are
percentiles of the simulated SIIs and RIIs (seeded, so results are reproducible).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

from csc_inequalities.stats.attributable import AttributableFraction, attributable_fraction

SII_REPETITIONS = 10_000
SII_SEED = 20_150_331
SII_MINIMUM_GROUPS = 5
Z95 = NormalDist().inv_cdf(0.975)
METHOD = (
    "Slope and relative indices of inequality as in PHE/OHID Fingertips: group rates are "
    "regressed on the population-weighted midpoint rank (0 = most deprived end, 1 = least "
    "deprived end), weighting by population share. The SII is the fitted rate at the least "
    "deprived end minus that at the most deprived end (negative when rates rise with "
    "deprivation); the RII is their ratio. 95% intervals come from "
    f"{SII_REPETITIONS:,} seeded simulations of each group's rate from the standard error "
    "implied by its confidence interval."
)


@dataclass(frozen=True)
class SlopeIndex:
    """SII and RII with simulated intervals, or a reason why they could not be computed."""

    sii: float | None
    sii_lower: float | None
    sii_upper: float | None
    rii: float | None
    rii_lower: float | None
    rii_upper: float | None
    intercept: float | None
    groups: int
    reason: str | None = None


@dataclass(frozen=True)
class Ratio:
    """A ratio with its interval, or None and the reason it is undefined."""

    ratio: float | None
    lower: float | None
    upper: float | None
    reason: str | None = None


@dataclass(frozen=True)
class Share:
    """Share of counted children in the most deprived fifth, and of all children living there."""

    share_of_count: float | None
    share_of_children: float | None
    count: float
    reason: str | None = None


@dataclass(frozen=True)
class Excess:
    """Interventions above what the least deprived fifth's rate would give across the authority."""

    excess: float | None
    expected: float | None
    observed: float
    reason: str | None = None


@dataclass(frozen=True)
class InequalitySummary:
    """Every summary measure for one gradient."""

    slope: SlopeIndex
    ratio_decile: Ratio
    ratio_quintile: Ratio
    share_most_deprived: Share
    excess: Excess
    attributable: AttributableFraction

    def to_dict(self) -> dict:
        """Nested plain values, for JSON output."""
        return asdict(self)


def midpoint_ranks(population: np.ndarray) -> np.ndarray:
    """Population-weighted midpoint rank of each ordered group, between 0 and 1."""
    share = population / population.sum()
    return np.cumsum(share) - share / 2.0


@lru_cache(maxsize=32)
def standard_normal_draws(groups: int, repetitions: int, seed: int) -> np.ndarray:
    """Seeded standard normal draws, made once and reused (read-only) by every simulation."""
    draws = np.random.default_rng(seed).standard_normal((groups, repetitions))
    draws.setflags(write=False)
    return draws


def _fit_weights(population: np.ndarray) -> np.ndarray:
    """The weighted fit as a matrix: its product with group values is (intercept, slope)."""
    sqrt_a = np.sqrt(population / population.sum())
    design = np.column_stack([sqrt_a, midpoint_ranks(population) * sqrt_a])
    return np.linalg.solve(design.T @ design, design.T) * sqrt_a


def slope_index(
    population,
    value,
    lower,
    upper,
    confidence: float = 0.95,
    repetitions: int = SII_REPETITIONS,
    seed: int = SII_SEED,
) -> SlopeIndex:
    """SII and RII of values for groups ordered from most deprived, with simulated limits."""
    population = np.asarray(population, dtype=float)
    value = np.asarray(value, dtype=float)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    usable = (population > 0) & np.isfinite(value) & np.isfinite(lower) & np.isfinite(upper)
    groups = int(usable.sum())
    if groups < SII_MINIMUM_GROUPS:
        return SlopeIndex(
            None, None, None, None, None, None, None, groups,
            f"it needs at least {SII_MINIMUM_GROUPS} groups with children and there are {groups}",
        )  # fmt: skip
    population, value = population[usable], value[usable]
    se = (upper[usable] - lower[usable]) / (2.0 * Z95)
    weights = _fit_weights(population)
    fitted = weights @ value
    intercept, sii = fitted
    # The fit is linear, so the fits of the simulated values (value + se x draw per group) are
    # the fit of the values plus the fit of the scaled draws: no table of simulated values.
    simulated = fitted[:, None] + (weights * se) @ standard_normal_draws(groups, repetitions, seed)
    sim_intercept, sim_sii = simulated
    tail = (1.0 - confidence) / 2.0
    sii_lower, sii_upper = np.quantile(sim_sii, [tail, 1.0 - tail])
    if intercept <= 0:
        return SlopeIndex(
            float(sii), float(sii_lower), float(sii_upper), None, None, None, float(intercept),
            groups, "the fitted rate at the most deprived end is not above zero, so no RII",
        )  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        sim_rii = (sim_intercept + sim_sii) / sim_intercept
    rii_lower, rii_upper = np.nanquantile(sim_rii, [tail, 1.0 - tail])
    return SlopeIndex(
        float(sii), float(sii_lower), float(sii_upper),
        float((intercept + sii) / intercept), float(rii_lower), float(rii_upper),
        float(intercept), groups,
    )  # fmt: skip


def slope_index_of_table(
    table: pd.DataFrame | Mapping[str, np.ndarray], confidence: float = 0.95
) -> SlopeIndex:
    """SII and RII of a gradient table's rates (none when nothing was counted).

    The table may be a mapping of column arrays, so a long table's groups need no frames.
    """
    if not table["count"].sum() > 0:
        groups = int((table["children"] > 0).sum())
        return SlopeIndex(
            None, None, None, None, None, None, None, groups, "no children were counted"
        )
    return slope_index(
        table["children"],
        table["rate_per_10000"],
        table["lower_95ci"],
        table["upper_95ci"],
        confidence=confidence,
    )


def rate_ratio(
    count_a: float,
    children_a: float,
    count_b: float,
    children_b: float,
    confidence: float = 0.95,
) -> Ratio:
    """Ratio of rate a to rate b with a log-method interval (SE = sqrt(1/a + 1/b))."""
    if children_a <= 0 or children_b <= 0:
        return Ratio(None, None, None, "one of the groups has no children in this authority")
    if count_b <= 0:
        return Ratio(None, None, None, "no children were counted in the comparison group")
    if count_a <= 0:
        return Ratio(0.0, None, None, "no children were counted in the most deprived group")
    ratio = (count_a / children_a) / (count_b / children_b)
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    spread = z * np.sqrt(1.0 / count_a + 1.0 / count_b)
    return Ratio(float(ratio), float(ratio * np.exp(-spread)), float(ratio * np.exp(spread)))


def _end_ratio(table: pd.DataFrame, confidence: float) -> Ratio:
    """Ratio of the first (most deprived) to the last (least deprived) group's rate."""
    first, last = table.iloc[0], table.iloc[-1]
    return rate_ratio(
        first["count"], first["children"], last["count"], last["children"], confidence
    )


def share_most_deprived(quintiles: pd.DataFrame) -> Share:
    """Share of counted children living in quintile 1, beside quintile 1's share of children."""
    total_count, total_children = quintiles["count"].sum(), quintiles["children"].sum()
    first = quintiles.iloc[0]
    share_children = first["children"] / total_children if total_children > 0 else None
    if total_count <= 0:
        return Share(None, share_children, 0.0, "no children were counted")
    return Share(float(first["count"] / total_count), share_children, float(first["count"]))


def excess_above_least_deprived(quintiles: pd.DataFrame) -> Excess:
    """Observed count minus the count if every child had the least deprived quintile's rate.

    Summed over the authority (groups with rates below the least deprived one offset the
    others), and floored at zero: a negative total means no excess.
    """
    observed = float(quintiles["count"].sum())
    least = quintiles.iloc[-1]
    if least["children"] <= 0:
        return Excess(
            None, None, observed, "the authority has no children in the least deprived fifth"
        )
    rate = least["count"] / least["children"]
    expected = float(quintiles["children"].sum() * rate)
    reason = None
    if least["count"] <= 0:
        reason = "no children were counted in the least deprived fifth, so all count as excess"
    return Excess(max(observed - expected, 0.0), expected, observed, reason)


def attributable_to_deprivation(
    quintiles: pd.DataFrame, confidence: float = 0.95
) -> AttributableFraction:
    """The excess as a share of the count, with its interval (the PAF beside the excess)."""
    least = quintiles.iloc[-1]
    return attributable_fraction(
        float(quintiles["count"].sum()),
        float(quintiles["children"].sum()),
        float(least["count"]),
        float(least["children"]),
        confidence,
    )


def summarise(
    deciles: pd.DataFrame, quintiles: pd.DataFrame, confidence: float = 0.95
) -> InequalitySummary:
    """Every summary measure from the decile and quintile gradient tables."""
    return InequalitySummary(
        slope=slope_index_of_table(deciles, confidence),
        ratio_decile=_end_ratio(deciles, confidence),
        ratio_quintile=_end_ratio(quintiles, confidence),
        share_most_deprived=share_most_deprived(quintiles),
        excess=excess_above_least_deprived(quintiles),
        attributable=attributable_to_deprivation(quintiles, confidence),
    )


def summary_rows(summary: InequalitySummary) -> pd.DataFrame:
    """One row per summary measure: value, interval and (when undefined) the reason."""
    slope, share, excess = summary.slope, summary.share_most_deprived, summary.excess
    paf = summary.attributable
    rows = [
        ("slope index of inequality (SII)", slope.sii, slope.sii_lower, slope.sii_upper,
         slope.reason),
        ("relative index of inequality (RII)", slope.rii, slope.rii_lower, slope.rii_upper,
         slope.reason),
        ("rate ratio, most / least deprived decile", summary.ratio_decile.ratio,
         summary.ratio_decile.lower, summary.ratio_decile.upper, summary.ratio_decile.reason),
        ("rate ratio, most / least deprived quintile", summary.ratio_quintile.ratio,
         summary.ratio_quintile.lower, summary.ratio_quintile.upper, summary.ratio_quintile.reason),
        ("share of counted children in the most deprived fifth", share.share_of_count, None, None,
         share.reason),
        ("share of all children in the most deprived fifth", share.share_of_children, None, None,
         None),
        ("excess above the least deprived fifth's rate", excess.excess, None, None, excess.reason),
        ("share of the count above the least deprived fifth's rate (PAF)", paf.fraction,
         paf.lower, paf.upper, paf.reason),
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=["measure", "value", "lower", "upper", "note"])
    for column in ("value", "lower", "upper"):
        table[column] = table[column].astype(float).round(4)
    table["note"] = table["note"].fillna("")
    return table
