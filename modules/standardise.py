"""Deprivation or practice: the authority against England's decile rates, in numbers and words."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import module, reactive, render, ui

from csc_inequalities.context.standardise import Standardisation, standardise, uploaded_reference
from csc_inequalities.figures.decomposition import decomposition_chart
from csc_inequalities.publication.shown import ShownResults
from csc_inequalities.publication.standardisation import (
    WITHHELD,
    StandardisationView,
    standardisation_view,
)
from csc_inequalities.records.area_files import ReferenceFile, read_reference_gradient
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.analysis import Analysis
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.state import Settings
from modules.upload import read_and_delete

DECILE_HEADINGS = {
    "group_label": "National IMD decile (1 = most deprived)",
    "children": "Children aged 0-17",
    "share_of_children": "Share of the authority's children",
    "england_share_of_children": "Share of England's children",
    "count": "Count",
    "rate_per_10000": "Rate per 10,000",
    "reference_rate": "Reference rate per 10,000",
    "expected": "Expected count at the reference rates",
}
SUMMARY_HEADINGS = {
    "measure": "Measure",
    "value": "Estimate",
    "lower": "Lower 95% limit",
    "upper": "Upper 95% limit",
    "note": "Note",
}
ISSUE_HEADINGS = {"row": "Row", "severity": "Severity", "reason": "Reason", "detail": "Detail"}


def decile_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The decile table as shown: plain headings, shares as percentages."""
    table = frame[list(DECILE_HEADINGS)].copy()
    for column in ("share_of_children", "england_share_of_children"):
        table[column] = (table[column] * 100).round(1)
    return table.rename(columns=DECILE_HEADINGS)


def issue_table(issues: pd.DataFrame, caption: str, table_id: str) -> ui.Tag:
    """A small file's unused rows, each with its row in the file and the reason."""
    return html_table(
        issues[list(ISSUE_HEADINGS)].rename(columns=ISSUE_HEADINGS), caption, table_id=table_id
    )


@module.ui
def standardise_ui() -> ui.TagList:
    """The decomposition chart and its table, the findings, and the reference gradient."""
    return ui.TagList(
        ui.h2("How much is deprivation, how much is practice", class_="h4 mt-2"),
        ui.p(
            "The authority's count set against the count expected if its children had "
            "England's rate for their neighbourhood's national deprivation decile, and the "
            "difference between its rate and England's split into the part due to its mix of "
            "neighbourhoods and the part due to different rates within deciles."
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("From England's rate to the authority's", class_="h6 m-0")),
                ui.output_ui("chart"),
                ui.input_switch("as_table", "Show as table", False),
                ui.output_ui("table"),
            ),
            ui.card(
                ui.card_header(ui.h3("Findings", class_="h6 m-0")),
                ui.output_ui("findings"),
                ui.output_ui("summary"),
            ),
            col_widths=(7, 5),
        ),
        ui.card(
            ui.card_header(ui.h3("Reference rates by decile", class_="h6 m-0")),
            ui.layout_columns(
                ui.input_file(
                    "reference",
                    "Your own reference rates: decile (1 = most deprived) and rate per 10,000 "
                    "(CSV or XLSX)",
                    accept=[".csv", ".xlsx", ".txt"],
                ),
                ui.div(
                    ui.input_action_button("use_england", "Use England's estimated rates"),
                    class_="pt-4",
                ),
                col_widths=(8, 4),
            ),
            ui.output_ui("reference_status"),
        ),
        ui.output_ui("notes"),
    )


@module.server
def standardise_server(
    input,
    output,
    session,
    store: ReferenceStore,
    settings: Settings,
    analysis: Callable[[], Analysis],
    shown: Callable[[], ShownResults],
) -> Callable[[], Standardisation]:
    """Standardise the session's analysis against England's or the user's decile rates.

    Returns the result, for the report.
    """
    reference_file: reactive.Value[ReferenceFile | str | None] = reactive.value(None)

    @reactive.effect
    @reactive.event(input.reference)
    def _read_the_reference() -> None:
        try:
            ((name, content),) = read_and_delete(input.reference())
            reference_file.set(read_reference_gradient(name, content))
        except RecordsError as error:
            reference_file.set(str(error))

    @reactive.effect
    @reactive.event(input.use_england)
    def _back_to_england() -> None:
        reference_file.set(None)

    @reactive.calc
    def result() -> Standardisation:
        read = reference_file()
        reference = (
            uploaded_reference(read.rates, read.file)
            if isinstance(read, ReferenceFile) and read.rates is not None
            else None
        )
        return standardise(analysis(), store, reference)

    @reactive.calc
    def view() -> StandardisationView:
        current = shown()
        return standardisation_view(
            result(), current.context.view, current.tables, current.context.rule
        )

    @render.ui
    def chart():
        standardised, seen = result(), view()
        parts = standardised.decomposition
        if parts is None:
            return ui.p(
                f"No comparison can be drawn: {standardised.reason}.",
                id="standardise-unavailable",
                class_="alert alert-info",
            )
        shown_keys = set(seen.summary["key"])
        if "rate_a" not in shown_keys:
            return ui.p(WITHHELD, id="standardise-unavailable", class_="alert alert-info")
        split = {"composition", "rate_effect"} <= shown_keys
        fig, alt = decomposition_chart(
            parts.rate_b,
            standardised.reference_label,
            parts.rate_a,
            standardised.la_name,
            standardised.measure.label(),
            parts.composition if split else None,
            parts.rate_effect if split else None,
            estimate=standardised.reference_is_estimate,
        )
        return plotly_ui(fig, "decomposition-chart", alt)

    @render.ui
    def table():
        if not input.as_table():
            return None
        return html_table(
            decile_table(view().deciles),
            f"{result().measure.label()}: the authority and the reference by national decile",
            table_id="standardise-decile-table",
        )

    @render.ui
    def findings():
        seen = view()
        items = [ui.tags.li(sentence) for sentence in seen.sentences.values()]
        withheld = ui.p(WITHHELD, class_="small") if seen.withheld else None
        return ui.div(ui.tags.ul(*items, id="standardise-findings-list"), withheld)

    @render.ui
    def summary():
        rows = view().summary.drop(columns="key").rename(columns=SUMMARY_HEADINGS)
        caption = "Observed and expected, and the split of the difference"
        return html_table(rows, caption, "standardise-summary-table")

    @render.ui
    def reference_status():
        read = reference_file()
        if read is None:
            return ui.p(
                "Using England's estimated rates. Upload rates of your own (for example a "
                "region's, or a research gradient) to compare with them instead.",
                class_="small",
                id="reference-status",
            )
        if isinstance(read, str):
            return ui.div(read, class_="alert alert-danger", role="alert", id="reference-status")
        parts = []
        if read.problem:
            parts.append(ui.p(read.problem, class_="alert alert-danger", role="alert"))
        else:
            parts.append(ui.p(f"Using the reference rates in {read.file}.", role="status"))
        if read.warning:
            parts.append(ui.p(read.warning, class_="alert alert-warning"))
        if not read.issues.empty:
            parts.append(
                issue_table(
                    read.issues,
                    f"Rows of {read.file} that were not used, with the reason",
                    "reference-issues",
                )
            )
        return ui.div(*parts, id="reference-status")

    @render.ui
    def notes():
        return ui.div(
            *[ui.p(note, class_="small text-body-secondary") for note in result().notes],
            class_="mt-2",
        )

    return result
