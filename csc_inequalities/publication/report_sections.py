"""The report's sections on deprivation or practice and on localities, in the report's view.

Both come from the same view functions as the screen (publication.standardisation and
publication.localities), so a suppressed locality or a withheld split is left out of the
report exactly as it is on screen.
"""

from __future__ import annotations

import pandas as pd

from csc_inequalities.context.standardise import Standardisation
from csc_inequalities.figures.decomposition import decomposition_chart
from csc_inequalities.figures.funnel import POSITION_STYLE, funnel_chart
from csc_inequalities.figures.locality_map import locality_map
from csc_inequalities.figures.style import DECILE_DIRECTION
from csc_inequalities.publication.localities import chart_table, localities_view
from csc_inequalities.publication.report_content import (
    COLUMN_HEADINGS,
    ReportChart,
    ReportTable,
    Section,
    printed_table,
)
from csc_inequalities.publication.standardisation import WITHHELD, standardisation_view
from csc_inequalities.publication.tables import ViewTable
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.results.localities import Localities
from csc_inequalities.results.locality_maps import locality_geojson

STANDARDISE_HEADING = "How much is deprivation, how much is practice"
LOCALITIES_HEADING = "Localities inside the authority"
DECILE_COLUMNS = [
    "group_label",
    "children",
    "count",
    "rate_per_10000",
    "reference_rate",
    "expected",
]
DECILE_HEADINGS = {
    "reference_rate": "Reference rate per 10,000",
    "expected": "Expected count",
}
SUMMARY_HEADINGS = ("Measure", "Estimate", "Lower 95% limit", "Upper 95% limit", "Note")
SUMMARY_NUMBERS = ("value", "lower", "upper")
LOCALITY_COLUMNS = ["locality", "children", "count", "rate_per_10000", "expected", "ratio",
                    "ratio_lower", "ratio_upper", "position"]  # fmt: skip
LOCALITY_HEADINGS = {
    "locality": "Locality",
    "expected": "Expected count",
    "ratio": "Standardised ratio",
    "ratio_lower": "Ratio lower 95% limit",
    "ratio_upper": "Ratio upper 95% limit",
    "position": "Against the funnel limits",
}
DECIMALS = {"reference_rate": 1, "expected": 1, "ratio": 2, "ratio_lower": 2, "ratio_upper": 2}


def _formatted(frame: pd.DataFrame, decimals: dict[str, int]) -> pd.DataFrame:
    """Numbers of these columns as text with their decimals ('c' and text kept as they are)."""
    out = frame.copy()
    for column, places in decimals.items():
        if column in out.columns:
            out[column] = out[column].map(
                lambda v, p=places: v if isinstance(v, str) or pd.isna(v) else f"{v:,.{p}f}"
            )
    return out


def _printed(
    frame: pd.DataFrame, caption: str, columns: list[str], headings: dict[str, str]
) -> ReportTable:
    """printed_table with this section's headings and decimals."""
    table = printed_table(_formatted(frame, DECIMALS), caption, columns)
    present = [c for c in columns if c in frame.columns]
    names = tuple(headings.get(c, COLUMN_HEADINGS.get(c, c)) for c in present)
    return ReportTable(table.caption, names, table.rows)


def standardisation_section(
    result: Standardisation, tables: dict[str, ViewTable], context: ViewContext
) -> Section:
    """Observed against expected, the decomposition chart and sentence, and the decile table."""
    shown = standardisation_view(result, context.view, tables, context.rule)
    paragraphs = tuple(shown.sentences.values()) + ((WITHHELD,) if shown.withheld else ())
    charts: tuple[ReportChart, ...] = ()
    keys = set(shown.summary["key"])
    if result.decomposition is not None and "rate_a" in keys:
        split = {"composition", "rate_effect"} <= keys
        parts = result.decomposition
        fig, alt = decomposition_chart(
            parts.rate_b,
            result.reference_label,
            parts.rate_a,
            result.la_name,
            context.measure_label,
            parts.composition if split else None,
            parts.rate_effect if split else None,
            estimate=result.reference_is_estimate,
        )
        charts = (ReportChart("decomposition", "From England's rate to the authority's", fig, alt),)
    summary = _formatted(shown.summary.drop(columns="key"), dict.fromkeys(SUMMARY_NUMBERS, 2))
    printed_summary = printed_table(
        summary, "Observed and expected, and the split of the difference", list(summary.columns)
    )
    printed_summary = ReportTable(printed_summary.caption, SUMMARY_HEADINGS, printed_summary.rows)
    deciles = _printed(
        shown.deciles,
        f"{context.measure_label}: the authority and the reference rates by national IMD "
        f"decile ({DECILE_DIRECTION.lower()}).",
        DECILE_COLUMNS,
        DECILE_HEADINGS,
    )
    return Section(
        STANDARDISE_HEADING,
        paragraphs=paragraphs,
        bullets=result.notes,
        charts=charts,
        tables=(printed_summary, deciles),
    )


def localities_section(
    result: Localities | str, tables: dict[str, ViewTable], context: ViewContext
) -> Section:
    """The funnel plot, the map, the locality table and the findings, or why there are none."""
    if isinstance(result, str):
        return Section(LOCALITIES_HEADING, paragraphs=(result,))
    shown = localities_view(result, context.view, context.rule, tables)
    table = chart_table(shown.table)
    scheme = result.scheme
    fig, alt = funnel_chart(table, context.measure_label, result.la_name, scheme.label, scheme.noun)
    charts = [ReportChart("funnel", f"{scheme.label}: funnel plot", fig, alt)]
    geojson = locality_geojson(result.imd_year, result.la_code, scheme.kind, scheme.assignment)
    fig, alt = locality_map(geojson, table, context.measure_label, result.la_name, scheme.label)
    charts.append(ReportChart("locality-map", f"Map of {scheme.label.lower()}", fig, alt))
    words = {key: style[0] for key, style in POSITION_STYLE.items()}
    frame = shown.table.assign(position=shown.table["position"].map(lambda p: words.get(p, p)))
    printed = _printed(
        frame,
        f"{context.measure_label}: {scheme.label.lower()}, counts against the counts expected "
        "from the authority's own rates by deprivation decile.",
        LOCALITY_COLUMNS,
        LOCALITY_HEADINGS,
    )
    return Section(
        LOCALITIES_HEADING,
        paragraphs=tuple(shown.sentences.values()),
        bullets=result.notes,
        charts=tuple(charts),
        tables=(printed,),
    )


def area_sections(
    standardised: Standardisation,
    compared: Localities | str,
    tables: dict[str, ViewTable],
    context: ViewContext,
) -> tuple[Section, Section]:
    """Both sections, for build_report's extra sections."""
    return (
        standardisation_section(standardised, tables, context),
        localities_section(compared, tables, context),
    )
