"""Every result for one authority, measure and deprivation choice: the one code path behind
the app, the command line and the exports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.intake import NOTHING_USED, IntakeAlert, intake_alert
from csc_inequalities.reference.store import GEOGRAPHY_BY_IMD_YEAR, geography_for
from csc_inequalities.results import deprivation, ethnicity, narrative
from csc_inequalities.results.gradient import (
    CWIP_LABEL,
    CWIP_NOTE,
    OverallRate,
    counts_per_lsoa,
    cwip_overlay,
    gradient_table,
    overall_rate,
)
from csc_inequalities.results.measures import (
    Measure,
    available_years,
    count_by_lsoa,
    intervention_spells,
    spells_of,
)
from csc_inequalities.results.population import (
    ALL,
    EVERYONE,
    Who,
    population_note,
    sex_share,
    with_children_of,
)
from csc_inequalities.results.trend import Trend, trend
from csc_inequalities.stats import smoothing
from csc_inequalities.stats.inequality import METHOD as SII_METHOD
from csc_inequalities.stats.inequality import InequalitySummary, summarise
from csc_inequalities.stats.rates import rate_per_10000

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store

DENOMINATOR_NOTES = {
    2019: "Children aged 0-17 in each 2011 LSOA: ONS mid-2020 small-area population "
    "estimates by single year of age.",
    2025: "Children aged 0-17 in each 2021 LSOA: ONS mid-2020 small-area estimates on 2011 "
    "LSOAs, carried to 2021 LSOAs by the exact-fit lookup (split LSOAs shared by their Census "
    "2021 children aged 0-15).",
}
OWN_ETHNIC_NOTE = (
    "Denominators by ethnic group: the authority's own figures. DfE places Chinese (CHNE) "
    "under Other, the Census under Asian; records coded CHNE are counted as Asian here, so "
    "the authority's figures should count Chinese children as Asian too."
)
UNFILTERED_COUNTS_NOTE = (
    "The age and sex filter is not applied: counts per LSOA carry no ages or sexes, so every "
    "child aged 0-17 is counted."
)
FILTERED_ETHNIC_NOTE = (
    " With an age or sex filter, each ethnic group is assumed to have the authority's age and "
    "sex make-up."
)
INTERNAL_VIEW_NOTE = (
    "Internal view: counts of 1 to 5 and rates built on them are shown unsuppressed. "
    "Use the publication view for anything that leaves the authority."
)
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "children",
    "count",
    "rate_per_10000",
    "smoothed_rate",
    "small_count",
    "decile",
    "national_decile",
    "minority_share",
]


@dataclass(frozen=True)
class AnalysisNotes:
    """The labels and method notes that travel with one analysis, each named (not a dict)."""

    measure_label: str
    reference_date: str
    count_kind: str
    imd: str
    domain: str
    deciles_note: str
    denominator_note: str
    ethnicity_note: str
    ethnicity_deprivation_note: str
    smoothing_note: str
    sii_note: str
    cwip_label: str
    cwip_note: str
    view_note: str
    counted_without_lsoa: float
    counted_outside_authority: float
    # Why an age and sex filter asked for could not apply ('' when it did, or none was asked).
    filter_note: str = ""


@dataclass(frozen=True)
class Analysis:
    """Every table, summary and sentence the app, CLI and exports show for one choice."""

    la_code: str
    la_name: str
    imd_year: int
    measure: Measure
    deciles: str
    domain: str
    gradient: pd.DataFrame
    gradient_quintiles: pd.DataFrame
    summary: InequalitySummary
    overall: OverallRate
    ethnicity: pd.DataFrame
    ethnicity_deprivation: pd.DataFrame
    lsoas: pd.DataFrame
    trend: Trend
    cwip: pd.DataFrame | None
    sentences: dict[str, str]
    ethnicity_sentences: dict[str, str]
    notes: AnalysisNotes
    # What the reader must know first about the records (many dropped, a poor join), if any.
    intake: IntakeAlert | None = None

    @property
    def decile_scheme(self) -> str:
        """The grouping scheme of ``gradient`` (e.g. 'national_decile'), for figures and labels."""
        return deprivation.scheme_name(self.deciles, 10)

    @property
    def quintile_scheme(self) -> str:
        """The grouping scheme of ``gradient_quintiles``."""
        return deprivation.scheme_name(self.deciles, 5)


@lru_cache(maxsize=256)
def authority_groups(
    store: Store, la_code: str, imd_year: int, domain: str, scheme: str
) -> pd.Series:
    """Deprivation group of each of the authority's LSOAs for one domain and scheme."""
    return deprivation.assign_groups(store.authority_lsoas(imd_year, la_code), domain, scheme)


@lru_cache(maxsize=64)
def authority_denominators(store: Store, la_code: str, imd_year: int) -> pd.Series:
    """Estimated children aged 0-17 per major ethnic group in the authority."""
    children = float(store.authority_lsoas(imd_year, la_code)["children_0_17"].sum())
    return ethnicity.ethnic_denominators(store.ethnicity_children, la_code, children)


