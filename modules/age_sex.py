"""Age and sex: the chosen measure's gradient for each DfE age band and for girls and boys, and
babies starting to be looked after."""

from __future__ import annotations

from collections.abc import Callable

from shiny import module, reactive, render, ui
from shiny.types import SilentException

from csc_inequalities.figures.cascade import infants_chart, quintile_lines_chart
from csc_inequalities.publication.cascade import ShownTables, age_sex_shown
from csc_inequalities.publication.charts import chart_frame
from csc_inequalities.publication.disclosure import DEFAULT_RULE, View
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.age_sex import AgeSex, run_age_sex
from csc_inequalities.results.measures import Measure, year_ending
from modules.cascade import findings_block, shown_table
from modules.plotly_html import plotly_ui
from modules.state import Settings

RATE_COLUMNS = ["children", "count", "rate_per_10000", "lower_95ci", "upper_95ci"]


@module.ui
def age_sex_ui() -> ui.TagList:
    """Age bands and sexes across quintiles, the findings, then babies starting care."""
    return ui.TagList(
        ui.h2("Age and sex", class_="h4 mt-2"),
        ui.p(
            "The chosen measure by deprivation quintile for each of DfE's age bands and for "
            "girls and boys, each per 10,000 children of that age or sex. The age and sex "
            "choices in the sidebar apply here too: the age bands keep the sex chosen, and "
            "girls and boys keep the age band chosen.",
            class_="text-body-secondary",
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("By age band", class_="h6 m-0")),
                ui.output_ui("ages"),
                ui.input_switch("ages_as_table", "Show age bands as table", False),
                ui.output_ui("ages_table"),
            ),
            ui.card(
                ui.card_header(ui.h3("Girls and boys", class_="h6 m-0")),
                ui.output_ui("sexes"),
                ui.input_switch("sexes_as_table", "Show girls and boys as table", False),
                ui.output_ui("sexes_table"),
            ),
            col_widths=(6, 6),
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Babies starting to be looked after", class_="h6 m-0")),
                ui.output_ui("infants"),
                ui.input_switch("infants_as_table", "Show babies as table", False),
                ui.output_ui("infants_table"),
            ),
            ui.card(
                ui.card_header(ui.h3("What the breakdowns show", class_="h6 m-0")),
                ui.output_ui("findings"),
                ui.output_ui("notes"),
            ),
            col_widths=(7, 5),
        ),
    )


@module.server
def age_sex_server(
    input,
    output,
    session,
    store: ReferenceStore,
    settings: Settings,
    records: Callable[[], LoadResult],
) -> None:
    """Split the chosen measure by age and sex once per choice, in the chosen view."""

    @reactive.calc
    def result() -> AgeSex:
        year = settings.year()
        if not year:
            raise SilentException()  # no year offered yet: wait, as req(year) would
        measure = Measure(settings.intervention(), settings.count_kind(), year_ending(year))
        return run_age_sex(
            records(), store, settings.la_code(), settings.imd_year(), measure,
            settings.deciles(), settings.domain(), settings.age_band(), settings.sex(),
        )  # fmt: skip

    @reactive.calc
    def shown() -> ShownTables:
        return age_sex_shown(result(), View(settings.view()), DEFAULT_RULE)

    def lines(key: str, label: str, title: str, plot_id: str) -> ui.Tag:
        frame = shown().frame(key)
        if frame is None:
            return ui.p(" ".join(result().notes), class_="alert alert-info")
        measure = result().measure
        fig, alt = quintile_lines_chart(
            chart_frame(frame), label, f"{measure.label()}: {title}",
            f"{result().la_name}: rate by deprivation quintile", "Rate per 10,000 children "
            "of the age or sex shown",
        )  # fmt: skip
        return plotly_ui(fig, plot_id, alt)

    @render.ui
    def ages():
        return lines("age-bands", "age_label", "by age band", "age-plot")

    @render.ui
    def sexes():
        return lines("sexes", "sex_label", "girls and boys", "sex-plot")

    @render.ui
    def ages_table():
        if not input.ages_as_table():
            return None
        return shown_table(
            shown().frame("age-bands"), ["age_label", "group_label", *RATE_COLUMNS],
            f"{result().measure.label()}: rate per 10,000 by age band and deprivation quintile",
            "age-table",
        )  # fmt: skip

    @render.ui
    def sexes_table():
        if not input.sexes_as_table():
            return None
        return shown_table(
            shown().frame("sexes"), ["sex_label", "group_label", *RATE_COLUMNS],
            f"{result().measure.label()}: rate per 10,000 girls and boys by deprivation quintile",
            "sex-table",
        )  # fmt: skip

    @render.ui
    def infants():
        frame = shown().frame("infants")
        if frame is None:
            return ui.p(" ".join(result().notes), class_="alert alert-info")
        fig, alt = infants_chart(
            chart_frame(frame), result().la_name,
            f"Babies starting to be looked after, year ending 31 March {result().measure.year}",
        )  # fmt: skip
        return plotly_ui(fig, "infants-plot", alt)

    @render.ui
    def infants_table():
        if not input.infants_as_table():
            return None
        return shown_table(
            shown().frame("infants"), ["kind_label", "group_label", *RATE_COLUMNS],
            "Babies starting to be looked after per 10,000 children aged under 1",
            "infants-table",
        )  # fmt: skip

    @render.ui
    def findings():
        return ui.TagList(
            findings_block(shown(), "age-findings-list"),
            shown_table(
                shown().frame("age-sex-ratios"), ["label", "ratio", "lower_95ci", "upper_95ci"],
                "Rate in the most deprived fifth divided by the least deprived fifth's",
                "age-ratios-table",
            ),
        )  # fmt: skip

    @render.ui
    def notes():
        return ui.div(*[ui.p(note, class_="small text-body-secondary") for note in result().notes])
