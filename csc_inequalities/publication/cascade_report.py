"""The report's sections on the decision cascade and on age and sex, from the view's tables.

Kept apart from publication/cascade.py (what each view may show) so that the report's content
module and the cascade's publication rules do not import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from csc_inequalities.figures.cascade import (
    cascade_chart,
    codes_chart,
    conversions_chart,
    infants_chart,
    quintile_lines_chart,
)
from csc_inequalities.publication.cascade import ShownTables, age_sex_shown, cascade_shown
from csc_inequalities.publication.charts import chart_frame
from csc_inequalities.publication.report_content import (
    WITHHELD_NOTE,
    ReportChart,
    ReportTable,
    Section,
    shown_rows,
)
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.results.age_sex import run_age_sex
from csc_inequalities.results.cascade import run_cascade

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store
    from csc_inequalities.results.analysis import Analysis

STAGE_PRINT = {
    "stage_label": ("Decision", 0),
    "group_label": ("Deprivation quintile (1 = most deprived)", 0),
    "children": ("Children", 0),
    "count": ("Count", 0),
    "rate_per_10000": ("Rate per 10,000", 1),
    "lower_95ci": ("Lower 95% limit", 1),
    "upper_95ci": ("Upper 95% limit", 1),
}
CONVERSION_PRINT = {
    "conversion_label": ("Conversion", 0),
    "group_label": ("Deprivation quintile (1 = most deprived)", 0),
    "group_name": ("Ethnic group", 0),
    "numerator": ("Later decisions", 0),
    "denominator": ("Earlier decisions", 0),
    "proportion": ("Per 100", -100),
    "lower_95ci": ("Lower 95% limit", -100),
    "upper_95ci": ("Upper 95% limit", -100),
}
GAP_PRINT = {
    "stage_label": ("Decision", 0),
    "ratio": ("Most / least deprived fifth", 2),
    "lower_95ci": ("Lower 95% limit", 2),
    "upper_95ci": ("Upper 95% limit", 2),
}
ETHNIC_PRINT = {
    "stage_label": ("Decision", 0),
    "group_name": ("Ethnic group", 0),
    "count": ("Count", 0),
    "rate_per_10000": ("Rate per 10,000", 1),
    "ratio_to_white": ("Ratio to White", 2),
}
CODE_PRINT = {
    "quintile_label": ("Deprivation quintile (1 = most deprived)", 0),
    "description": ("Code", 0),
    "count": ("Count", 0),
    "share": ("Share of the quintile's (per 100)", -100),
}
AGE_PRINT = {
    "age_label": ("Age band", 0),
    "sex_label": ("Sex", 0),
    "kind_label": ("Babies", 0),
    "group_label": ("Deprivation quintile (1 = most deprived)", 0),
    "children": ("Children", 0),
    "count": ("Count", 0),
    "rate_per_10000": ("Rate per 10,000", 1),
    "lower_95ci": ("Lower 95% limit", 1),
    "upper_95ci": ("Upper 95% limit", 1),
}


def _table_caption(shown: ShownTables, key: str) -> str:
    """A shown table's title and caption as one printed caption."""
    table = shown.tables[key]
    return f"{table.title}. {table.caption}"


def _shown_section(
    title: str,
    shown: ShownTables,
    printed_as: Sequence[tuple[str, dict[str, tuple[str, int]]]],
    charts: Sequence[ReportChart],
    notes: Sequence[str],
) -> Section:
    """A section of the view's sentences, notes, charts and the shown tables, each printed so."""
    printed: list[ReportTable] = []
    for key, columns in printed_as:
        if key in shown.tables:
            printed += shown_rows(shown.frame(key), _table_caption(shown, key), columns)
    return Section(
        title,
        paragraphs=tuple(shown.sentences) + ((WITHHELD_NOTE,) if shown.withheld else ()),
        bullets=tuple(notes),
        charts=tuple(charts),
        tables=tuple(printed),
    )


