"""The sidebar: authority, index, measure, year, age and sex, decile type and view, shared by
every panel."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from shiny import Inputs, Outputs, Session, module, reactive, req, ui

from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.results.deprivation import (
    DOMAIN_NAMES,
    LOCAL_EXPLANATION,
    NATIONAL_EXPLANATION,
)
from csc_inequalities.results.measures import offered_years
from csc_inequalities.results.population import AGE_BANDS, SEXES
from csc_inequalities.serving.url_state import query_from_settings
from modules.state import Settings

IMD_CHOICES = {
    "2025": "IMD 2025 (2021 neighbourhoods)",
    "2019": "IMD 2019 (2011 neighbourhoods)",
}
COUNT_CHOICES = {
    "at_date": "Open on 31 March",
    "starts": "Starting during the year (1 April to 31 March)",
}
INTERVENTION_CHOICES = {
    "CIN": "Children in need (CIN)",
    "CPP": "Child protection plans (CPP)",
    "CLA": "Children looked after (CLA)",
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
def controls_ui(authorities: pd.DataFrame, initial: dict[str, str]) -> ui.TagList:
    """Inputs in the order a manager chooses them, starting from a shared link's settings."""
    return ui.TagList(
        ui.input_selectize(
            "la",
            "Local authority (children's services)",
            choices=authority_choices(authorities),
            selected=initial["la"],
            options={"placeholder": "Type a name or code"},
        ),
        ui.input_radio_buttons("imd", "Deprivation index", IMD_CHOICES, selected=initial["imd"]),
        ui.input_select(
            "domain",
            "Deprivation measure",
            DOMAIN_NAMES,
            selected=initial["domain"],
        ),
        ui.input_radio_buttons("deciles", "Deciles", DECILE_CHOICES, selected=initial["deciles"]),
        ui.p(NATIONAL_EXPLANATION, class_="small text-body-secondary"),
        ui.p(LOCAL_EXPLANATION, class_="small text-body-secondary"),
        ui.hr(),
        ui.input_select(
            "intervention", "Intervention", INTERVENTION_CHOICES, selected=initial["intervention"]
        ),
        ui.input_radio_buttons("count_kind", "Count", COUNT_CHOICES, selected=initial["count"]),
        ui.input_select(
            "year",
            "Year ending 31 March",
            choices={initial["year"]: initial["year"]} if initial["year"] else [],
        ),
        ui.input_select(
            "age_band",
            "Age (every view counts only these children)",
            {band: label for band, (label, _, _) in AGE_BANDS.items()},
            selected=initial["age"],
        ),
        ui.input_select("sex", "Sex", SEXES, selected=initial["sex"]),
        ui.hr(),
        ui.input_radio_buttons("view", "View", VIEW_CHOICES, selected=initial["view"]),
    )


@module.server
def controls_server(
    input: Inputs, output: Outputs, session: Session, records: Callable[[], LoadResult | None]
) -> Settings:
    """Turn the inputs into typed reactives and keep the year list in step with the records."""

    @reactive.effect
    def _offer_years_in_the_records() -> None:
        loaded = records()
        years = offered_years(loaded) if loaded is not None else []
        choices = {str(y): f"{y - 1}/{str(y)[-2:]} (31 March {y})" for y in sorted(years)}
        with reactive.isolate():
            current = input.year()
        selected = current if current in choices else (max(choices) if choices else None)
        ui.update_select("year", choices=choices, selected=selected)

    @reactive.effect
    async def _keep_the_address_shareable() -> None:
        query = query_from_settings(
            {
                "la": input.la(),
                "imd": input.imd(),
                "domain": input.domain(),
                "deciles": input.deciles(),
                "intervention": input.intervention(),
                "count": input.count_kind(),
                "year": input.year(),
                "view": input.view(),
                "age": input.age_band(),
                "sex": input.sex(),
            }
        )
        await session.send_custom_message("csc-set-query", {"query": query})

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
        age_band=reactive.calc(lambda: input.age_band()),
        sex=reactive.calc(lambda: input.sex()),
    )
