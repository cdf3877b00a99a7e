"""Localities inside the authority: a funnel plot, a map, a table and the findings in words."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import module, reactive, render, ui

from csc_inequalities.figures.funnel import POSITION_STYLE, funnel_chart
from csc_inequalities.figures.locality_map import locality_map
from csc_inequalities.publication.localities import LocalitiesView, chart_table, localities_view
from csc_inequalities.publication.shown import ShownResults
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.localities import (
    Localities,
    LocalityScheme,
    default_scheme_kind,
    file_scheme,
    localities,
    scheme_for,
)
from csc_inequalities.results.locality_maps import locality_geojson
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.standardise import issue_table
from modules.state import Settings
from modules.upload import read_and_delete

SCHEME_CHOICES = {
    "district": "Districts",
    "ward": "Electoral wards",
    "file": "Your own localities (upload a file)",
}
TABLE_HEADINGS = {
    "locality": "Locality",
    "lsoas": "Neighbourhoods (LSOAs)",
    "children": "Children aged 0-17",
    "count": "Count",
    "rate_per_10000": "Rate per 10,000",
    "expected": "Expected count",
    "ratio": "Standardised ratio",
    "ratio_lower": "Ratio lower 95% limit",
    "ratio_upper": "Ratio upper 95% limit",
    "position": "Against the funnel limits",
}


def locality_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The locality table as shown: plain headings and the funnel position in words."""
    table = frame[list(TABLE_HEADINGS)].copy()
    for column in ("ratio", "ratio_lower", "ratio_upper"):
        table[column] = table[column].map(lambda v: v if isinstance(v, str) else round(v, 2))
    words = {key: style[0] for key, style in POSITION_STYLE.items()}
    table["position"] = table["position"].map(lambda p: words.get(p, p if p else "-"))
    return table.rename(columns=TABLE_HEADINGS)


@module.ui
def localities_ui() -> ui.TagList:
    """The scheme and locality file first, then the funnel plot, the map and the findings."""
    return ui.TagList(
        ui.h2("Localities", class_="h4 mt-2"),
        ui.p(
            "Which of the authority's own areas intervene more, or less, than their "
            "deprivation predicts: each locality's count against the count expected if its "
            "children had the authority's own rate for their neighbourhood's deprivation decile."
        ),
        ui.card(
            ui.layout_columns(
                ui.input_radio_buttons("scheme", "Localities", SCHEME_CHOICES, inline=True),
                ui.input_file(
                    "locality_file",
                    "Your localities: LSOA code and locality name, one row per LSOA (CSV or XLSX)",
                    accept=[".csv", ".xlsx", ".txt"],
                ),
                col_widths=(6, 6),
            ),
            ui.output_ui("file_report"),
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Funnel plot of localities", class_="h6 m-0")),
                ui.output_ui("funnel"),
                ui.input_switch("as_table", "Show as table", False),
                ui.output_ui("table"),
            ),
            ui.card(
                ui.card_header(ui.h3("Findings", class_="h6 m-0")),
                ui.output_ui("findings"),
            ),
            col_widths=(7, 5),
        ),
        ui.card(
            ui.card_header(ui.h3("Map of localities", class_="h6 m-0")),
            ui.output_ui("map"),
            full_screen=True,
        ),
        ui.output_ui("notes"),
    )


