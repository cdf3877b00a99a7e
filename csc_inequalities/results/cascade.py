"""The decision cascade: how often each decision is taken in a reporting year, by deprivation,
and where the gap between the most and least deprived neighbourhoods grows or shrinks.

Stages are counted as the Department for Education counts them in a year from 1 April to
31 March (Characteristics of children in need; Children looked after in England):

- **referrals**: CIN episodes whose referral date falls in the year (every referral, including
  those ending in no further action, which are also counted on their own);
- **assessments completed**: assessments authorised in the year;
- **section 47 enquiries started** in the year;
- **initial child protection conferences** held in the year (one per child and day, whether
  the census records it in the episode or in its section 47 enquiry);
- **child protection plans started** in the year (every plan, as DfE counts starts);
- **children starting to be looked after** (the 903's periods of care): each child once, on
  their first start in the year.

Each event is placed at the child's address on its own day and filtered by the child's age on
that day (see ``population``). Conversions are ratios of the year's counts (section 47
enquiries per referral, and so on), as DfE publishes them, not children followed through: a
ratio above 1 can happen and then has no interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.records.canonical import ETHNIC_GROUPS
from csc_inequalities.reference.store import geography_for
from csc_inequalities.results import cascade_sentences, census_codes, deprivation, ethnicity
from csc_inequalities.results.analysis import (
    DENOMINATOR_NOTES,
    authority_groups,
)
from csc_inequalities.results.gradient import GRADIENT_COLUMNS, with_rates
from csc_inequalities.results.measures import (
    Measure,
    census_group,
    count_by_lsoa,
    spells_of,
    year_ending,
)
from csc_inequalities.results.population import (
    ALL,
    EVERYONE,
    Who,
    population_note,
    sex_share,
    with_children_of,
)
from csc_inequalities.stats.inequality import rate_ratio
from csc_inequalities.stats.proportions import interval_method, proportion, wilson_interval
from csc_inequalities.stats.rates import rate_per_10000

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store

STAGES: dict[str, str] = {
    "referral": "Referrals",
    "nfa": "Referrals ending in no further action",
    "assessment": "Assessments completed",
    "s47": "Section 47 enquiries started",
    "icpc": "Initial child protection conferences",
    "plan": "Child protection plans started",
    "care": "Children starting to be looked after",
}
# The decisions in order (no further action is a branch off the referral, not a step).
PATH = ("referral", "assessment", "s47", "icpc", "plan", "care")
STEP_NAMES = {
    "referral": "referral",
    "nfa": "no further action",
    "assessment": "assessment",
    "s47": "section 47 enquiry",
    "icpc": "conference",
    "plan": "plan",
    "care": "care",
}
CENSUS_STAGES = ("referral", "nfa", "assessment", "s47", "icpc", "plan")
CONVERSIONS: tuple[tuple[str, str, str], ...] = (
    ("s47", "referral", "Section 47 enquiries per referral"),
    ("icpc", "s47", "Conferences per section 47 enquiry"),
    ("plan", "icpc", "Plans per conference"),
    ("care", "plan", "Care starts per plan"),
)
COUNTING_NOTE = (
    "Counted as the Department for Education counts them, in the year from 1 April to 31 "
    "March: referrals received (those ending in no further action also on their own), "
    "assessments authorised, section 47 enquiries started, initial child protection "
    "conferences held (one per child and day), plans started, and children starting to be "
    "looked after (each child once). Each event is placed at the child's address on its day."
)
CONVERSION_NOTE = (
    "Conversions divide one stage's count in the year by the previous stage's, as DfE "
    "publishes them; they do not follow each child from one decision to the next. 95% "
    "intervals by Wilson's score method; a ratio above 1 has none."
)
NO_CENSUS_NOTE = (
    "No CIN census was loaded, so referrals, assessments, section 47 enquiries, conferences "
    "and plans cannot be counted: load the CIN census XML with its address extract."
)
NO_CARE_NOTE = (
    "No periods of care were loaded, so care starts are not counted: load the SSDA903 Header "
    "and Episodes files to complete the cascade."
)
AGGREGATE_NOTE = (
    "Counts per LSOA hold no decisions: the cascade needs the CIN census XML with its address "
    "extract (and the SSDA903 files for care starts)."
)
MISSING_NOTES = (NO_CENSUS_NOTE, NO_CARE_NOTE, AGGREGATE_NOTE)
CODE_COLUMNS = [
    "quintile",
    "quintile_label",
    "code",
    "description",
    "count",
    "events",
    "share",
    "children",
    "rate_per_10000",
]


@dataclass(frozen=True)
class Cascade:
    """Every table and sentence of the decision cascade for one authority, year and filter.

    The decisions' tables are counted at once; the tables by ethnic group and by code (need,
    abuse, factors) on first use, since the screen shows them only when asked.
    """

    la_code: str
    la_name: str
    year: int
    imd_year: int
    deciles: str
    who: Who
    stages: tuple[str, ...]
    by_quintile: pd.DataFrame
    by_decile: pd.DataFrame
    totals: pd.DataFrame
    conversions: pd.DataFrame
    gaps: pd.DataFrame
    sentences: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    denominator_note: str = ""
    # What the tables made on first use are made from.
    counts: StageCounts = field(kw_only=True, repr=False)
    quintile_groups: pd.Series = field(kw_only=True, repr=False)
    children: np.ndarray = field(kw_only=True, repr=False)
    ethnic_children: pd.Series = field(kw_only=True, repr=False)

    @property
    def period(self) -> str:
        """The reporting year in words."""
        return f"1 April {self.year - 1} to 31 March {self.year}"

    @property
    def quintile_scheme(self) -> str:
        """The grouping scheme of the quintile tables."""
        return deprivation.scheme_name(self.deciles, 5)

    @cached_property
    def _ethnic_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Decisions and conversions by ethnic group, made once."""
        return ethnicity_tables(self.counts, self.ethnic_children)

    @property
    def ethnicity(self) -> pd.DataFrame:
        """Each decision's rate by ethnic group, with the ratio to White children."""
        return self._ethnic_tables[0]

    @property
    def ethnic_conversions(self) -> pd.DataFrame:
        """Conversions between decisions by ethnic group, with Wilson intervals."""
        return self._ethnic_tables[1]

    @cached_property
    def ethnicity_sentences(self) -> dict[str, str]:
        """Each group's rate against White children's at the first and last decision."""
        return {
            f"ethnicity_{group}": text
            for group, text in cascade_sentences.ethnicity_sentences(
                self.ethnicity, PATH, STEP_NAMES
            ).items()
        }

    @cached_property
    def _code_tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Primary need, category of abuse and factors by quintile, made once."""
        return code_tables(self.counts, self.quintile_groups, self.children)

    @property
    def needs(self) -> pd.DataFrame:
        """Referrals (not ending in NFA) by primary need code and quintile."""
        return self._code_tables[0]

    @property
    def abuse(self) -> pd.DataFrame:
        """Plans started by initial category of abuse and quintile."""
        return self._code_tables[1]

    @property
    def factors(self) -> pd.DataFrame:
        """Assessments completed by factor identified and quintile."""
        return self._code_tables[2]


def events_in_year(events: pd.DataFrame, year: int, who: Who) -> pd.DataFrame:
    """The year's census events, filtered by ``who`` (dates compared as arrays: this is hot)."""
    first, last = np.datetime64(f"{year - 1}-04-01"), np.datetime64(year_ending(year))
    day = events["date"].to_numpy(dtype="datetime64[D]")
    chosen = events[(day >= first) & (day <= last)]
    if who.everyone:
        return chosen
    on = chosen["date"].to_numpy(dtype="datetime64[D]")
    return chosen[who.keep(chosen["sex"], chosen["date_of_birth"], on)]


