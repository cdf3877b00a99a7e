"""The decision cascade: each decision from referral to care by deprivation, and where the gap
between the most and least deprived neighbourhoods widens."""

from __future__ import annotations

import asyncio
import numbers
from collections.abc import Callable

import pandas as pd
from shiny import module, reactive, render, ui
from shiny.types import SilentException

from csc_inequalities.exports.filenames import export_filename
from csc_inequalities.exports.tables import xlsx_bytes
from csc_inequalities.figures.cascade import cascade_chart, codes_chart
from csc_inequalities.figures.cascade import conversions_chart as conversions_chart_figure
from csc_inequalities.publication.cascade import (
    ShownTables,
    cascade_context,
    cascade_shown,
    codes_shown,
    decisions_shown,
    ethnicity_shown,
)
from csc_inequalities.publication.charts import chart_frame
from csc_inequalities.publication.disclosure import DEFAULT_RULE, SUPPRESSED, View
from csc_inequalities.publication.shown import WITHHELD_ON_SCREEN
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.cascade import Cascade, run_cascade
from modules.exports import XLSX_MEDIA_TYPE
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.state import Settings

HEADINGS = {
    "stage_label": "Decision",
    "group_label": "Deprivation quintile (1 = most deprived)",
    "conversion_label": "Conversion",
    "group_name": "Ethnic group",
    "children": "Children",
    "count": "Count",
    "rate_per_10000": "Rate per 10,000",
    "lower_95ci": "Lower 95% limit",
    "upper_95ci": "Upper 95% limit",
    "numerator": "Later decisions",
    "denominator": "Earlier decisions",
    "proportion": "Per 100",
    "ratio": "Most / least deprived fifth",
    "ratio_to_white": "Ratio to White",
    "quintile_label": "Deprivation quintile (1 = most deprived)",
    "description": "Code",
    "share": "Share of the quintile's (%)",
    "age_label": "Age band",
    "sex_label": "Sex",
    "kind_label": "Babies",
    "label": "Age band or sex",
}
PER_100 = ("proportion", "lower_95ci", "upper_95ci")
CODE_CHARTS = {
    "cascade-need": ("Primary need at referral", "referrals"),
    "cascade-abuse": ("Initial category of abuse of plans started", "plans"),
    "cascade-factors": ("Factors identified at assessment", "assessments"),
}


def shown_table(
    frame: pd.DataFrame | None, columns: list[str], caption: str, table_id: str
) -> ui.Tag | None:
    """A shown table with plain headings; proportions as 'per 100', 'c' kept as it is."""
    if frame is None or frame.empty:
        return None
    table = frame[[c for c in columns if c in frame.columns]].copy()
    if "proportion" in table.columns:
        for column in PER_100:
            table[column] = [_per_100(value) for value in table[column]]
    if "share" in table.columns:
        table["share"] = [_per_100(value) for value in table["share"]]
    if "ratio" in table.columns:
        for column in ("ratio", "lower_95ci", "upper_95ci"):
            table[column] = [_ratio(value) for value in table[column]]
    return html_table(table.rename(columns=HEADINGS), caption, table_id)


def _per_100(value: object) -> str:
    """A proportion as a whole number per 100, 'c' where suppressed, '-' where none."""
    if value == SUPPRESSED or not isinstance(value, numbers.Real):
        return SUPPRESSED if value == SUPPRESSED else "-"
    return "-" if pd.isna(value) else f"{float(value) * 100:.0f}"


def _ratio(value: object) -> str:
    """A ratio to 2 decimals, 'c' where suppressed, '-' where undefined."""
    if value == SUPPRESSED or not isinstance(value, numbers.Real):
        return SUPPRESSED if value == SUPPRESSED else "-"
    return "-" if pd.isna(value) else f"{float(value):.2f}"


