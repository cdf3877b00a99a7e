"""How much of an authority's difference from England is its deprivation, how much its practice.

The authority's count is set against the count expected if its children had England's rate
for their neighbourhood's national IMD decile (indirect standardisation), and the difference
between its rate and England's is split into the part due to its mix of neighbourhoods and
the part due to different rates within deciles (Kitagawa). England's decile rates are not
published: unless the user gives a reference gradient, they are estimated as the shape of the
Child Welfare Inequalities Project's 2015 gradient scaled to DfE's England rate for the measure.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.context.official_measures import ENGLAND_CODE, official_measure_for
from csc_inequalities.context.official_rates import official_rates
from csc_inequalities.records.intake import NOTHING_USED
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.deprivation import labels_for_size
from csc_inequalities.results.gradient import CWIP_NOTE, with_rates
from csc_inequalities.results.measures import Measure
from csc_inequalities.stats.attributable import METHOD as PAF_METHOD
from csc_inequalities.stats.attributable import AttributableFraction
from csc_inequalities.stats.decomposition import METHOD as KITAGAWA_METHOD
from csc_inequalities.stats.decomposition import Decomposition, kitagawa, shares
from csc_inequalities.stats.standardisation import METHOD as ISR_METHOD
from csc_inequalities.stats.standardisation import (
    StandardisedRatio,
    expected_count,
    standardised_ratio,
)

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

DECILES = np.arange(1, 11)
_CWIP_COLUMNS = {"CPP": "cpp_rate_per_10000", "CLA": "cla_rate_per_10000"}
DECILE_COLUMNS = [
    "decile",
    "group_label",
    "children",
    "share_of_children",
    "england_share_of_children",
    "count",
    "rate_per_10000",
    "lower_95ci",
    "upper_95ci",
    "reference_rate",
    "expected",
]
DECILE_NOTE = (
    "Deprivation here is always the national Index of Multiple Deprivation decile of each "
    "neighbourhood (1 = most deprived 10% in England), whatever decile type is chosen for the "
    "gradient, because England's reference gradient is by national IMD decile."
)


@dataclass(frozen=True)
class ReferenceGradient:
    """England's (or a user's) rate per 10,000 for each national decile, and where it comes from."""

    rates: pd.DataFrame
    label: str
    sentence: str
    note: str
    estimate: bool


@dataclass(frozen=True)
class Standardisation:
    """Observed against expected, the decomposition and the attributable fraction, in one place."""

    la_code: str
    la_name: str
    measure: Measure
    imd_year: int
    reference: ReferenceGradient | None
    reason: str | None
    deciles: pd.DataFrame
    ratio: StandardisedRatio | None
    decomposition: Decomposition | None
    attributable: AttributableFraction
    sentences: dict[str, str]
    notes: tuple[str, ...]
    # Whether the decile table is the gradient's own (national IMD deciles were chosen).
    same_groups_as_gradient: bool

    @property
    def reference_is_estimate(self) -> bool:
        """Whether the reference rates are the CWIP-shaped estimate (so the text says so)."""
        return self.reference is not None and self.reference.estimate

    @property
    def reference_label(self) -> str:
        """What the authority is compared with, or why nothing is (for tables and charts)."""
        return self.reference.label if self.reference is not None else "no reference rates"


@functools.lru_cache(maxsize=8)
def england_children_by_decile(store: Store, imd_year: int) -> np.ndarray:
    """Children aged 0-17 in each national IMD decile of England (the reference population)."""
    lsoas = store.lsoas(imd_year)
    deciles = lsoas["imd_decile"].to_numpy(dtype=int)
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    return np.bincount(deciles, weights=children, minlength=11)[1:]


def _england_rate(
    store: Store, measure: Measure
) -> tuple[float, int, str] | tuple[None, None, str]:
    """DfE's England rate for the measure: the measure's year if published, else the latest."""
    official = official_measure_for(measure.intervention, measure.count_kind)
    if official is None:
        return None, None, f"DfE publishes no England figure for {measure.noun()}"
    rates = official_rates(store, official.key)
    england = rates[(rates["area_code"] == ENGLAND_CODE) & rates["rate_per_10000"].notna()]
    if england.empty:
        return None, None, f"the store holds no England figure for {official.label.lower()}"
    chosen = england[england["year"] == measure.year]
    row = (chosen if len(chosen) else england.sort_values("year")).iloc[-1]
    exact = row["count"] / row["population"] * 10_000 if row["population"] > 0 else math.nan
    rate = float(exact if math.isfinite(exact) else row["rate_per_10000"])
    return rate, int(row["year"]), official.label


@functools.lru_cache(maxsize=64)
def england_reference(store: Store, measure: Measure, imd_year: int) -> ReferenceGradient | str:
    """England's estimated decile rates for a measure, or the reason there are none."""
    intervention, count_kind = measure.intervention, measure.count_kind
    column = _CWIP_COLUMNS.get(intervention)
    if not measure.who.everyone:
        # CWIP's gradient and DfE's England rate count every child aged 0-17: comparing a
        # filtered count with them would mix one age and sex make-up with another.
        return (
            f"England's rates by decile are known only for all children aged 0-17, not for "
            f"{measure.who.people()}: choose all ages and both sexes, or upload a reference "
            "gradient (decile, rate) for these children"
        )
    if column is None:
        return (
            "the Child Welfare Inequalities Project published no gradient for children in "
            "need, so England's rates by decile cannot be estimated: upload a reference "
            "gradient (decile, rate) to standardise"
        )
    rate, year_used, label = _england_rate(store, measure)
    if rate is None or year_used is None:
        return (
            f"{label}, so England's rates by decile cannot be estimated: upload a reference "
            "gradient (decile, rate) to standardise"
        )
    cwip = store.cwip
    shape = cwip[cwip["country"] == "England"].sort_values("decile")[column].to_numpy(float)
    weights = shares(england_children_by_decile(store, imd_year))
    rates = shape * rate / float(np.sum(weights * shape))
    shape_of = (
        "children looked after at 31 March"
        if intervention == "CLA"
        else "child protection plans at 31 March"
    )
    starts = (
        f" (CWIP published only the gradient of {shape_of}: the rate of starts is assumed to "
        "follow the same shape)"
        if count_kind == "starts"
        else ""
    )
    return ReferenceGradient(
        rates=pd.DataFrame({"decile": DECILES, "rate_per_10000": rates}),
        label="England (estimated)",
        sentence=(
            "England's rates by decile are estimated: the Child Welfare Inequalities Project's "
            f"2015 gradient scaled to DfE's England rate for {year_used - 1}/{year_used % 100:02d}"
            f" ({rate:.1f} per 10,000)."
        ),
        note=(
            "England's rates by decile are an estimate, not published figures: the shape of "
            f"the Child Welfare Inequalities Project's 2015 gradient of {shape_of}{starts}, "
            f"scaled so that with England's children in each IMD {imd_year} decile it gives "
            f"DfE's England rate for the year ending 31 March {year_used} "
            f"({label[0].lower()}{label[1:]}: {rate:.1f} per 10,000). {CWIP_NOTE}"
        ),
        estimate=True,
    )


