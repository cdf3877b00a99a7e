"""The export panel: each chart as PNG and SVG, each table as CSV and XLSX, the report as DOCX
and HTML, all in the view the sidebar shows (publication unless internal is chosen)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
from shiny import Inputs, Outputs, Session, module, reactive, render, req, ui
from shiny.types import SilentException

from csc_inequalities.exports.filenames import export_filename
from csc_inequalities.exports.images import (
    MEDIA_TYPES,
    ImageExportError,
    figure_image,
    print_ready,
)
from csc_inequalities.exports.report import REPORT_FORMATS, report_bytes, report_filename
from csc_inequalities.exports.tables import csv_bytes, xlsx_bytes
from csc_inequalities.figures.layers import LAYERS, layer_map
from csc_inequalities.publication.charts import CHART_TITLES, analysis_charts, deprivation_map_chart
from csc_inequalities.publication.disclosure import View, check_map_publishable
from csc_inequalities.publication.report_content import ReportChart, Section
from csc_inequalities.publication.shown import ShownResults
from csc_inequalities.publication.tables import ViewTable
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.maps_data import authority_geojson
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.analysis import Analysis
from modules.state import Settings

TABLE_LABELS = {
    "gradient": "Rates by deprivation decile",
    "gradient-quintiles": "Rates by deprivation quintile",
    "ethnicity": "Rates by ethnic group",
    "ethnicity-by-deprivation": "Rates by ethnic group within deprivation quintiles",
    "neighbourhoods": "Neighbourhoods (LSOAs)",
    "trend-gradient": "Rates by quintile and year",
    "trend-sii": "Slope index of inequality by year",
}
EXPORT_VIEWS = {
    View.PUBLICATION.value: "the publication view (disclosure control applied)",
    View.INTERNAL.value: "the internal view (exact figures, not for publication)",
}
CHART_KEYS = [key for key in CHART_TITLES if key != "map"]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _output_id(key: str, kind: str) -> str:
    """A Shiny output id for one download (letters, digits and underscores only)."""
    return f"{key.replace('-', '_')}_{kind}"


def _button(output_id: str, label: str, name: str) -> ui.Tag:
    """A small download button whose accessible name says what it downloads."""
    return ui.download_button(output_id, label, class_="btn-sm me-2", aria_label=name)


async def _image(fig: go.Figure, image_format: str) -> bytes:
    """Render off the event loop; if the browser is missing, say so instead of failing silently."""
    try:
        return await asyncio.to_thread(figure_image, fig, image_format)
    except ImageExportError as error:
        ui.notification_show(str(error), type="error", duration=15)
        raise SilentException() from None
    except Exception:
        ui.notification_show(
            "The image could not be drawn: image export needs Chromium on the server "
            "(see the README). Tables and the HTML report's text still work.",
            type="error",
            duration=10,
        )
        raise SilentException() from None


@module.ui
def exports_ui() -> ui.TagList:
    """Headings, the active view and rule, then charts, map, tables and report downloads."""
    chart_rows = [
        ui.tags.li(
            ui.h4(title, class_="h6 mb-1"),
            _button(_output_id(key, "png"), "PNG", f"{title} as PNG"),
            _button(_output_id(key, "svg"), "SVG", f"{title} as SVG"),
            ui.output_ui(_output_id(key, "alt")),
            class_="mb-3",
        )
        for key, title in CHART_TITLES.items()
        if key in CHART_KEYS
    ]
    table_rows = [
        ui.tags.li(
            ui.h4(label, class_="h6 mb-1"),
            _button(_output_id(key, "csv"), "CSV", f"{label} as CSV"),
            _button(_output_id(key, "xlsx"), "XLSX", f"{label} as XLSX"),
            class_="mb-3",
        )
        for key, label in TABLE_LABELS.items()
    ]
    return ui.TagList(
        ui.h2("Export", class_="h4 mt-2"),
        ui.input_radio_buttons(
            "export_view",
            "Exports are in",
            EXPORT_VIEWS,
            selected=View.PUBLICATION.value,
            inline=True,
        ),
        ui.output_ui("view_status"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Report", class_="h6 m-0")),
                ui.p(
                    "One document with the charts, tables, plain-language findings, methods, "
                    "data quality notes, caveats and sources."
                ),
                ui.div(
                    ui.download_button("report_docx", "Word report (DOCX)", class_="me-2"),
                    ui.download_button("report_html", "Web page report (HTML)"),
                ),
            ),
            ui.card(
                ui.card_header(ui.h3("Map", class_="h6 m-0")),
                ui.input_radio_buttons("map_layer", "Colour neighbourhoods by", LAYERS),
                ui.output_ui("map_downloads"),
            ),
            col_widths=(6, 6),
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Charts", class_="h6 m-0")),
                ui.p(
                    "Print quality: PNG at 300 dots per inch across an A4 page's text width, "
                    "or SVG. Each chart's text alternative is given below its buttons.",
                    class_="small",
                ),
                ui.tags.ul(*chart_rows, class_="list-unstyled"),
            ),
            ui.card(
                ui.card_header(ui.h3("Tables", class_="h6 m-0")),
                ui.p(
                    "CSV, or XLSX with a metadata sheet (sources, reference date, definitions, "
                    "the disclosure rule, date generated, app version).",
                    class_="small",
                ),
                ui.tags.ul(*table_rows, class_="list-unstyled"),
                ui.download_button("all_tables_xlsx", "All tables in one workbook (XLSX)"),
            ),
            col_widths=(6, 6),
        ),
    )


@module.server
def exports_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    store: ReferenceStore,
    settings: Settings,
    records: Callable[[], LoadResult],
    analysis: Callable[[], Analysis],
    shown_in: Callable[[str], ShownResults],
    report_sections: Callable[[ViewContext, dict], Sequence[Section]] | None = None,
):
    """Register a download for every chart, table, the map and the report of the session.

    ``shown_in`` gives the analysis as a view shows it (the tables the screen shows, when the
    export's view is the screen's). ``report_sections`` gives the report's sections from other
    panels (standardisation, localities) for the export's view and tables.
    """

    @reactive.calc
    def exported() -> ShownResults:
        return shown_in(input.export_view())

    @reactive.calc
    def context() -> ViewContext:
        return exported().context

    @reactive.calc
    def tables() -> dict[str, ViewTable]:
        return exported().tables

    # Charts draw the tables' numbers: the screen's tables, without the files' code columns.
    @reactive.calc
    def charts() -> dict[str, ReportChart]:
        return {c.key: c for c in analysis_charts(analysis(), exported().screen_tables, context())}

    @render.ui
    def view_status():
        return view_status_box(context(), settings.view())

    for key in CHART_KEYS:
        for image_format in MEDIA_TYPES:
            chart_download(output, key, image_format, charts, context)
        chart_alt_text(output, key, charts)
    for key in TABLE_LABELS:
        table_downloads(output, key, tables, context)

    @render.download_button(
        filename=lambda: export_filename(context(), "tables", "xlsx"), media_type=XLSX_MEDIA_TYPE
    )
    async def all_tables_xlsx():
        yield await asyncio.to_thread(xlsx_bytes, list(tables().values()), context())

    def extra_sections() -> Sequence[Section]:
        """The report's sections from other panels, in the export's view."""
        return report_sections(context(), tables()) if report_sections else ()

    for report_format in REPORT_FORMATS:
        report_download(
            output, report_format, store, context, analysis, records, charts, extra_sections
        )

    @reactive.calc
    def map_refusal() -> str | None:
        return map_refusal_text(input.map_layer(), input.export_view())

    @render.ui
    def map_downloads():
        refusal = map_refusal()
        if refusal:
            return ui.p(refusal, class_="alert alert-warning small", role="status")
        return ui.div(
            _button("map_png", "PNG", "Map as PNG"),
            _button("map_svg", "SVG", "Map as SVG"),
            ui.p(
                "A map of many neighbourhoods takes a few seconds to draw.",
                class_="small text-muted mt-2",
            ),
        )

    def map_figure() -> go.Figure:
        """The chosen map layer for the session's authority and index."""
        layer = input.map_layer()
        check_map_publishable(layer, input.export_view())
        shown, result = context(), analysis()
        if layer == "decile":
            fig = deprivation_map_chart(store, result, settings.domain()).figure
        else:
            geojson = authority_geojson(result.imd_year, result.la_code)
            fig, _ = layer_map(geojson, result.lsoas, layer, result.la_name, shown.measure_label)
        return print_ready(fig, shown, f"{result.la_name}: {LAYERS[layer].lower()}")

    for image_format in MEDIA_TYPES:
        map_download(output, image_format, map_figure, context, input.map_layer)