def findings_block(view: ShownTables, list_id: str) -> ui.Tag:
    """The sentences the view allows, and a note when some are withheld."""
    items = [ui.tags.li(sentence) for sentence in view.sentences]
    withheld = ui.p(WITHHELD_ON_SCREEN, class_="small") if view.withheld else None
    return ui.div(ui.tags.ul(*items, id=list_id), withheld)


@module.ui
def cascade_ui() -> ui.TagList:
    """The cascade chart and findings, conversions, then ethnic groups and codes on demand."""
    return ui.TagList(
        ui.h2("Decision cascade", class_="h4 mt-2"),
        ui.p(
            "Each decision from referral to care in the chosen year ending 31 March, counted "
            "as the Department for Education counts them, by deprivation quintile: where does "
            "the gap between the most and least deprived neighbourhoods widen?",
            class_="text-body-secondary",
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Each decision by deprivation quintile", class_="h6 m-0")),
                ui.output_ui("chart"),
                ui.input_switch("as_table", "Show as table", False),
                ui.output_ui("table"),
                ui.output_ui("notes"),
            ),
            ui.card(
                ui.card_header(ui.h3("Where the gap widens", class_="h6 m-0")),
                ui.output_ui("findings"),
                ui.output_ui("gaps"),
            ),
            col_widths=(7, 5),
        ),
        ui.card(
            ui.card_header(ui.h3("Conversions between decisions", class_="h6 m-0")),
            ui.output_ui("conversions_chart"),
            ui.input_switch("conversions_as_table", "Show conversions as table", False),
            ui.output_ui("conversions_table"),
        ),
        ui.accordion(
            ui.accordion_panel("By ethnic group", ui.output_ui("ethnicity"), value="ethnicity"),
            ui.accordion_panel(
                "Primary need, category of abuse and factors at assessment",
                ui.output_ui("codes_and_factors"),
                value="codes",
            ),
            id="more",
            open=False,
        ),
        ui.div(
            ui.download_button(
                "tables_xlsx", "Download the cascade tables (Excel)", class_="btn-sm"
            ),
            class_="my-3",
        ),
    )


