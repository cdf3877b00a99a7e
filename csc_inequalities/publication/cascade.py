"""The decision cascade and the age and sex breakdowns as the chosen view shows them.

In the publication view every count passes the one disclosure rule (publication.disclosure):

- each stage's quintile counts are protected against its total, and the totals themselves are
  suppressed when small (a filtered total is published nowhere else); deciles are given in
  the internal view only, so no decile can be taken from a published quintile;
- conversions, gap ratios and ethnic conversions are shown only where every count they rest
  on is shown; rates by ethnic group are protected within each stage against its total;
- codes by quintile (need, abuse, factors), age bands and sexes by quintile are two-way tables
  protected with every margin counted as published;
- infants in their first week are a part of infants under 1: the rest (8 days to 1 year) is
  never shown but protected, so no small count can be worked out as a difference;
- a sentence is kept only when every count it rests on is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csc_inequalities.publication.disclosure import (
    RATE_COLUMNS,
    SUPPRESSED,
    DisclosureRule,
    View,
    publication_long_table,
    publication_table,
    suppressed_cells,
    with_hidden_rows,
)
from csc_inequalities.publication.tables import ViewTable
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.results.population import AGE_BANDS, ALL, SEXES

if TYPE_CHECKING:
    pass

RATES = list(RATE_COLUMNS)
PROPORTION_COLUMNS = ["numerator", "denominator", "proportion", "lower_95ci", "upper_95ci"]


@dataclass(frozen=True)
class ShownTables:
    """A view's tables by key, the sentences it allows, and whether any were withheld."""

    tables: dict[str, ViewTable]
    sentences: list[str]
    withheld: bool

    def frame(self, key: str) -> pd.DataFrame | None:
        """A table as shown ('c' where suppressed), or None when there is none."""
        table = self.tables.get(key)
        return None if table is None else table.frame


def with_authority(frame: pd.DataFrame, la_code: str, la_name: str) -> pd.DataFrame:
    """The table with the authority's code and name first, as every export has them."""
    return pd.concat(
        [pd.DataFrame({"la_code": la_code, "la_name": la_name}, index=frame.index), frame],
        axis=1,
    ).reset_index(drop=True)


def _hidden(frame: pd.DataFrame, column: str = "count") -> np.ndarray:
    """Where a published table shows 'c'."""
    return (frame[column].astype(object) == SUPPRESSED).to_numpy()


