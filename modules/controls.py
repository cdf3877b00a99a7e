"""The sidebar: authority, index, measure, year, decile type and view, shared by every panel."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import module, reactive, req, ui

from csc_inequalities.deprivation import DECILE_SCHEME_EXPLANATION, DOMAIN_LABELS
from csc_inequalities.measures import INTERVENTION_LABELS, available_years
from modules.state import Settings

IMD_CHOICES = {
    "2025": "IMD 2025 (2021 neighbourhoods)",
    "2019": "IMD 2019 (2011 neighbourhoods)",
}
COUNT_CHOICES = {
    "at_date": "Open on 31 March",
    "starts": "Starting during the year (1 April to 31 March)",
}
DECILE_CHOICES = {"national": "National deciles", "local": "Local deciles"}
VIEW_CHOICES = {
    "internal": "Internal: exact figures, not for publication",
    "publication": "Publication: disclosure rule applied",
}


def authority_choices(authorities: pd.DataFrame) -> dict[str, str]:
    """Picker labels 'Name (code)', sorted by name so typing either finds the authority."""
    ordered = authorities.sort_values("la_name")
    return {row.la_code: f"{row.la_name} ({row.la_code})" for row in ordered.itertuples()}


@module.ui
def controls_ui(authorities: pd.DataFrame, default_la: str) -> ui.TagList:
    """Inputs in the order a manager chooses them."""
    return ui.TagList(
        ui.input_selectize(
            "la",
            "Local authority (children's services)",
            choices=authority_choices(authorities),
            selected=default_la,
            options={"placeholder": "Type a name or code"},
        ),
        ui.input_radio_buttons("imd", "Deprivation index", IMD_CHOICES, selected="2025"),
        ui.input_select(
            "domain",
            "Deprivation measure",
            {key: label for key, label in DOMAIN_LABELS.items()},
            selected="imd",
        ),
        ui.input_radio_buttons("deciles", "Deciles", DECILE_CHOICES, selected="national"),
        ui.p(DECILE_SCHEME_EXPLANATION["national"], class_="small text-body-secondary"),
        ui.p(DECILE_SCHEME_EXPLANATION["local"], class_="small text-body-secondary"),
        ui.hr(),
        ui.input_select("intervention", "Intervention", INTERVENTION_LABELS, selected="CPP"),
        ui.input_radio_buttons("count_kind", "Count", COUNT_CHOICES, selected="at_date"),
        ui.input_select("year", "Year ending 31 March", choices=[]),
        ui.hr(),
        ui.input_radio_buttons("view", "View", VIEW_CHOICES, selected="internal"),
    )


@module.server
def controls_server(input, output, session, records: Callable) -> Settings:
    """Turn the inputs into typed reactives and keep the year list in step with the records."""

    @reactive.effect
    def _offer_years_in_the_records() -> None:
        loaded = records()
        years = available_years(loaded.spells, loaded.counts) if loaded is not None else []
        choices = {str(y): f"{y - 1}/{str(y)[-2:]} (31 March {y})" for y in sorted(years)}
        current = input.year()
        selected = current if current in choices else (max(choices) if choices else None)
        ui.update_select("year", choices=choices, selected=selected)

    @reactive.calc
    def la_code() -> str:
        req(input.la())
        return input.la()

    @reactive.calc
    def year() -> int | None:
        return int(input.year()) if input.year() else None

    return Settings(
        la_code=la_code,
        imd_year=reactive.calc(lambda: int(input.imd())),
        intervention=reactive.calc(lambda: input.intervention()),
        count_kind=reactive.calc(lambda: input.count_kind()),
        year=year,
        deciles=reactive.calc(lambda: input.deciles()),
        domain=reactive.calc(lambda: input.domain()),
        view=reactive.calc(lambda: input.view()),
    )
