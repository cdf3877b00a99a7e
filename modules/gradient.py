"""The social gradient: rate by deprivation decile with intervals, and the inequality summary."""

from __future__ import annotations

from collections.abc import Callable

from shiny import Inputs, Outputs, Session, module, render, ui

from csc_inequalities.figures.gradient import gradient_chart
from csc_inequalities.publication.charts import chart_frame, mark_suppressed_groups, marked_for_view
from csc_inequalities.publication.shown import WITHHELD_ON_SCREEN, ShownResults
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.stats.inequality import summary_rows
from modules.html_table import html_table, readable_table
from modules.plotly_html import plotly_ui
from modules.state import Settings

SUMMARY_HEADINGS = {
    "measure": "Measure",
    "value": "Estimate",
    "lower": "Lower 95% limit",
    "upper": "Upper 95% limit",
    "note": "Note",
}


@module.ui
def gradient_ui() -> ui.TagList:
    """Chart and table on the left, the plain-language summary on the right."""
    return ui.TagList(
        ui.h2("Social gradient", class_="h4 mt-2"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Rate by deprivation decile", class_="h6 m-0")),
                ui.output_ui("chart"),
                ui.layout_columns(
                    ui.input_switch("show_cwip", "Show England's gradient (CWIP 2015)", True),
                    ui.input_switch("as_table", "Show as table", False),
                ),
                ui.output_ui("table"),
                ui.output_ui("notes"),
            ),
            ui.card(
                ui.card_header(ui.h3("Inequality summary", class_="h6 m-0")),
                ui.output_ui("findings"),
                ui.output_ui("measures"),
            ),
            col_widths=(7, 5),
        ),
    )


@module.server
def gradient_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    settings: Settings,
    analysis: Callable[[], Analysis],
    shown: Callable[[], ShownResults],
):
    """Render the gradient of the session's one analysis in the chosen view."""

    @render.ui
    def chart():
        result = analysis()
        table = shown().frame("gradient")
        fig, alt = gradient_chart(
            chart_frame(table),
            result.overall,
            result.measure.label(),
            result.la_name,
            scheme=result.decile_scheme,
            cwip=result.cwip,
            show_cwip=input.show_cwip(),
        )
        alt = marked_for_view(fig, alt, table, shown().context.view, mark_suppressed_groups)
        return plotly_ui(fig, "gradient-plot", alt)

    @render.ui
    def table():
        if not input.as_table():
            return None
        return readable_table(
            shown().frame("gradient"),
            f"{analysis().measure.label()}: rate per 10,000 children by deprivation decile",
            table_id="gradient-table",
        )

    @render.ui
    def notes():
        notes = analysis().notes
        lines = [
            notes.deciles_note,
            notes.denominator_note,
            f"Confidence intervals: Byar's method, exact Poisson below 10 events. "
            f"{notes.cwip_note}",
        ]
        return ui.div(*[ui.p(line, class_="small text-body-secondary") for line in lines if line])

    @render.ui
    def findings():
        view = shown()
        items = [ui.tags.li(sentence) for sentence in view.sentences]
        withheld = ui.p(WITHHELD_ON_SCREEN, class_="small") if view.withheld else None
        return ui.div(ui.tags.ul(*items, id="findings-list"), withheld)

    @render.ui
    def measures():
        view = shown()
        if view.withheld:
            return None
        result = analysis()
        rows = summary_rows(result.summary).rename(columns=SUMMARY_HEADINGS)
        return ui.TagList(
            html_table(
                rows,
                "Inequality measures with 95% intervals",
                table_id="inequality-table",
            ),
            ui.p(result.notes.sii_note, class_="small text-body-secondary"),
        )