def _protect_stages(by_quintile: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """Each stage's quintiles protected against its total (deciles are not published).

    One stage x quintile problem whose row totals count as published: no column crosses
    stages, so each stage is protected on its own, in one call instead of one per stage.
    """
    if by_quintile.empty:
        return by_quintile
    counts = by_quintile["count"].to_numpy(dtype=float).reshape(-1, 5)
    mask = suppressed_cells(
        counts, row_totals="known", column_totals="absent", overall_total="absent", rule=rule
    )
    hidden = pd.Series(mask[:-1, :-1].ravel(), index=by_quintile.index)
    return with_hidden_rows(by_quintile, hidden, rule)


def _proportions_shown(
    table: pd.DataFrame, numerator_hidden: np.ndarray, denominator_hidden: np.ndarray
) -> pd.DataFrame:
    """Proportions with 'c' wherever either count they divide is hidden."""
    out = table.copy()
    hide = numerator_hidden | denominator_hidden
    for column in PROPORTION_COLUMNS:
        out[column] = out[column].astype(object).where(~hide, SUPPRESSED)
    out["numerator"] = out["numerator"].astype(object).where(~numerator_hidden, SUPPRESSED)
    out["denominator"] = out["denominator"].astype(object).where(~denominator_hidden, SUPPRESSED)
    return out


def _cell_hidden(
    shown: pd.DataFrame, keys: list[str], totals: pd.DataFrame | None = None
) -> dict[tuple, bool]:
    """Whether each (stage, group) cell is hidden, group 0 being the stage's total."""
    hidden = {tuple(row[:-1]): row[-1] for row in shown[keys].assign(_h=_hidden(shown)).to_numpy()}
    if totals is not None:
        hidden |= {(stage, 0): h for stage, h in zip(totals["stage"], _hidden(totals), strict=True)}
    return hidden


def _conversion_cells(conversions: pd.DataFrame, key: str, hidden: dict) -> tuple:
    """Whether each conversion's numerator and denominator counts are hidden."""
    pairs = list(zip(conversions["conversion"], conversions[key], strict=True))
    return (
        np.array([hidden[(c.split("_per_")[0], g)] for c, g in pairs], dtype=bool),
        np.array([hidden[(c.split("_per_")[1], g)] for c, g in pairs], dtype=bool),
    )


def _view_tables(cascade: Any, view: View, parts: list) -> dict[str, ViewTable]:
    """ViewTables for the (key, title, frame, caption) parts that hold rows."""
    period = f"{cascade.period}{cascade.who.suffix()}"
    return {
        key: ViewTable(
            key,
            _titled(f"{title}, {period}", view),
            caption,
            with_authority(frame, cascade.la_code, cascade.la_name),
        )
        for key, title, frame, caption in parts
        if frame is not None and not frame.empty
    }


def cascade_context(
    cascade: Any, view: View, rule: DisclosureRule, demo: bool = False
) -> ViewContext:
    """What every export of the cascade states: authority, year, filter, index, view, rule."""
    year = cascade.year
    who = cascade.who.slug()
    return ViewContext(
        la_code=cascade.la_code,
        la_name=cascade.la_name,
        measure_label=f"Decision cascade, {cascade.period}{cascade.who.suffix()}",
        measure_slug=f"cascade-{year - 1}-{year % 100:02d}" + (f"-{who}" if who else ""),
        reference_date=f"{year}-03-31",
        imd_label=f"IMD {cascade.imd_year}",
        deprivation_note=f"Quintile 1 is the most deprived ({cascade.deciles} quintiles).",
        denominator_note=cascade.denominator_note,
        view=view,
        rule=rule,
        demo=demo,
    )


def decisions_shown(cascade: Any, view: View, rule: DisclosureRule) -> ShownTables:
    """Decisions by quintile and decile, totals, conversions and gaps, with their sentences."""
    by_quintile, by_decile = cascade.by_quintile, cascade.by_decile
    totals, conversions, gaps = cascade.totals, cascade.conversions, cascade.gaps
    sentences = dict(cascade.sentences)
    keys = list(sentences)
    withheld = False
    if view is View.PUBLICATION and cascade.stages:
        by_quintile, by_decile = _protect_stages(by_quintile, rule), None
        totals = publication_table(
            totals.reset_index(drop=True), ["count"], RATE_COLUMNS, known_totals=(), rule=rule
        )
        cells = _cell_hidden(by_quintile, ["stage", "group"], totals)
        conversions = _proportions_shown(
            conversions, *_conversion_cells(conversions, "group", cells)
        )
        ends = np.array([cells[(s, 1)] or cells[(s, 5)] for s in gaps["stage"]], dtype=bool)
        gaps = gaps.astype(object)
        for column in ("ratio", "lower_95ci", "upper_95ci"):
            gaps[column] = gaps[column].where(~ends, SUPPRESSED)
        sentences = _decision_sentences(cascade, sentences, cells, rule)
        withheld = len(sentences) < len(keys)
    people = cascade.who.people()
    parts = [
        ("cascade-stages", "Decisions by deprivation quintile", by_quintile,
         f"Each decision: count and rate per 10,000 {people} by deprivation quintile "
         "(1 = most deprived), with 95% confidence intervals."),
        ("cascade-stages-deciles", "Decisions by deprivation decile", by_decile,
         f"Each decision: rate per 10,000 {people} by deprivation decile (1 = most deprived)."),
        ("cascade-totals", "Decisions in the authority", totals,
         f"Each decision across the authority, per 10,000 {people}."),
        ("cascade-conversions", "Conversions between decisions", conversions,
         "Each decision's count divided by the previous decision's in the same year, by "
         "quintile, with 95% Wilson intervals (not children followed through)."),
        ("cascade-gaps", "Most to least deprived fifth, at each decision", gaps,
         "The rate in the most deprived fifth divided by the rate in the least deprived fifth, "
         "with 95% confidence intervals."),
    ]  # fmt: skip
    return ShownTables(_view_tables(cascade, view, parts), list(sentences.values()), withheld)


def ethnicity_shown(cascade: Any, view: View, rule: DisclosureRule) -> ShownTables:
    """Decisions and conversions by ethnic group, with the sentences comparing groups."""
    ethnicity, conversions = cascade.ethnicity, cascade.ethnic_conversions
    sentences = dict(cascade.ethnicity_sentences)
    keys = list(sentences)
    withheld = False
    if view is View.PUBLICATION and not ethnicity.empty:
        ethnicity = _protect_ethnicity(ethnicity, rule)
        groups = _cell_hidden(ethnicity, ["stage", "ethnic_group"])
        if not conversions.empty:
            conversions = _proportions_shown(
                conversions, *_conversion_cells(conversions, "ethnic_group", groups)
            )
        sentences = {
            key: sentence
            for key, sentence in sentences.items()
            if not any(
                groups[(stage, group)]
                for stage in cascade.stages
                for group in (key.removeprefix("ethnicity_"), "White")
            )
        }
        withheld = len(sentences) < len(keys)
    parts = [
        ("cascade-ethnicity", "Decisions by ethnic group", ethnicity,
         f"Each decision per 10,000 {cascade.who.people()} by major ethnic group, with the "
         "ratio to White children (Census 2021 denominators)."),
        ("cascade-ethnic-conversions", "Conversions by ethnic group", conversions,
         "Each decision's count divided by the previous decision's, by ethnic group."),
    ]  # fmt: skip
    return ShownTables(_view_tables(cascade, view, parts), list(sentences.values()), withheld)


def codes_shown(cascade: Any, view: View, rule: DisclosureRule) -> ShownTables:
    """Primary need, category of abuse and assessment factors by quintile."""
    tables = (cascade.needs, cascade.abuse, cascade.factors)
    if view is View.PUBLICATION:
        tables = tuple(_protect_codes(table, rule) for table in tables)
    parts = [
        ("cascade-need", "Primary need at referral by quintile", tables[0],
         "Referrals not ending in no further action, by primary need code and quintile."),
        ("cascade-abuse", "Category of abuse of plans started by quintile", tables[1],
         "Child protection plans started in the year by initial category of abuse and quintile."),
        ("cascade-factors", "Factors identified at assessment by quintile", tables[2],
         "Assessments completed in the year recording each factor, by quintile (an assessment "
         "can record several factors, so shares do not add up to 1)."),
    ]  # fmt: skip
    return ShownTables(_view_tables(cascade, view, parts), [], False)


def cascade_shown(cascade: Any, view: View, rule: DisclosureRule) -> ShownTables:
    """Every table and sentence of the cascade in the chosen view (for files and the report)."""
    parts = [f(cascade, view, rule) for f in (decisions_shown, ethnicity_shown, codes_shown)]
    return ShownTables(
        {key: table for part in parts for key, table in part.tables.items()},
        [sentence for part in parts for sentence in part.sentences],
        any(part.withheld for part in parts),
    )


def _titled(title: str, view: View) -> str:
    """Internal exports say so in their title."""
    return f"{title} (internal: not for publication)" if view is View.INTERNAL else title


def _protect_ethnicity(table: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """Each stage's groups protected against the stage's total; ratios go with White's count."""
    parts = []
    for _, rows in table.groupby("stage", sort=False):
        rows = rows.reset_index(drop=True)
        derived = {c: "count" for c in (*RATES, "ratio_to_white", "ratio_lower", "ratio_upper")}
        shown = publication_table(rows, ["count"], derived, rule=rule)
        white = shown["ethnic_group"] == "White"
        if (shown.loc[white, "count"] == SUPPRESSED).any():
            for column in ("ratio_to_white", "ratio_lower", "ratio_upper"):
                shown[column] = SUPPRESSED
        parts.append(shown)
    return pd.concat(parts, ignore_index=True) if parts else table


def _protect_codes(table: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """A code x quintile table protected with every margin published; event totals dropped."""
    if table.empty:
        return table
    shown = publication_long_table(
        table.reset_index(drop=True), "code", "quintile", "count",
        ["share", "rate_per_10000"], rule=rule,
    )  # fmt: skip
    return shown.drop(columns=["events"])


def _decision_sentences(
    cascade: Any, sentences: dict[str, str], cells: dict, rule: DisclosureRule
) -> dict[str, str]:
    """The sentences whose counts are all shown: both ends of every stage, or the conversion's."""
    ends_shown = all(not (cells[(s, 1)] or cells[(s, 5)]) for s in cascade.stages)
    kept = {}
    for key, sentence in sentences.items():
        if key == "gap":
            ok = ends_shown
        elif "_per_" in key:
            top, bottom = key.split("_per_")
            ok = not any(cells[(s, q)] for s in (top, bottom) for q in (1, 5))
        elif key == "enquiries":  # enquiries needing no conference: a count shown nowhere else
            small = any(0 < n <= rule.threshold for n in _numbers_in(sentence))
            ok = not small and not cells.get(("s47", 0), True)
        else:  # a sentence that states no figure
            ok = True
        if ok:
            kept[key] = sentence
    return kept


def _numbers_in(sentence: str) -> list[float]:
    """The whole numbers a sentence states (thousands separators allowed)."""
    return [float(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*\b", sentence)]


def age_sex_shown(result: Any, view: View, rule: DisclosureRule) -> ShownTables:
    """The age and sex breakdowns and infants in the chosen view."""
    by_age, by_sex, infants, ratios = result.by_age, result.by_sex, result.infants, result.ratios
    sentences, withheld = dict(result.sentences), False
    if view is View.PUBLICATION and not by_age.empty:
        by_age = _protect_grid(by_age.reset_index(drop=True), rule)
        by_sex = _protect_grid(by_sex.reset_index(drop=True), rule)
        infants = _protect_infants(infants.reset_index(drop=True), rule)
        hidden = {
            **_ends_hidden(by_age, "age_band"),
            **_ends_hidden(by_sex, "sex"),
        }
        ratios = ratios.astype(object)
        hide = np.array([hidden[value] for value in ratios["value"]], dtype=bool)
        for column in ("ratio", "lower_95ci", "upper_95ci"):
            ratios[column] = ratios[column].where(~hide, SUPPRESSED)
        keep = {
            "age": not any(hidden[b] for b in by_age["age_band"].unique()),
            "sex": not (hidden.get("F", True) or hidden.get("M", True)),
            "infants": not _hidden(infants).any()
            and not 0 < result.infants["count"].sum() <= rule.threshold,
        }
        sentences = {k: s for k, s in sentences.items() if keep.get(k, False)}
        withheld = len(sentences) < len(result.sentences)
    who = result.measure.who
    label = result.measure.label()
    parts = [
        ("age-bands", f"{label}: rate by age band and deprivation quintile", by_age,
         f"Rate per 10,000 children of each DfE age band{_within(who.sex, 'sex')} by deprivation "
         "quintile (1 = most deprived), with 95% confidence intervals."),
        ("sexes", f"{label}: rate for girls and boys by deprivation quintile", by_sex,
         f"Rate per 10,000 girls and per 10,000 boys{_within(who.age_band, 'age')} by "
         "deprivation quintile, with 95% confidence intervals."),
        ("age-sex-ratios", f"{label}: most to least deprived fifth by age band and sex", ratios,
         "The most deprived fifth's rate divided by the least deprived fifth's, for each age "
         "band and sex, with 95% confidence intervals."),
        ("infants", f"Babies starting to be looked after, year ending 31 March "
         f"{result.measure.year}", infants,
         "Children starting to be looked after before their first birthday, and within 7 days "
         "of birth, per 10,000 children aged under 1, by deprivation quintile."),
    ]  # fmt: skip
    tables = {
        key: ViewTable(key, _titled(title, view), caption,
                       with_authority(frame, result.la_code, result.la_name))
        for key, title, frame, caption in parts
        if not frame.empty
    }  # fmt: skip
    return ShownTables(tables, list(sentences.values()), withheld)


def _within(value: str, what: str) -> str:
    """' (girls only)' or ' aged 1 to 4' when the other filter is set, else ''."""
    if value == ALL:
        return ""
    if what == "sex":
        return f" ({SEXES[value].lower()} only)"
    return f" aged {AGE_BANDS[value][0].lower()}"


def _protect_grid(table: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """Bands (or sexes) x quintiles, five rows each, protected with every margin published.

    Each band's total is the filtered gradient's, each quintile's the unfiltered one's: both
    can be shown elsewhere, so all margins count as known (as publication_long_table's).
    """
    counts = table["count"].to_numpy(dtype=float).reshape(-1, 5)
    mask = suppressed_cells(
        counts, row_totals="known", column_totals="known", overall_total="known", rule=rule
    )
    return with_hidden_rows(table, pd.Series(mask[:-1, :-1].ravel(), index=table.index), rule)


def _ends_hidden(table: pd.DataFrame, key: str) -> dict[str, bool]:
    """Per band or sex: whether the most or least deprived quintile's count is hidden."""
    hidden = _hidden(table)
    out = {}
    for value in table[key].unique():
        rows = np.flatnonzero(table[key].to_numpy() == value)
        out[value] = bool(hidden[rows[0]] or hidden[rows[-1]])
    return out


def _protect_infants(infants: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """Infants under 1 and in their first week, with the rest of the first year protected too."""
    under_1 = infants[infants["kind"] == "under_1"]["count"].to_numpy(dtype=float)
    first_week = infants[infants["kind"] == "first_week"]["count"].to_numpy(dtype=float)
    counts = np.vstack([first_week, under_1 - first_week])
    unpublished = np.zeros(counts.shape, dtype=bool)
    unpublished[1] = True  # 8 days to 1 year: never shown, but its cells add up
    mask = suppressed_cells(
        counts, row_totals="absent", column_totals="shown", overall_total="shown",
        rule=rule, unpublished=unpublished,
    )  # fmt: skip
    hidden = pd.Series(
        np.where(infants["kind"].to_numpy() == "first_week",
                 np.tile(mask[0, :-1], 2), np.tile(mask[-1, :-1], 2)),
        index=infants.index,
    )  # fmt: skip
    return with_hidden_rows(infants, hidden, rule)
