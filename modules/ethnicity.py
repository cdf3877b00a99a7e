"""Rates by ethnic group, and by ethnic group within deprivation quintiles."""

from __future__ import annotations

from collections.abc import Callable

from shiny import Inputs, Outputs, Session, module, render, ui

from csc_inequalities.figures.ethnicity import ethnicity_chart, ethnicity_deprivation_chart
from csc_inequalities.publication.charts import (
    chart_frame,
    mark_suppressed_ethnic_groups,
    marked_for_view,
)
from csc_inequalities.publication.shown import WITHHELD_ON_SCREEN, ShownResults
from csc_inequalities.results.analysis import Analysis
from modules.html_table import readable_table
from modules.plotly_html import plotly_ui
from modules.state import Settings


@module.ui
def ethnicity_ui() -> ui.TagList:
    """Two charts, each with a table view and the method in words."""
    return ui.TagList(
        ui.h2("Ethnicity", class_="h4 mt-2"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Rate by ethnic group", class_="h6 m-0")),
                ui.output_ui("by_group"),
                ui.input_switch("group_as_table", "Show as table", False),
                ui.output_ui("group_table"),
                ui.output_ui("group_findings"),
            ),
            ui.card(
                ui.card_header(
                    ui.h3("Rate by ethnic group within deprivation quintiles", class_="h6 m-0")
                ),
                ui.output_ui("by_quintile"),
                ui.input_switch("quintile_as_table", "Show as table", False),
                ui.output_ui("quintile_table"),
            ),
            col_widths=(6, 6),
        ),
        ui.output_ui("method"),
    )


@module.server
def ethnicity_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    settings: Settings,
    analysis: Callable[[], Analysis],
    shown: Callable[[], ShownResults],
):
    """Render the ethnicity results of the session's analysis in the chosen view."""

    @render.ui
    def by_group():
        result = analysis()
        frame = shown().frame("ethnicity")
        fig, alt = ethnicity_chart(
            chart_frame(frame),
            result.overall.rate_per_10000,
            result.measure.label(),
            result.la_name,
        )
        alt = marked_for_view(fig, alt, frame, shown().context.view, mark_suppressed_ethnic_groups)
        return plotly_ui(fig, "ethnicity-chart", alt)

    @render.ui
    def group_table():
        if not input.group_as_table():
            return None
        return readable_table(
            shown().frame("ethnicity"), "Rate per 10,000 children by ethnic group"
        )

    @render.ui
    def group_findings():
        view = shown()
        result = analysis()
        if view.context.view.value == "publication":
            return ui.p(WITHHELD_ON_SCREEN, class_="small")
        return ui.tags.ul(*[ui.tags.li(s) for s in result.ethnicity_sentences.values()])

    @render.ui
    def by_quintile():
        result = analysis()
        table = chart_frame(shown().frame("ethnicity-by-deprivation"))
        fig, alt = ethnicity_deprivation_chart(table, result.measure.label(), result.la_name)
        return plotly_ui(fig, "ethnicity-deprivation-chart", alt)

    @render.ui
    def quintile_table():
        if not input.quintile_as_table():
            return None
        return readable_table(
            shown().frame("ethnicity-by-deprivation"),
            "Rate per 10,000 children by ethnic group within national deprivation quintiles",
        )

    @render.ui
    def method():
        notes = analysis().notes
        return ui.div(
            ui.h3("How the denominators are made", class_="h6"),
            ui.p(notes.ethnicity_note, class_="small"),
            ui.p(notes.ethnicity_deprivation_note, class_="small"),
        )