@dataclass(frozen=True)
class StageCounts:
    """Counts of every stage the records hold, per LSOA of the authority and per ethnic group."""

    stages: tuple[str, ...]
    per_lsoa: np.ndarray  # stages x LSOAs
    per_group: np.ndarray  # stages x ETHNIC_GROUPS (Census-aligned)
    year_events: pd.DataFrame  # the year's census events inside the authority
    event_lsoa: np.ndarray  # each year event's position in the authority's LSOAs


def _positions(codes: pd.Series, lsoa_codes: pd.Index) -> np.ndarray:
    """Each record's position among the authority's LSOAs (-1 outside or missing)."""
    return lsoa_codes.get_indexer(codes.to_numpy(dtype=object))


def stage_counts(
    records: LoadResult,
    year: int,
    who: Who,
    geography: int,
    lsoa_codes: pd.Index,
    lookup: pd.DataFrame,
) -> StageCounts:
    """Every stage's counts per LSOA and ethnic group, as arrays (one pass per source)."""
    column = "lsoa11_code" if geography == 2011 else "lsoa21_code"
    groups = pd.Index(ETHNIC_GROUPS)
    stages, per_lsoa, per_group = [], [], []
    events = records.decision_events()
    year_events = pd.DataFrame()
    event_lsoa = np.zeros(0, dtype=np.int64)
    if not events.empty:
        chosen = events_in_year(events, year, who)
        position = _positions(chosen[column], lsoa_codes)
        year_events = chosen[position >= 0]
        event_lsoa = position[position >= 0]
        group = groups.get_indexer(census_group(year_events).to_numpy(dtype=object))
        stage = year_events["stage"].to_numpy(dtype=object)
        nfa = year_events["referral_nfa"].to_numpy(dtype=bool)
        for name in CENSUS_STAGES:
            rows = (stage == "referral") & nfa if name == "nfa" else stage == name
            stages.append(name)
            per_lsoa.append(np.bincount(event_lsoa[rows], minlength=len(lsoa_codes)))
            per_group.append(np.bincount(group[rows], minlength=len(groups)))
    spells = spells_of(records)
    if not spells.empty and (spells["intervention"].to_numpy(dtype=object) == "CLA").any():
        care = count_by_lsoa(
            records, Measure("CLA", "starts", year_ending(year), who), geography, lookup
        )
        position = _positions(care["lsoa_code"], lsoa_codes)
        inside = position >= 0
        weights = care["count"].to_numpy(dtype=float)[inside]
        group = groups.get_indexer(care["ethnic_group"].to_numpy(dtype=object)[inside])
        stages.append("care")
        per_lsoa.append(np.bincount(position[inside], weights, minlength=len(lsoa_codes)))
        per_group.append(np.bincount(group, weights, minlength=len(groups)))
    return StageCounts(
        stages=tuple(stages),
        per_lsoa=np.array(per_lsoa, dtype=float).reshape(-1, len(lsoa_codes)),
        per_group=np.array(per_group, dtype=float).reshape(-1, len(groups)),
        year_events=year_events,
        event_lsoa=event_lsoa,
    )


