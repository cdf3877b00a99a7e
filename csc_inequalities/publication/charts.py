"""The app's charts drawn from the tables of the chosen view, with alt text to match.

In the publication view the charts are drawn from the protected tables: a suppressed bar or
point is left out, and the alt text says it is suppressed rather than giving its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.ethnicity import (
    ethnicity_chart,
    ethnicity_deprivation_chart,
    group_ticks,
)
from csc_inequalities.figures.gradient import gradient_chart
from csc_inequalities.figures.maps import authority_decile_map
from csc_inequalities.figures.style import DECILE_DIRECTION
from csc_inequalities.figures.trend import quintile_trend_chart, sii_trend_chart
from csc_inequalities.publication.disclosure import SUPPRESSED, View
from csc_inequalities.publication.report_content import ReportChart
from csc_inequalities.publication.tables import ViewTable
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.reference.maps_data import authority_geojson

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store
    from csc_inequalities.results.analysis import Analysis

NUMERIC_COLUMNS = (
    "count",
    "rate_per_10000",
    "lower_95ci",
    "upper_95ci",
    "ratio_to_white",
    "ratio_lower",
    "ratio_upper",
    "sii",
    "sii_lower",
    "sii_upper",
    "rii",
    "rii_lower",
    "rii_upper",
    "proportion",
    "numerator",
    "denominator",
    "share",
    "ratio",
)
CHART_TITLES = {
    "map": "Neighbourhoods by deprivation decile",
    "gradient": "Rate per 10,000 children by deprivation decile",
    "ethnicity": "Rate per 10,000 children by ethnic group",
    "ethnicity-by-deprivation": "Rate per 10,000 children by ethnic group and deprivation",
    "trend": "Rate per 10,000 children by deprivation quintile over time",
    "trend-sii": "Slope index of inequality over time",
}


def group_directions(deciles: str) -> dict[str, str | None]:
    """Which end is most deprived, in words, per chart (None where groups are not deprivation)."""
    if deciles == "local":
        decile = "Decile 1 = the authority's own most deprived tenth of neighbourhoods"
        quintile = "Quintile 1 = the authority's own most deprived fifth of neighbourhoods"
    else:
        decile = DECILE_DIRECTION
        quintile = "Quintile 1 = most deprived 20% of neighbourhoods in England"
    national = "Quintile 1 = most deprived 20% of neighbourhoods in England"
    return {
        "gradient": decile,
        "ethnicity": None,
        "ethnicity-by-deprivation": national,
        "trend": quintile,
        "trend-sii": decile,
    }


def chart_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A published table with 'c' turned into missing values, so charts leave those out."""
    out = frame.copy(deep=False)  # copy-on-write: changes to either frame stay their own
    for column in NUMERIC_COLUMNS:
        # Only a column holding 'c' is text; the internal view's are numbers already.
        if column in out.columns and not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = pd.to_numeric(out[column].replace(SUPPRESSED, None), errors="coerce")
    return out


def deprivation_map_chart(store: Store, analysis: Analysis, domain: str = "imd") -> ReportChart:
    """The authority's neighbourhoods by national deprivation decile: publishable in any view."""
    fig, alt = authority_decile_map(
        authority_geojson(analysis.imd_year, analysis.la_code),
        store.authority_lsoas(analysis.imd_year, analysis.la_code),
        analysis.la_name,
        analysis.imd_year,
        domain,
    )
    return ReportChart("map", CHART_TITLES["map"], fig, alt, DECILE_DIRECTION)