@module.server
def cascade_server(
    input,
    output,
    session,
    store: ReferenceStore,
    settings: Settings,
    records: Callable[[], LoadResult],
    is_demo: Callable[[], bool],
) -> None:
    """Count the cascade once per choice; each view's tables only when they are shown."""

    @reactive.calc
    def cascade() -> Cascade:
        year = settings.year()
        if not year:
            raise SilentException()  # no year offered yet: wait, as req(year) would
        return run_cascade(
            records(), store, settings.la_code(), settings.imd_year(), year,
            settings.deciles(), settings.domain(), settings.age_band(), settings.sex(),
        )  # fmt: skip

    def view() -> View:
        return View(settings.view())

    @reactive.calc
    def decisions() -> ShownTables:
        return decisions_shown(cascade(), view(), DEFAULT_RULE)

    @reactive.calc
    def ethnic() -> ShownTables:
        return ethnicity_shown(cascade(), view(), DEFAULT_RULE)

    @reactive.calc
    def codes() -> ShownTables:
        return codes_shown(cascade(), view(), DEFAULT_RULE)

    def title(result: Cascade) -> str:
        return f"Decisions from referral to care{result.who.suffix()}"

    @render.ui
    def chart():
        result, shown = cascade(), decisions()
        frame = shown.frame("cascade-stages")
        if frame is None:
            return ui.p(" ".join(result.notes), class_="alert alert-info", id="cascade-missing")
        fig, alt = cascade_chart(
            chart_frame(frame), result.la_name, title(result), result.period,
            result.who.people(), result.quintile_scheme,
        )  # fmt: skip
        return plotly_ui(fig, "cascade-plot", alt)

    @render.ui
    def table():
        if not input.as_table():
            return None
        return shown_table(
            decisions().frame("cascade-stages"),
            ["stage_label", "group_label", "children", "count", "rate_per_10000", "lower_95ci",
             "upper_95ci"],
            f"{title(cascade())}, {cascade().period}: rate per 10,000 by deprivation quintile",
            "cascade-stages-table",
        )  # fmt: skip

    @render.ui
    def notes():
        return ui.div(*[ui.p(note, class_="small text-body-secondary") for note in cascade().notes])

    @render.ui
    def findings():
        return findings_block(decisions(), "cascade-findings-list")

    @render.ui
    def gaps():
        return shown_table(
            decisions().frame("cascade-gaps"),
            ["stage_label", "ratio", "lower_95ci", "upper_95ci"],
            "Rate in the most deprived fifth divided by the least deprived fifth's, with 95% "
            "intervals",
            "cascade-gaps-table",
        )

    @render.ui
    def conversions_chart():
        result = cascade()
        frame = decisions().frame("cascade-conversions")
        if frame is None:
            return ui.p("No two decisions in a row were counted: no conversion to show.")
        fig, alt = conversions_chart_figure(
            chart_frame(frame), result.la_name, f"Conversions between decisions"
            f"{result.who.suffix()}", result.period, result.quintile_scheme,
        )  # fmt: skip
        return plotly_ui(fig, "cascade-conversions-plot", alt)

    @render.ui
    def conversions_table():
        if not input.conversions_as_table():
            return None
        return shown_table(
            decisions().frame("cascade-conversions"),
            ["conversion_label", "group_label", "numerator", "denominator", "proportion",
             "lower_95ci", "upper_95ci"],
            "Each decision per 100 of the one before, in the same year, with 95% Wilson "
            "intervals",
            "cascade-conversions-table",
        )  # fmt: skip

    @render.ui
    def ethnicity():
        shown = ethnic()
        return ui.TagList(
            findings_block(shown, "cascade-ethnicity-findings-list"),
            shown_table(
                shown.frame("cascade-ethnicity"),
                ["stage_label", "group_name", "children", "count", "rate_per_10000",
                 "lower_95ci", "upper_95ci", "ratio_to_white"],
                "Each decision per 10,000 children by ethnic group (Census 2021 denominators)",
                "cascade-ethnicity-table",
            ),
            shown_table(
                shown.frame("cascade-ethnic-conversions"),
                ["conversion_label", "group_name", "numerator", "denominator", "proportion",
                 "lower_95ci", "upper_95ci"],
                "Conversions between decisions by ethnic group, per 100",
                "cascade-ethnic-conversions-table",
            ),
        )  # fmt: skip

    @render.ui
    def codes_and_factors():
        result, shown = cascade(), codes()
        parts = []
        for key, (name, what) in CODE_CHARTS.items():
            frame = shown.frame(key)
            if frame is None:
                continue
            fig, alt = codes_chart(
                chart_frame(frame), result.la_name, f"{name}{result.who.suffix()}",
                f"{result.la_name}: share of the quintile's {what}, {result.period}", what,
            )  # fmt: skip
            parts += [
                plotly_ui(fig, f"{key}-plot", alt),
                shown_table(
                    frame, ["quintile_label", "description", "count", "share"],
                    f"{name} by deprivation quintile, {result.period}", f"{key}-table",
                ),
            ]  # fmt: skip
        if not parts:
            return ui.p("The records hold no CIN census: no codes to show.")
        return ui.TagList(*parts)

    @render.download_button(
        filename=lambda: export_filename(
            cascade_context(cascade(), view(), DEFAULT_RULE, is_demo()), "cascade-tables", "xlsx"
        ),
        media_type=XLSX_MEDIA_TYPE,
    )
    async def tables_xlsx():
        result, shown_view = cascade(), view()
        shown = cascade_shown(result, shown_view, DEFAULT_RULE)
        context = cascade_context(result, shown_view, DEFAULT_RULE, is_demo())
        yield await asyncio.to_thread(xlsx_bytes, list(shown.tables.values()), context)