def stage_gradients(
    counts: StageCounts, children: np.ndarray, groups: pd.Series, size: int
) -> pd.DataFrame:
    """Every stage's rate per 10,000 by deprivation group, as one long table."""
    group = groups.to_numpy(dtype=int)
    n = len(counts.stages)
    summed = np.zeros((n, size + 1))
    for row in range(n):
        summed[row] = np.bincount(group, counts.per_lsoa[row], minlength=size + 1)
    table = pd.DataFrame(
        {
            "stage": np.repeat(counts.stages, size),
            "stage_label": np.repeat([STAGES[s] for s in counts.stages], size),
            "group": np.tile(np.arange(1, size + 1), n),
            "group_label": deprivation.labels_for_size(size) * n,
            "lsoas": np.tile(np.bincount(group, minlength=size + 1)[1:], n),
            "children": np.tile(np.bincount(group, children, minlength=size + 1)[1:], n),
            "count": summed[:, 1:].ravel(),
        }
    )
    return with_rates(table)[["stage", "stage_label", *GRADIENT_COLUMNS]]


def with_proportions(table: pd.DataFrame) -> pd.DataFrame:
    """A table with numerator and denominator columns given proportions and Wilson limits."""
    lower, upper = wilson_interval(table["numerator"], table["denominator"])
    return table.assign(
        proportion=proportion(table["numerator"], table["denominator"]),
        lower_95ci=lower,
        upper_95ci=upper,
        ci_method=interval_method(table["numerator"], table["denominator"]),
    )