def with_own_children(lsoas: pd.DataFrame, own: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The authority's LSOAs with its own child counts where it gave them, and how many."""
    supplied = own.dropna(subset=["children"]).drop_duplicates("lsoa_code", keep="last")
    if (supplied["children"] < 0).any():
        raise ValueError("children per LSOA cannot be negative")
    values = lsoas["lsoa_code"].map(supplied.set_index("lsoa_code")["children"].astype(float))
    replaced = int(values.notna().sum())
    return lsoas.assign(children_0_17=values.fillna(lsoas["children_0_17"])), replaced


def denominator_note(imd_year: int, replaced: int, total: int) -> str:
    """Which children the rates are per: the store's estimates, the authority's, or a mix."""
    if replaced == 0:
        return DENOMINATOR_NOTES[imd_year]
    if replaced == total:
        return "Children aged 0-17 in each LSOA: the authority's own figures."
    return (
        f"Children aged 0-17: the authority's own figures for {replaced} of {total} LSOAs; "
        f"elsewhere: {DENOMINATOR_NOTES[imd_year][0].lower()}{DENOMINATOR_NOTES[imd_year][1:]}"
    )


def _lsoa_table(
    lsoas: pd.DataFrame, counts: pd.DataFrame, groups: pd.Series, domain: str
) -> pd.DataFrame:
    """Per-LSOA figures for the map: raw and smoothed rates, groups and minority share."""
    count = counts_per_lsoa(counts, lsoas["lsoa_code"])
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "lsoa_code": lsoas["lsoa_code"].to_numpy(),
            "lsoa_name": lsoas["lsoa_name"].to_numpy(),
            "children": children,
            "count": count,
            "rate_per_10000": rate_per_10000(count, children),
            "smoothed_rate": smoothing.empirical_bayes_rates(count, children),
            "small_count": smoothing.below_threshold(count),
            "decile": groups.to_numpy(dtype=int),
            "national_decile": lsoas[f"{domain}_decile"].to_numpy(dtype=int),
            "minority_share": 1.0 - lsoas["eth_white"].to_numpy(dtype=float),
        }
    )[LSOA_COLUMNS]


def analysis_notes(
    measure: Measure,
    imd_year: int,
    deciles: str,
    domain: str,
    counts: pd.DataFrame,
    located: pd.DataFrame,
    denominator_note: str,
    ethnicity_note: str,
    filter_note: str = "",
) -> AnalysisNotes:
    """Labels and method notes that travel with the results."""
    return AnalysisNotes(
        measure_label=measure.label(),
        reference_date=measure.reference_date.isoformat(),
        count_kind=measure.count_kind,
        imd=f"IMD {imd_year} ({geography_for(imd_year)} LSOAs)",
        domain=deprivation.DOMAIN_NAMES[domain],
        deciles_note=(
            deprivation.NATIONAL_EXPLANATION if deciles == "national"
            else deprivation.LOCAL_EXPLANATION
        ),
        denominator_note=denominator_note,
        ethnicity_note=ethnicity_note,
        ethnicity_deprivation_note=ethnicity.DEPRIVATION_METHOD,
        smoothing_note=smoothing.METHOD,
        sii_note=SII_METHOD,
        cwip_label=CWIP_LABEL,
        cwip_note=CWIP_NOTE,
        view_note=INTERNAL_VIEW_NOTE,
        counted_without_lsoa=float(counts.loc[counts["lsoa_code"].isna(), "count"].sum()),
        counted_outside_authority=float(
            counts.loc[counts["lsoa_code"].notna(), "count"].sum() - located["count"].sum()
        ),
        filter_note=filter_note,
    )  # fmt: skip