def uploaded_reference(rates: pd.DataFrame, file_label: str) -> ReferenceGradient:
    """A reference gradient the user gave (validated by records.area_files)."""
    return ReferenceGradient(
        rates=rates[["decile", "rate_per_10000"]].sort_values("decile", ignore_index=True),
        label=f"Reference ({file_label})",
        sentence=f"The reference rates by decile are those given in {file_label}.",
        note=(
            f"Reference rates by national decile from {file_label}, supplied by the user; "
            "England's children in each decile weight them into a reference crude rate."
        ),
        estimate=False,
    )


def decile_table(
    analysis: Analysis, store: Store, reference: ReferenceGradient | None
) -> pd.DataFrame:
    """Per national IMD decile: the authority's children, count and rate, and the reference's."""
    lsoas = store.authority_lsoas(analysis.imd_year, analysis.la_code)
    decile_of = lsoas.set_index("lsoa_code")["imd_decile"]
    frame = analysis.lsoas
    decile = frame["lsoa_code"].map(decile_of).to_numpy(dtype=int)
    children = np.bincount(decile, weights=frame["children"].to_numpy(float), minlength=11)[1:]
    count = np.bincount(decile, weights=frame["count"].to_numpy(float), minlength=11)[1:]
    england = england_children_by_decile(store, analysis.imd_year)
    table = with_rates(
        pd.DataFrame(
            {
                "decile": DECILES,
                "group_label": labels_for_size(10),
                "children": children,
                "share_of_children": shares(children),
                "england_share_of_children": shares(england),
                "count": count,
            }
        )
    )
    if reference is None:
        table["reference_rate"] = np.nan
    else:
        table["reference_rate"] = (
            reference.rates.set_index("decile")["rate_per_10000"].reindex(DECILES).to_numpy(float)
        )
    table["expected"] = table["children"] * table["reference_rate"] / 10_000
    return table[DECILE_COLUMNS]