def cascade_section(
    shown: ShownTables, charts: Sequence[ReportChart], notes: Sequence[str]
) -> Section:
    """Where inequality is amplified: the decision cascade's findings, charts and tables."""
    tables = (
        ("cascade-stages", STAGE_PRINT),
        ("cascade-gaps", GAP_PRINT),
        ("cascade-conversions", CONVERSION_PRINT),
        ("cascade-ethnicity", ETHNIC_PRINT),
        ("cascade-need", CODE_PRINT),
        ("cascade-abuse", CODE_PRINT),
        ("cascade-factors", CODE_PRINT),
    )
    return _shown_section(
        "The decision cascade: where the gap widens", shown, tables, charts, notes
    )


def age_sex_section(
    shown: ShownTables, charts: Sequence[ReportChart], notes: Sequence[str]
) -> Section:
    """Age and sex: the measure by age band and sex, and babies starting care."""
    tables = tuple((key, AGE_PRINT) for key in ("age-bands", "sexes", "infants"))
    return _shown_section("Age and sex", shown, tables, charts, notes)


def report_sections(
    analysis: Analysis, records: LoadResult, context: ViewContext, store: Store
) -> tuple[Section, ...]:
    """The report's cascade and age and sex sections for an analysis, in its view.

    The cascade is of the measure's reporting year; both follow the analysis's age and sex.
    """

    who, measure = analysis.measure.who, analysis.measure
    common = (records, store, analysis.la_code, analysis.imd_year)
    options = (analysis.deciles, analysis.domain, who.age_band, who.sex)
    cascade = run_cascade(*common, measure.year, *options)
    shown = cascade_shown(cascade, context.view, context.rule)
    charts = []
    if "cascade-stages" in shown.tables:
        title = f"Decisions from referral to care{who.suffix()}"
        fig, alt = cascade_chart(
            chart_frame(shown.frame("cascade-stages")), cascade.la_name, title, cascade.period,
            who.people(), cascade.quintile_scheme,
        )  # fmt: skip
        charts.append(ReportChart("cascade", title, fig, alt))
    if "cascade-conversions" in shown.tables:
        title = f"Conversions between decisions{who.suffix()}"
        fig, alt = conversions_chart(
            chart_frame(shown.frame("cascade-conversions")), cascade.la_name, title,
            cascade.period, cascade.quintile_scheme,
        )  # fmt: skip
        charts.append(ReportChart("cascade-conversions", title, fig, alt))
    for key, name, what in (
        ("cascade-need", "Primary need at referral", "referrals"),
        ("cascade-abuse", "Initial category of abuse of plans started", "plans"),
    ):
        if key in shown.tables:
            fig, alt = codes_chart(
                chart_frame(shown.frame(key)), cascade.la_name, name,
                f"{cascade.la_name}: share of the quintile's {what}, {cascade.period}", what,
            )  # fmt: skip
            charts.append(ReportChart(key, name, fig, alt))
    sections = [cascade_section(shown, charts, cascade.notes)]
    result = run_age_sex(*common, measure, *options)
    people = age_sex_shown(result, context.view, context.rule)
    charts = []
    for key, label, words in (
        ("age-bands", "age_label", "by age band"),
        ("sexes", "sex_label", "girls and boys"),
    ):
        if key in people.tables:
            fig, alt = quintile_lines_chart(
                chart_frame(people.frame(key)), label, f"{measure.label()}: {words}",
                f"{result.la_name}: rate by deprivation quintile",
                "Rate per 10,000 children of the age or sex shown",
            )  # fmt: skip
            charts.append(ReportChart(key, f"{measure.label()}: {words}", fig, alt))
    if "infants" in people.tables:
        title = f"Babies starting to be looked after, year ending 31 March {measure.year}"
        fig, alt = infants_chart(chart_frame(people.frame("infants")), result.la_name, title)
        charts.append(ReportChart("infants", title, fig, alt))
    sections.append(age_sex_section(people, charts, result.notes))
    return tuple(sections)