def run_analysis(
    records: LoadResult,
    store: Store,
    la_code: str,
    imd_year: int,
    measure: Measure,
    deciles: str = "national",
    domain: str = "imd",
    own_children: pd.DataFrame | None = None,
    own_ethnic_children: pd.Series | None = None,
    age_band: str = ALL,
    sex: str = ALL,
) -> Analysis:
    """Every result for one authority, measure, index year, decile choice and domain.

    ``own_children`` (columns ``lsoa_code, children``) and ``own_ethnic_children`` (children
    aged 0-17 indexed by major ethnic group) replace the store's denominators where an
    authority holds better ones. ``age_band`` and ``sex`` (see ``population``) count only
    those children, in numerators and denominators alike, in every result.
    """
    geography = GEOGRAPHY_BY_IMD_YEAR.get(imd_year)
    if geography is None:
        raise ValueError("imd_year must be 2019 or 2025")
    who = Who(age_band, sex)
    unfiltered = ""
    if not who.everyone and getattr(records, "is_aggregate", False):
        who, unfiltered = EVERYONE, UNFILTERED_COUNTS_NOTE
    measure = replace(measure, who=who)
    lsoas = store.authority_lsoas(imd_year, la_code)
    replaced = 0
    if own_children is not None:
        lsoas, replaced = with_own_children(lsoas, own_children)
    all_children = float(lsoas["children_0_17"].sum())
    share = sex_share(store, la_code, who.sex)
    lsoas = with_children_of(lsoas, who, share)
    decile_scheme = deprivation.scheme_name(deciles, 10)
    decile_groups = authority_groups(store, la_code, imd_year, domain, decile_scheme)
    quintile_groups = authority_groups(
        store, la_code, imd_year, domain, deprivation.scheme_name(deciles, 5)
    )
    national_quintiles = authority_groups(store, la_code, imd_year, domain, "national_quintile")
    counts = count_by_lsoa(records, measure, geography, store.lsoa_lookup)
    located = counts[counts["lsoa_code"].isin(lsoas["lsoa_code"])]

    by_decile = gradient_table(located, lsoas, decile_groups)
    by_quintile = gradient_table(located, lsoas, quintile_groups)
    summary = summarise(by_decile, by_quintile)
    overall = overall_rate(by_decile)
    if own_ethnic_children is not None:
        denominators = own_ethnic_children.reindex(ethnicity.MAJOR_GROUPS).fillna(0.0)
        if not who.everyone and all_children > 0:
            denominators = denominators * (float(lsoas["children_0_17"].sum()) / all_children)
    elif replaced or not who.everyone:
        children = float(lsoas["children_0_17"].sum())
        denominators = ethnicity.ethnic_denominators(store.ethnicity_children, la_code, children)
    else:
        denominators = authority_denominators(store, la_code, imd_year)
    by_ethnicity = ethnicity.ethnicity_table(located, denominators)
    ethnic_deprivation = ethnicity.ethnicity_by_deprivation(
        located, lsoas, national_quintiles, denominators
    )
    spells = spells_of(records)
    over_time = trend(
        intervention_spells(spells, measure.intervention),
        measure, available_years(spells), lsoas, decile_groups, quintile_groups, geography,
    )  # fmt: skip

    lsoa_table = _lsoa_table(lsoas, located, decile_groups, domain)
    la_name = store.authority_name(la_code)
    word = deprivation.group_word(decile_scheme)
    sentences = {
        "overall": narrative.overall_sentence(overall, measure, la_name),
        "ratio_quintile": narrative.ratio_sentence(
            by_quintile, summary.ratio_quintile, measure, la_name, deciles
        ),
        "ratio_decile": narrative.ratio_sentence(
            by_decile, summary.ratio_decile, measure, la_name, deciles
        ),
        "sii": narrative.slope_sentence(summary.slope, word),
        "rii": narrative.relative_sentence(summary.slope),
        "share": narrative.share_sentence(summary.share_most_deprived, measure, la_name, deciles),
        "excess": narrative.excess_sentence(summary.excess, measure, la_name),
        "ethnicity_deprivation": narrative.ethnicity_deprivation_sentence(
            ethnic_deprivation, measure
        ),
        "trend": narrative.trend_sentence(over_time.sii),
        "map": narrative.map_sentence(lsoa_table, smoothing.SMALL_COUNT_THRESHOLD),
    }
    # England's 2015 gradient counts every child aged 0-17: no comparison for a filter.
    compared = deciles == "national" and who.everyone
    cwip = cwip_overlay(store, measure.intervention) if compared else None
    if compared:
        sentences["cwip"] = narrative.cwip_sentence(cwip, measure)
    intake = intake_alert(records) if isinstance(records, LoadResult) else None
    if intake is not None and intake.level == NOTHING_USED:
        # "0 children" is never a finding when the records were refused: say why instead.
        sentences = dict.fromkeys(sentences, "") | {"overall": intake.text()}
    return Analysis(
        la_code=la_code,
        la_name=la_name,
        imd_year=imd_year,
        measure=measure,
        deciles=deciles,
        domain=domain,
        gradient=by_decile,
        gradient_quintiles=by_quintile,
        summary=summary,
        overall=overall,
        ethnicity=by_ethnicity,
        ethnicity_deprivation=ethnic_deprivation,
        lsoas=lsoa_table,
        trend=over_time,
        cwip=cwip,
        sentences=sentences,
        ethnicity_sentences=narrative.ethnicity_sentences(by_ethnicity, measure),
        notes=analysis_notes(
            measure,
            imd_year,
            deciles,
            domain,
            counts,
            located,
            denominator_note(imd_year, replaced, len(lsoas))
            if who.everyone
            else population_note(who, geography, share)
            + (f" {denominator_note(imd_year, replaced, len(lsoas))}" if replaced else ""),
            (OWN_ETHNIC_NOTE if own_ethnic_children is not None else ethnicity.METHOD)
            + ("" if who.everyone else FILTERED_ETHNIC_NOTE),
            unfiltered,
        ),
        intake=intake,
    )
