"""The authority in context: official DfE rates and trend, statistical neighbours, the
deprivation-adjusted comparison, and the upload checked against the authority's return."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import Inputs, Outputs, Session, module, reactive, render, req, ui

from csc_inequalities.context.adjusted import (
    PREDICTOR_LABELS,
    adjusted_comparison,
    adjusted_sentence,
    method_paragraph,
    rank_sentence,
)
from csc_inequalities.context.dfe_values import comparator_table, format_rate
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_measures import OfficialMeasure, official_measure_shown
from csc_inequalities.context.official_rates import trend_table
from csc_inequalities.context.upload_check import (
    COVERAGE_HIGH,
    COVERAGE_LOW,
    check_table_for_people,
    upload_against_return,
)
from csc_inequalities.figures.official import adjusted_scatter, official_trend_chart
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.population import ALL
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.state import Settings

PREDICTOR_CHOICES = {
    "most_deprived_quintile": "Share of children in England's most deprived 20% of neighbourhoods",
    "mean_imd_rank": "Average IMD rank of children's neighbourhoods",
}


@module.ui
def context_ui() -> ui.TagList:
    """Four cards: trend, neighbours, adjusted comparison, upload against return."""
    return ui.TagList(
        ui.h2("The authority in context", class_="h4 mt-2"),
        ui.output_ui("measure_note"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Official rates over time", class_="h6 m-0")),
                ui.output_ui("trend_plot"),
                ui.output_ui("trend_rates"),
                full_screen=True,
            ),
            ui.card(
                ui.card_header(ui.h3("Statistical neighbours", class_="h6 m-0")),
                ui.output_ui("neighbours"),
            ),
            col_widths=(8, 4),
        ),
        ui.card(
            ui.card_header(
                ui.h3("Rates against deprivation (the inverse intervention law)", class_="h6 m-0")
            ),
            ui.input_radio_buttons(
                "predictor", "Measure of deprivation", PREDICTOR_CHOICES, inline=True
            ),
            ui.output_ui("adjusted"),
            full_screen=True,
        ),
        ui.card(
            ui.card_header(ui.h3("Your records against your DfE return", class_="h6 m-0")),
            ui.output_ui("upload_check"),
        ),
    )


@module.server
def context_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    store: ReferenceStore,
    settings: Settings,
    records: Callable[[], LoadResult],
    analysis: Callable[[], Analysis],
    is_demo: Callable[[], bool] | None = None,
):
    """Call the context core for the chosen authority and measure, and render its results."""

    @reactive.calc
    def shown_measure() -> tuple[OfficialMeasure, str]:
        filtered = (settings.age_band(), settings.sex()) != (ALL, ALL)
        return official_measure_shown(settings.intervention(), settings.count_kind(), filtered)

    @reactive.calc
    def measure_key() -> str:
        return shown_measure()[0].key

    @reactive.calc
    def authority() -> pd.Series:
        return store.authority(settings.la_code())

    @reactive.calc
    def trend() -> pd.DataFrame:
        return trend_table(store, settings.la_code(), measure_key())

    @reactive.calc
    def comparison():
        return adjusted_comparison(
            store, settings.la_code(), measure_key(), input.predictor(), settings.imd_year()
        )

    @render.ui
    def measure_note():
        return ui.p(shown_measure()[1], class_="small text-body-secondary")

    @render.ui
    def trend_plot():
        row = authority()
        fig, alt = official_trend_chart(trend(), measure_key(), row["la_name"], row["region_name"])
        return plotly_ui(fig, "context-trend-chart", alt)

    @render.ui
    def trend_rates():
        row = authority()
        shown = comparator_table(trend(), row["la_name"], row["region_name"])
        measure = shown_measure()[0]
        return ui.TagList(
            html_table(
                shown,
                f"{measure.label}, rate per 10,000 children aged 0-17, by year",
                table_id="context-trend-table",
            ),
            ui.p(
                measure.rate_source
                + " The neighbours' average is the simple mean of the neighbours with a "
                "published rate (how many, in brackets). Suppressed or unavailable figures are "
                "shown as such, never as zero.",
                class_="small text-body-secondary",
            ),
        )

    @render.ui
    def neighbours():
        table = statistical_neighbours(store, settings.la_code())
        shown = pd.DataFrame(
            {
                "Rank": table["rank"].astype(str),
                "Authority": table["la_name"],
                "Closeness": table["closeness"],
            }
        )
        return ui.TagList(
            html_table(
                shown,
                f"{authority()['la_name']}'s ten statistical neighbours (DfE 2025 model), "
                "nearest first",
                table_id="context-neighbours",
            ),
            ui.p(
                "DfE's children's services statistical neighbours: the ten authorities most "
                "similar on the model's socio-economic indicators.",
                class_="small text-body-secondary",
            ),
        )

    @render.ui
    def adjusted():
        result = comparison()
        fig, alt = adjusted_scatter(result)
        return ui.TagList(
            ui.p(ui.strong(adjusted_sentence(result)), class_="mb-1"),
            ui.p(rank_sentence(result)),
            plotly_ui(fig, "context-adjusted-scatter", alt),
            ui.h4("How this is worked out", class_="h6 mt-2"),
            ui.p(method_paragraph(result), class_="small"),
            ui.p(
                f"Horizontal axis: {PREDICTOR_LABELS[result.predictor]}; observed "
                f"{format_rate(result.observed, result.observed_status)} per 10,000 against a "
                f"typical {result.predicted:,.1f} for this level of deprivation.",
                class_="small text-body-secondary",
            ),
        )

    @render.ui
    def upload_check():
        loaded = records()
        req(loaded is not None)
        check = upload_against_return(
            loaded, store, settings.la_code(), settings.year(), settings.imd_year()
        )
        parts = []
        if is_demo is not None and is_demo():
            parts.append(
                ui.p(
                    "These are the synthetic demonstration records, so their totals are not "
                    "expected to match the authority's return. Load your own records to check "
                    "them.",
                    class_="alert alert-info",
                )
            )
        if check.table.empty:
            parts.append(
                ui.p(
                    "The records cover no year for which DfE has published this authority's "
                    "figures, so there is nothing to compare yet."
                )
            )
            return ui.TagList(*parts)
        parts.append(
            html_table(
                check_table_for_people(check.table),
                "Counts in your records beside the authority's figures published by DfE",
                table_id="context-upload-check",
            )
        )
        parts.append(
            ui.p(
                f"Coverage: records placed in the authority divided by the published figure. "
                f"Below {COVERAGE_LOW:.0%} or above {COVERAGE_HIGH:.0%} is flagged as a large "
                "gap.",
                class_="small text-body-secondary",
            )
        )
        for advice in check.advice:
            parts.append(ui.p(advice, class_="alert alert-warning"))
        if not check.reasons.empty:
            reasons = check.reasons.rename(
                columns={"severity": "Severity", "reason": "Reason", "records": "Records"}
            )
            parts.append(
                html_table(
                    reasons,
                    "Records the app dropped or flagged while loading",
                    table_id="context-upload-reasons",
                )
            )
        return ui.TagList(*parts)