def standardise(
    analysis: Analysis, store: Store, reference: ReferenceGradient | str | None = None
) -> Standardisation:
    """The authority against England's (or the given) decile rates; reference None = England's."""
    measure = analysis.measure
    found = england_reference(store, measure, analysis.imd_year) if reference is None else reference
    gradient = found if isinstance(found, ReferenceGradient) else None
    reason = found if isinstance(found, str) else None
    table = decile_table(analysis, store, gradient)
    ratio = decomposition = None
    if gradient is not None:
        observed = float(table["count"].sum())
        ratio = standardised_ratio(
            observed, expected_count(table["children"], table["reference_rate"], per=10_000)
        )
        decomposition = kitagawa(
            table["share_of_children"],
            table["rate_per_10000"],
            table["england_share_of_children"],
            table["reference_rate"],
        )
    result = Standardisation(
        la_code=analysis.la_code,
        la_name=analysis.la_name,
        measure=measure,
        imd_year=analysis.imd_year,
        reference=gradient,
        reason=reason,
        deciles=table,
        ratio=ratio,
        decomposition=decomposition,
        attributable=analysis.summary.attributable,
        sentences={},
        same_groups_as_gradient=analysis.deciles == "national" and analysis.domain == "imd",
        notes=tuple(
            n
            for n in (
                gradient.note if gradient else None,
                DECILE_NOTE,
                ISR_METHOD,
                KITAGAWA_METHOD,
                PAF_METHOD,
            )
            if n
        ),
    )
    sentences = standardisation_sentences(result)
    if analysis.intake is not None and analysis.intake.level == NOTHING_USED:
        # No finding from refused records: say why instead, as every other view does.
        sentences = {"ratio": analysis.intake.text()}
    return replace(result, sentences=sentences)


def _signed(value: float) -> str:
    """A rate difference with its sign, for prose (+12.3 / -4.0)."""
    return f"{value:+,.1f}".replace("-", "\u2212")


def ratio_sentence(result: Standardisation) -> str:
    """Observed against expected, and whether the difference is beyond chance."""
    ratio, measure, name = result.ratio, result.measure, result.la_name
    if ratio is None:
        return f"No standardised ratio can be given: {result.reason}."
    if ratio.ratio is None or ratio.lower_95 is None or ratio.upper_95 is None:
        return f"No standardised ratio can be given: {ratio.reason}."
    against = "England's estimated rates" if result.reference_is_estimate else "the reference rates"
    expected = f"{ratio.expected:,.1f}" if ratio.expected < 10 else f"{ratio.expected:,.0f}"
    counted = (
        f"none were counted (the ratio's 95% interval runs from 0 to {ratio.upper_95:.2f})"
        if ratio.observed == 0
        else f"{ratio.observed:,.0f} were counted, {ratio.ratio:.2f} times the expected number "
        f"(95% interval {ratio.lower_95:.2f} to {ratio.upper_95:.2f})"
    )
    lead = (
        f"If {name}'s children had {against} for their neighbourhoods' deprivation deciles, "
        f"about {expected} {measure.noun()} would be expected {measure.when()}; {counted}."
    )
    if ratio.lower_95 > 1:
        verdict = "More than its deprivation predicts, beyond what chance would explain."
    elif ratio.upper_95 < 1:
        verdict = "Fewer than its deprivation predicts, beyond what chance would explain."
    else:
        verdict = "That is within what chance would give around what its deprivation predicts."
    return f"{lead} {verdict}"