def conversions_table(by_quintile: pd.DataFrame, stages: tuple[str, ...]) -> pd.DataFrame:
    """Each conversion by quintile and for the whole authority, with Wilson intervals."""
    counts = by_quintile["count"].to_numpy(dtype=float).reshape(len(stages), 5)
    labels = [*deprivation.labels_for_size(counts.shape[1]), "All neighbourhoods"]
    parts = []
    for top, bottom, label in CONVERSIONS:
        if top not in stages or bottom not in stages:
            continue
        upper, lower = counts[stages.index(top)], counts[stages.index(bottom)]
        parts.append(
            pd.DataFrame(
                {
                    "conversion": f"{top}_per_{bottom}",
                    "conversion_label": label,
                    "group": [*range(1, len(upper) + 1), 0],
                    "group_label": labels,
                    "numerator": [*upper, upper.sum()],
                    "denominator": [*lower, lower.sum()],
                }
            )
        )
    columns = ["conversion", "conversion_label", "group", "group_label", "numerator",
               "denominator"]  # fmt: skip
    return with_proportions(
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    )


def rate_ratios(
    count_a: np.ndarray, children_a: np.ndarray, count_b: np.ndarray, children_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratios of rate a to rate b with 95% limits, row by row as stats.inequality.rate_ratio.

    NaN where a group has no children or b counted none; 0 without limits where a counted none.
    """
    ratios = [
        rate_ratio(a, ca, b, cb)
        for a, ca, b, cb in zip(count_a, children_a, count_b, children_b, strict=True)
    ]

    def column(name: str) -> np.ndarray:
        values = [getattr(ratio, name) for ratio in ratios]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    return column("ratio"), column("lower"), column("upper")


def gaps_table(by_quintile: pd.DataFrame, stages: tuple[str, ...]) -> pd.DataFrame:
    """Each stage's rate in the most deprived fifth over the least deprived fifth's."""
    counts = by_quintile["count"].to_numpy(dtype=float).reshape(len(stages), 5)
    children = by_quintile["children"].to_numpy(dtype=float).reshape(len(stages), 5)
    ratio, lower, upper = rate_ratios(counts[:, 0], children[:, 0], counts[:, -1], children[:, -1])
    return pd.DataFrame(
        {
            "stage": list(stages),
            "stage_label": [STAGES[s] for s in stages],
            "ratio": ratio,
            "lower_95ci": lower,
            "upper_95ci": upper,
        }
    )


def ethnicity_tables(
    counts: StageCounts, denominators: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each stage's rate by ethnic group (ratio to White), and conversions by ethnic group."""
    stages, size = counts.stages, len(ETHNIC_GROUPS)
    children = denominators.reindex(ETHNIC_GROUPS).to_numpy(dtype=float)  # Not known: NaN
    table = with_rates(
        pd.DataFrame(
            {
                "stage": np.repeat(stages, size),
                "stage_label": np.repeat([STAGES[s] for s in stages], size),
                "ethnic_group": list(ETHNIC_GROUPS) * len(stages),
                "group_name": [ethnicity.GROUP_NAMES[g] for g in ETHNIC_GROUPS] * len(stages),
                "children": np.tile(np.nan_to_num(children), len(stages)),
                "count": counts.per_group.ravel(),
            }
        )
    )
    known = np.tile(~np.isnan(children), len(stages))
    table.loc[~known, "children"] = np.nan
    table.loc[~known, "ci_method"] = "no denominator"
    white = (
        np.repeat(counts.per_group[:, 0], size),
        np.repeat(np.full(len(stages), children[0]), size),
    )
    ratio, lower, upper = rate_ratios(
        table["count"].to_numpy(), np.nan_to_num(table["children"].to_numpy()), *white
    )
    table["ratio_to_white"] = np.where(known, ratio, np.nan)
    table["ratio_lower"] = np.where(known, lower, np.nan)
    table["ratio_upper"] = np.where(known, upper, np.nan)
    parts = []
    for top, bottom, label in CONVERSIONS:
        if top in stages and bottom in stages:
            parts.append(
                pd.DataFrame(
                    {
                        "conversion": f"{top}_per_{bottom}",
                        "conversion_label": label,
                        "ethnic_group": list(ETHNIC_GROUPS),
                        "group_name": [ethnicity.GROUP_NAMES[g] for g in ETHNIC_GROUPS],
                        "numerator": counts.per_group[stages.index(top)],
                        "denominator": counts.per_group[stages.index(bottom)],
                    }
                )
            )
    conversions = with_proportions(pd.concat(parts, ignore_index=True)) if parts else None
    return table, conversions if conversions is not None else pd.DataFrame()


def codes_by_quintile(
    quintile: np.ndarray,
    codes: np.ndarray,
    events: np.ndarray,
    names: dict[str, str],
    children: np.ndarray,
) -> pd.DataFrame:
    """Events by recorded code within each quintile: count, share of the quintile's events, rate.

    ``quintile`` and ``codes`` hold one entry per code (an assessment with three factors has
    three); ``events`` the number of events (assessments, referrals or plans) per quintile, so
    shares of factors need not add to 1. Events with no code are 'Not recorded'.
    """
    codes = np.where(pd.isna(codes), census_codes.NOT_RECORDED, codes).astype(object)
    present = set(codes.tolist())
    found = [c for c in [*names, census_codes.NOT_RECORDED] if c in present]
    found += sorted(present - set(found))
    position = pd.Index(found).get_indexer(codes)
    cells = np.bincount((quintile - 1) * len(found) + position, minlength=5 * len(found))
    labels = deprivation.labels_for_size(5)
    table = pd.DataFrame(
        {
            "quintile": np.repeat(np.arange(1, 6), len(found)),
            "quintile_label": np.repeat(labels, len(found)),
            "code": found * 5,
            "description": [
                code if code == census_codes.NOT_RECORDED else census_codes.code_name(names, code)
                for code in found
            ]
            * 5,
            "count": cells.astype(float),
            "events": np.repeat(events, len(found)).astype(float),
            "children": np.repeat(children, len(found)),
        }
    )
    table["share"] = proportion(table["count"], table["events"])
    table["rate_per_10000"] = rate_per_10000(table["count"], table["children"])
    return table[CODE_COLUMNS]


def code_tables(
    counts: StageCounts, quintiles: pd.Series, children: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Primary need (referrals not ending in NFA), category of abuse (plans), factors."""
    events = counts.year_events
    if events.empty:
        empty = pd.DataFrame(columns=CODE_COLUMNS)
        return empty, empty, empty
    quintile = quintiles.to_numpy(dtype=int)[counts.event_lsoa]
    per_quintile = np.bincount(quintiles.to_numpy(dtype=int), children, minlength=6)[1:]
    stage = events["stage"].to_numpy(dtype=object)
    referrals = (stage == "referral") & ~events["referral_nfa"].to_numpy(dtype=bool)
    plans = stage == "plan"
    assessed = stage == "assessment"

    def events_in(rows: np.ndarray) -> np.ndarray:
        return np.bincount(quintile[rows], minlength=6)[1:]

    factors = events["assessment_factors"][assessed].reset_index(drop=True).str.split(";")
    factors = factors.explode()  # one row per factor, indexed by its assessment
    factor_quintile = quintile[assessed][factors.index.to_numpy()]
    factor_codes = factors.to_numpy(dtype=object)
    return (
        codes_by_quintile(
            quintile[referrals], events["primary_need"].to_numpy(dtype=object)[referrals],
            events_in(referrals), census_codes.PRIMARY_NEED, per_quintile,
        ),
        codes_by_quintile(
            quintile[plans], events["abuse_category"].to_numpy(dtype=object)[plans],
            events_in(plans), census_codes.CATEGORY_OF_ABUSE, per_quintile,
        ),
        codes_by_quintile(
            factor_quintile, factor_codes, events_in(assessed), census_codes.ASSESSMENT_FACTORS,
            per_quintile,
        ),
    )  # fmt: skip


def run_cascade(
    records: LoadResult,
    store: Store,
    la_code: str,
    imd_year: int,
    year: int,
    deciles: str = "national",
    domain: str = "imd",
    age_band: str = ALL,
    sex: str = ALL,
) -> Cascade:
    """The decision cascade of the reporting year ending 31 March ``year``."""
    geography = geography_for(imd_year)
    aggregate = getattr(records, "is_aggregate", False)
    who = EVERYONE if aggregate else Who(age_band, sex)
    share = sex_share(store, la_code, who.sex)
    lsoas = with_children_of(store.authority_lsoas(imd_year, la_code), who, share)
    decile_groups = authority_groups(
        store, la_code, imd_year, domain, deprivation.scheme_name(deciles, 10)
    )
    quintile_groups = authority_groups(
        store, la_code, imd_year, domain, deprivation.scheme_name(deciles, 5)
    )
    lsoa_codes = pd.Index(lsoas["lsoa_code"])
    counts = stage_counts(records, year, who, geography, lsoa_codes, store.lsoa_lookup)
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    stages = counts.stages
    by_quintile = stage_gradients(counts, children, quintile_groups, 5)
    by_decile = stage_gradients(counts, children, decile_groups, 10)
    totals = with_rates(
        pd.DataFrame(
            {
                "stage": list(stages),
                "stage_label": [STAGES[s] for s in stages],
                "children": np.full(len(stages), children.sum()),
                "count": counts.per_lsoa.sum(axis=1),
            }
        )
    )
    ethnic_children = ethnicity.ethnic_denominators(
        store.ethnicity_children, la_code, float(children.sum())
    )
    conversions = conversions_table(by_quintile, stages)
    gaps = gaps_table(by_quintile, stages)
    la_name = store.authority_name(la_code)
    notes = [COUNTING_NOTE, CONVERSION_NOTE]
    if aggregate:
        notes = [AGGREGATE_NOTE]
    else:
        notes += [NO_CENSUS_NOTE] if "referral" not in stages else []
        notes += [NO_CARE_NOTE] if "care" not in stages else []
    denominators = (
        DENOMINATOR_NOTES[imd_year] if who.everyone else population_note(who, geography, share)
    )
    if not who.everyone:
        notes.append(denominators)
    cascade = Cascade(
        la_code=la_code,
        la_name=la_name,
        year=year,
        imd_year=imd_year,
        deciles=deciles,
        who=who,
        stages=stages,
        by_quintile=by_quintile,
        by_decile=by_decile,
        totals=totals,
        conversions=conversions,
        gaps=gaps,
        notes=tuple(notes),
        denominator_note=denominators,
        counts=counts,
        quintile_groups=quintile_groups,
        children=children,
        ethnic_children=ethnic_children,
    )
    return cascade_sentences.with_sentences(cascade, counts.year_events, PATH, STEP_NAMES)