def view_status_box(shown: ViewContext, screen_view: str) -> ui.Tag:
    """Which view and disclosure rule every export follows, and how it differs from the screen."""
    publication = shown.view is View.PUBLICATION
    return ui.div(
        ui.p(ui.strong("Every export below is in this view: "), shown.view_label),
        ui.p(ui.strong("Disclosure control: "), shown.rule_text, class_="small mb-0"),
        None
        if publication
        else ui.p(
            "Internal exports say 'not for publication' in their titles and file names.",
            class_="small mb-0",
        ),
        None
        if shown.view.value == screen_view
        else ui.p(
            f"The screen shows the {screen_view} view; exports follow the choice above.",
            class_="small mb-0",
        ),
        class_="alert " + ("alert-info" if publication else "alert-warning"),
        role="status",
    )


def map_refusal_text(layer: str, view: str) -> str | None:
    """Why the chosen map may not leave the app in this view, or None when it may."""
    try:
        check_map_publishable(layer, view)
    except ValueError as refusal:
        return str(refusal)
    return None


def chart_download(
    output: Outputs,
    key: str,
    image_format: str,
    charts: Callable[[], dict[str, ReportChart]],
    context: Callable[[], ViewContext],
) -> None:
    """One chart's print-ready image in one format."""

    @output(id=_output_id(key, image_format))
    @render.download_button(
        filename=lambda: export_filename(context(), key, image_format),
        media_type=MEDIA_TYPES[image_format],
    )
    async def _():
        chart = charts().get(key)
        req(chart is not None)
        ready = print_ready(chart.figure, context(), chart.title, chart.direction)
        yield await _image(ready, image_format)