def analysis_charts(
    analysis: Analysis,
    tables: dict[str, ViewTable],
    context: ViewContext,
    store: Store | None = None,
) -> list[ReportChart]:
    """Every chart of the analysis that its view's tables allow, keyed like the tables.

    With the reference store, the deprivation map of the authority comes first.
    """
    charts = []
    publication = context.view is View.PUBLICATION
    if "gradient" in tables:
        fig, alt = gradient_chart(
            chart_frame(tables["gradient"].frame),
            analysis.overall,
            context.measure_label,
            context.la_name,
            analysis.decile_scheme,
            analysis.cwip,
        )
        if publication:
            mark_suppressed_groups(fig, tables["gradient"].frame)
        charts.append(ReportChart("gradient", CHART_TITLES["gradient"], fig, alt))
    if "ethnicity" in tables:
        frame = tables["ethnicity"].frame
        fig, alt = ethnicity_chart(
            chart_frame(frame),
            analysis.overall.rate_per_10000,
            context.measure_label,
            context.la_name,
        )
        if publication:
            mark_suppressed_ethnic_groups(fig, frame)
        not_known = frame.loc[frame["ethnic_group"] == "Not known", "count"]
        if publication and (not_known == SUPPRESSED).any():
            alt = re.sub(r"not known for [\d,]+ counted", "not known for a few (suppressed)", alt)
        charts.append(ReportChart("ethnicity", CHART_TITLES["ethnicity"], fig, alt))
    if "ethnicity-by-deprivation" in tables:
        fig, alt = ethnicity_deprivation_chart(
            chart_frame(tables["ethnicity-by-deprivation"].frame),
            context.measure_label,
            context.la_name,
        )
        charts.append(
            ReportChart(
                "ethnicity-by-deprivation", CHART_TITLES["ethnicity-by-deprivation"], fig, alt
            )
        )
    trend = tables.get("trend-gradient")
    if trend is not None and trend.frame["year"].nunique() > 1:
        fig, alt = quintile_trend_chart(
            chart_frame(trend.frame), context.measure_label, context.la_name, analysis.deciles
        )
        charts.append(ReportChart("trend", CHART_TITLES["trend"], fig, alt))
        fig, alt = sii_trend_chart(
            chart_frame(tables["trend-sii"].frame), context.measure_label, context.la_name
        )
        charts.append(ReportChart("trend-sii", CHART_TITLES["trend-sii"], fig, alt))
    directions = group_directions(analysis.deciles)
    deprivation_map = [] if store is None else [deprivation_map_chart(store, analysis)]
    return deprivation_map + [
        ReportChart(
            c.key,
            c.title,
            c.figure,
            suppressed_in_words(c.alt_text) if publication else c.alt_text,
            directions[c.key],
        )
        for c in charts
    ]


def mark_suppressed_groups(fig: go.Figure, frame: pd.DataFrame) -> None:
    """Mark the suppressed deprivation groups of a published gradient chart."""
    mark_suppressed(fig, frame, "group")


def mark_suppressed_ethnic_groups(fig: go.Figure, frame: pd.DataFrame) -> None:
    """Mark the suppressed groups of a published ethnicity chart (whose bars are named)."""
    shown = frame[frame["ethnic_group"] != "Not known"]
    mark_suppressed(fig, shown.assign(tick=group_ticks(shown)), "tick")


def mark_suppressed(fig: go.Figure, frame: pd.DataFrame, x_column: str) -> None:
    """A 'c' at the foot of every suppressed bar, so a gap is not read as zero."""
    hidden = frame[frame["count"] == SUPPRESSED]
    if hidden.empty:
        return
    fig.add_trace(
        go.Scatter(
            x=hidden[x_column].tolist(),
            y=[0] * len(hidden),
            mode="text",
            text=[SUPPRESSED] * len(hidden),
            textposition="top center",
            textfont={"size": 14},
            name=f"{SUPPRESSED} = suppressed (disclosure control)",
            hoverinfo="skip",
        )
    )


def marked_for_view(
    fig: go.Figure,
    alt_text: str,
    frame: pd.DataFrame,
    view: View,
    mark: Callable[[go.Figure, pd.DataFrame], None],
) -> str:
    """In the publication view, mark the chart's suppressed bars and say so in its alt text."""
    if view is not View.PUBLICATION:
        return alt_text
    mark(fig, frame)
    return suppressed_in_words(alt_text)


def suppressed_in_words(alt_text: str) -> str:
    """Alt text that says 'suppressed' where a hidden value came through as 'nan'."""
    return re.sub(r"\bnan\b", "suppressed", alt_text)