@module.server
def localities_server(
    input,
    output,
    session,
    store: ReferenceStore,
    settings: Settings,
    analysis: Callable[[], Analysis],
    shown: Callable[[], ShownResults],
) -> Callable[[], Localities | str]:
    """Compare the localities of the chosen scheme in the session's analysis and view.

    Returns the result (or why there is none), for the report.
    """
    held: reactive.Value[tuple[str, bytes] | str | None] = reactive.value(None)

    @reactive.effect
    @reactive.event(settings.la_code, settings.imd_year)
    def _default_scheme() -> None:
        if input.scheme() != "file" or held() is None:
            kind = default_scheme_kind(store, settings.la_code(), settings.imd_year())
            ui.update_radio_buttons("scheme", selected=kind)

    @reactive.effect
    @reactive.event(input.locality_file)
    def _hold_the_file() -> None:
        try:
            ((name, content),) = read_and_delete(input.locality_file())
            held.set((name, content))
        except RecordsError as error:
            held.set(str(error))
        ui.update_radio_buttons("scheme", selected="file")

    @reactive.calc
    def scheme() -> LocalityScheme | str:
        la_code, imd_year = settings.la_code(), settings.imd_year()
        if input.scheme() != "file":
            return scheme_for(input.scheme(), store, la_code, imd_year)
        file = held()
        if file is None:
            return "Upload a file of LSOA codes and locality names to compare your own areas."
        if isinstance(file, str):
            return file
        try:
            return file_scheme(*file, store, la_code, imd_year)
        except RecordsError as error:
            return str(error)

    @reactive.calc
    def result() -> Localities | str:
        chosen = scheme()
        if isinstance(chosen, str):
            return chosen
        return chosen.problem or localities(analysis(), chosen)

    @reactive.calc
    def view() -> LocalitiesView | str:
        compared = result()
        if isinstance(compared, str):
            return compared
        current = shown()
        return localities_view(compared, current.context.view, current.context.rule, current.tables)

    def unavailable(text: str, where: str) -> ui.Tag:
        return ui.p(text, id=f"localities-unavailable-{where}", class_="alert alert-info")

    @render.ui
    def file_report():
        file = held()
        if input.scheme() != "file" or file is None:
            return None
        if isinstance(file, str):
            return ui.div(
                file, class_="alert alert-danger", role="alert", id="locality-file-report"
            )
        chosen = scheme()
        if isinstance(chosen, str):
            return ui.div(
                chosen, class_="alert alert-danger", role="alert", id="locality-file-report"
            )
        read = chosen.file
        lines = [
            ui.p(
                f"{read.file}: {read.rows_read:,} rows read, {read.rows_used:,} placed a "
                f"neighbourhood in one of {chosen.assignment['locality'].nunique():,} "
                "localities.",
                role="status",
            )
        ]
        if read.problem():
            lines.append(ui.p(read.problem(), class_="alert alert-danger", role="alert"))
        if not read.issues.empty:
            lines.append(
                issue_table(
                    read.issues,
                    f"Rows of {read.file} that were not used as given, with the reason",
                    "locality-issues",
                )
            )
        return ui.div(*lines, id="locality-file-report")

    @render.ui
    def funnel():
        seen, compared = view(), result()
        if isinstance(seen, str):
            return unavailable(seen, "funnel")
        fig, alt = funnel_chart(
            chart_table(seen.table),
            compared.measure.label(),
            compared.la_name,
            compared.scheme.label,
            compared.scheme.noun,
        )
        return plotly_ui(fig, "funnel-chart", alt)

    @render.ui
    def table():
        seen = view()
        if not input.as_table() or isinstance(seen, str):
            return None
        return html_table(
            locality_rows(seen.table),
            f"{result().measure.label()}: localities against their expected counts",
            table_id="localities-rows-table",
        )

    @render.ui
    def findings():
        seen = view()
        if isinstance(seen, str):
            return unavailable(seen, "findings")
        items = [ui.tags.li(sentence) for sentence in seen.sentences.values()]
        return ui.tags.ul(*items, id="localities-findings-list")

    @reactive.calc
    def polygons() -> dict | None:
        chosen = scheme()
        if isinstance(chosen, str):
            return None
        return locality_geojson(
            settings.imd_year(), settings.la_code(), chosen.kind, chosen.assignment
        )

    @render.ui
    def map():
        seen, compared = view(), result()
        if isinstance(seen, str):
            return unavailable(seen, "map")
        chosen = compared.scheme
        fig, alt = locality_map(
            polygons(), chart_table(seen.table), compared.measure.label(), compared.la_name,
            chosen.label,
        )  # fmt: skip
        return plotly_ui(fig, "locality-map", alt)

    @render.ui
    def notes():
        compared = result()
        if isinstance(compared, str):
            return None
        return ui.div(
            *[ui.p(note, class_="small text-body-secondary") for note in compared.notes],
            class_="mt-2",
        )

    return result
