"""The authority in context: official DfE rates and trend, statistical neighbours, the
deprivation-adjusted comparison, and the upload checked against the authority's return."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import module, reactive, render, req, ui

from csc_inequalities.context.adjusted import (
    PREDICTOR_LABELS,
    adjusted_comparison,
    adjusted_sentence,
    method_paragraph,
    rank_sentence,
)
from csc_inequalities.context.dfe_values import format_rate, status_label
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_measures import official_measure, official_measure_for
from csc_inequalities.context.official_rates import trend_table
from csc_inequalities.context.upload_check import COVERAGE_HIGH, COVERAGE_LOW, upload_against_return
from csc_inequalities.figures.context import adjusted_scatter, trend_chart
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
    input,
    output,
    session,
    store,
    settings: Settings,
    records: Callable,
    analysis: Callable,
    is_demo: Callable[[], bool] | None = None,
):
    """Call the context core for the chosen authority and measure, and render its results."""

    @reactive.calc
    def measure_key() -> str:
        measure = official_measure_for(settings.intervention(), settings.count_kind())
        if measure is None:
            measure = official_measure_for(settings.intervention(), "at_date")
        return measure.key

    @reactive.calc
    def authority() -> pd.Series:
        table = store.authorities
        return table[table["la_code"] == settings.la_code()].iloc[0]

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
        chosen = official_measure_for(settings.intervention(), settings.count_kind())
        measure = official_measure(measure_key())
        text = (
            f"Showing DfE's published figures for {measure.label[:1].lower()}{measure.label[1:]}."
        )
        if chosen is None:
            text += (
                " DfE's releases held here give no count of this kind by authority, so the "
                "figures at 31 March are shown instead."
            )
        if (settings.age_band(), settings.sex()) != ("all", "all"):
            text += (
                " DfE publishes these figures for every child aged 0-17: the age and sex "
                "chosen in the sidebar do not apply on this page."
            )
        return ui.p(text, class_="small text-body-secondary")

    @render.ui
    def trend_plot():
        row = authority()
        fig, alt = trend_chart(trend(), measure_key(), row["la_name"], row["region_name"])
        return plotly_ui(fig, "context-trend-chart", alt)

    @render.ui
    def trend_rates():
        data = trend()
        row = authority()
        shown = pd.DataFrame(
            {
                "Year ending 31 March": data["year"].astype(str),
                row["la_name"]: _formatted(data, "authority"),
                "Statistical neighbours' average": [
                    f"{rate:,.1f} ({n} of 10)" if n else status_label("x")
                    for rate, n in zip(
                        data["neighbours_average"], data["neighbours_with_rate"], strict=True
                    )
                ],
                row["region_name"]: _formatted(data, "region"),
                "England": _formatted(data, "england"),
            }
        )
        measure = official_measure(measure_key())
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
                _check_table(check.table),
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


def _formatted(trend: pd.DataFrame, prefix: str) -> list[str]:
    """One comparator's rates as text, the reason in place of any missing value."""
    return [
        format_rate(rate, status)
        for rate, status in zip(trend[f"{prefix}_rate"], trend[f"{prefix}_status"], strict=True)
    ]


def _check_table(table: pd.DataFrame) -> pd.DataFrame:
    """The upload check with readable headings and the published figure or its reason."""
    published = [
        f"{count:,.0f}"
        if not status
        else status_label(status)
        if status != "not_published"
        else "not yet published"
        for count, status in zip(table["published"], table["published_status"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Measure": table["label"],
            "Year ending 31 March": table["year"].astype(str),
            "In your records": table["uploaded"].round(0).astype(int),
            "Without an LSOA": table["without_lsoa"].round(0).astype(int),
            "Outside the authority": table["outside_authority"].round(0).astype(int),
            "Placed in the authority": table["placed_in_authority"].round(0).astype(int),
            "Published by DfE": published,
            "Coverage": [
                f"{value:.0%}" if pd.notna(value) else "-" for value in table["placed_coverage"]
            ],
            "Large gap": table["gap"].eq("large gap"),
        }
    )


def _published_text(count: float, status: str) -> str:
    """The published count, or why there is none."""
    if status == "not_published":
        return "not yet published"
    return status_label(status) if status else f"{count:,.0f}"