def chart_alt_text(output: Outputs, key: str, charts: Callable[[], dict[str, ReportChart]]) -> None:
    """The chart's text alternative below its buttons."""

    @output(id=_output_id(key, "alt"))
    @render.ui
    def _():
        chart = charts().get(key)
        if chart is None:
            return ui.p("Not available for these records.", class_="small text-muted")
        return ui.tags.details(
            ui.tags.summary("Alt text", class_="small"),
            ui.p(chart.alt_text, class_="small"),
        )


def table_downloads(
    output: Outputs,
    key: str,
    tables: Callable[[], dict[str, ViewTable]],
    context: Callable[[], ViewContext],
) -> None:
    """CSV and XLSX downloads for one table."""

    @output(id=_output_id(key, "csv"))
    @render.download_button(
        filename=lambda: export_filename(context(), key, "csv"), media_type="text/csv"
    )
    async def _():
        table = tables().get(key)
        req(table is not None)
        yield csv_bytes(table)

    @output(id=_output_id(key, "xlsx"))
    @render.download_button(
        filename=lambda: export_filename(context(), key, "xlsx"), media_type=XLSX_MEDIA_TYPE
    )
    async def _():
        table = tables().get(key)
        req(table is not None)
        yield await asyncio.to_thread(xlsx_bytes, [table], context())


def report_download(
    output: Outputs,
    report_format: str,
    store: ReferenceStore,
    context: Callable[[], ViewContext],
    analysis: Callable[[], Analysis],
    records: Callable[[], LoadResult],
    charts: Callable[[], dict[str, ReportChart]],
    extra_sections: Callable[[], Sequence[Section]],
) -> None:
    """A report download with a progress bar while the charts are drawn."""

    @output(id=f"report_{report_format}")
    @render.download_button(
        filename=lambda: report_filename(context(), report_format),
        media_type=REPORT_FORMATS[report_format],
    )
    async def _():
        shown, result, loaded, extra = context(), analysis(), records(), extra_sections()
        loop = asyncio.get_running_loop()
        drawn = len(charts()) + sum(len(section.charts) for section in extra)
        with ui.Progress(min=0, max=drawn + 2) as progress:
            progress.set(0, message="Writing the report", detail="drawing the charts")

            def step(message: str) -> None:
                loop.call_soon_threadsafe(lambda: progress.inc(1, detail=message))

            try:
                content = await asyncio.to_thread(
                    report_bytes, result, loaded, shown, report_format, step, store, extra
                )
            except ImageExportError as error:
                ui.notification_show(str(error), type="error", duration=15)
                raise SilentException() from None
            yield content


def map_download(
    output: Outputs,
    image_format: str,
    figure: Callable[[], go.Figure],
    context: Callable[[], ViewContext],
    layer: Callable[[], str],
) -> None:
    """The map of the chosen layer in one image format."""

    @output(id=f"map_{image_format}")
    @render.download_button(
        filename=lambda: export_filename(context(), f"map-{layer()}", image_format),
        media_type=MEDIA_TYPES[image_format],
    )
    async def _():
        yield await _image(figure(), image_format)