def decomposition_sentence(result: Standardisation) -> str:
    """England's rate to the authority's: how much is deprivation mix, how much within deciles."""
    parts = result.decomposition
    if parts is None:
        return ""
    name = result.la_name
    england = "England's estimated rate" if result.reference_is_estimate else "the reference rate"
    if not math.isfinite(parts.rate_a):
        return f"{name} has no children in its neighbourhoods to compare with {england}."
    direction = "above" if parts.difference > 0 else "below"
    return (
        f"{name}'s rate of {parts.rate_a:,.1f} per 10,000 is {abs(parts.difference):,.1f} "
        f"{direction} {england} of {parts.rate_b:,.1f}. Its mix of more and less deprived "
        f"neighbourhoods accounts for {_signed(parts.composition)} per 10,000 and different "
        f"rates within deciles (practice, recording, and needs the index does not measure) "
        f"for {_signed(parts.rate_effect)}."
    )


def attributable_sentence(result: Standardisation) -> str:
    """The share of the count above the least deprived fifth's rate, with its interval."""
    paf, noun = result.attributable, result.measure.noun()
    if paf.fraction is None:
        return f"No attributable fraction can be given: {paf.reason}."
    if paf.fraction <= 0:
        return (
            f"The {noun} counted are no more than the least deprived fifth's rate would give "
            "across the authority, so none are attributable to deprivation by this measure."
        )
    return (
        f"If every child had the rate of the least deprived fifth, there would be "
        f"{paf.fraction:.0%} fewer {noun} (95% interval {max(paf.lower or 0.0, 0.0):.0%} to "
        f"{paf.upper:.0%}): the population attributable fraction."
    )


def standardisation_sentences(result: Standardisation) -> dict[str, str]:
    """Every plain-language finding of the standardisation view."""
    sentences = {
        "reference": result.reference.sentence if result.reference else "",
        "ratio": ratio_sentence(result),
        "decomposition": decomposition_sentence(result),
        "attributable": attributable_sentence(result),
    }
    return {key: text for key, text in sentences.items() if text}


SUMMARY_COLUMNS = ["key", "measure", "value", "lower", "upper", "note"]
# key, measure, value, lower and upper 95% limits, note: one row of summary_rows.
SummaryRow = tuple[str, str, float | None, float | None, float | None, str]


def summary_rows(result: Standardisation) -> pd.DataFrame:
    """One row per figure of the view (keyed, so a view can withhold some), with 95% limits."""
    ratio, parts, paf = result.ratio, result.decomposition, result.attributable
    reference = "England (estimated)" if result.reference_is_estimate else "reference"
    observed = float(result.deciles["count"].sum())
    rows: list[SummaryRow] = [("observed", "count observed", observed, None, None, "")]
    if ratio is not None:
        rows += [
            ("expected", f"count expected at {reference} rates", ratio.expected, None, None, ""),
            ("ratio", "standardised ratio, observed / expected", ratio.ratio, ratio.lower_95,
             ratio.upper_95, ratio.reason or ratio.method),
        ]  # fmt: skip
    if parts is not None:
        rows += [
            ("rate_a", "rate per 10,000, authority", parts.rate_a, None, None, ""),
            ("rate_b", f"rate per 10,000, {reference}", parts.rate_b, None, None, ""),
            ("difference", "difference in rate per 10,000", parts.difference, None, None, ""),
            ("composition", "of which deprivation mix", parts.composition, None, None, ""),
            ("rate_effect", "of which rates within deciles", parts.rate_effect, None, None, ""),
        ]
    rows.append(
        ("attributable", "share of the count above the least deprived fifth's rate (PAF)",
         paf.fraction, paf.lower, paf.upper, paf.reason or "")
    )  # fmt: skip
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("value", "lower", "upper"):
        table[column] = table[column].astype(float).round(4)
    return table
