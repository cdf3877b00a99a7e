"""Trend: the gradient by quintile and the slope index of inequality across reporting years."""

from __future__ import annotations

from collections.abc import Callable

from shiny import Inputs, Outputs, Session, module, render, ui

from csc_inequalities.figures.trend import quintile_trend_chart, sii_trend_chart
from csc_inequalities.publication.charts import chart_frame
from csc_inequalities.publication.shown import ShownResults
from csc_inequalities.results.analysis import Analysis
from modules.html_table import readable_table
from modules.plotly_html import plotly_ui
from modules.state import Settings


@module.ui
def trend_ui() -> ui.TagList:
    """Two trend charts, each with a table view."""
    return ui.TagList(
        ui.h2("Trend", class_="h4 mt-2"),
        ui.output_ui("years_note"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Rate by deprivation quintile, by year", class_="h6 m-0")),
                ui.output_ui("gradient_trend"),
            ),
            ui.card(
                ui.card_header(ui.h3("Slope index of inequality, by year", class_="h6 m-0")),
                ui.output_ui("sii_trend"),
            ),
            col_widths=(6, 6),
        ),
        ui.input_switch("as_table", "Show as tables", False),
        ui.output_ui("tables"),
    )


@module.server
def trend_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    settings: Settings,
    analysis: Callable[[], Analysis],
    shown: Callable[[], ShownResults],
):
    """Render the trend of the session's analysis in the chosen view."""

    @render.ui
    def years_note():
        sii = analysis().trend.sii
        if len(sii) < 2:
            return ui.p(
                "The records cover one reporting year only: a trend needs at least two.",
                class_="alert alert-info",
            )
        years = sii["year"].astype(int)
        return ui.p(
            f"Reporting years ending 31 March {years.min()} to {years.max()}, "
            f"{analysis().measure.noun()}.",
            class_="small text-body-secondary",
        )

    @render.ui
    def gradient_trend():
        result = analysis()
        frame = shown().frame("trend-gradient")
        if frame is None or frame.empty:
            return None
        fig, alt = quintile_trend_chart(
            chart_frame(frame), result.measure.series_label(), result.la_name, result.deciles
        )
        return plotly_ui(fig, "trend-chart", alt)

    @render.ui
    def sii_trend():
        result = analysis()
        frame = shown().frame("trend-sii")
        if frame is None or frame.empty:
            return None
        fig, alt = sii_trend_chart(
            chart_frame(frame), result.measure.series_label(), result.la_name
        )
        return plotly_ui(fig, "sii-trend-chart", alt)

    @render.ui
    def tables():
        if not input.as_table():
            return None
        view = shown()
        parts = []
        for key in ("trend-gradient", "trend-sii"):
            table = view.tables.get(key)
            if table is not None:
                frame = table.frame.rename(columns={"group_label": "quintile_label"})
                parts.append(readable_table(frame, f"{table.title}. {table.caption}"))
        return ui.TagList(*parts)
