"""The authority's neighbourhoods: deprivation map, deprivation profile and headline figures."""

from __future__ import annotations

from shiny import module, reactive, render, ui

from csc_inequalities.figures.maps import decile_map
from csc_inequalities.figures.profile import profile_chart as build_profile_chart
from csc_inequalities.maps_data import authority_geojson
from csc_inequalities.profile import deprivation_profile, profile_headlines
from csc_inequalities.store import ReferenceStore
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.state import Settings


@module.ui
def neighbourhoods_ui() -> ui.TagList:
    """Headline boxes, then the map and the profile side by side."""
    return ui.TagList(
        ui.h2("Neighbourhood deprivation", class_="h4 mt-2"),
        ui.output_ui("headlines"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Map of neighbourhoods (LSOAs)", class_="h6 m-0")),
                ui.output_ui("map"),
                ui.output_ui("map_note"),
                full_screen=True,
            ),
            ui.card(
                ui.card_header(ui.h3("Deprivation profile", class_="h6 m-0")),
                ui.output_ui("profile_chart"),
                ui.input_switch("profile_as_table", "Show as table", value=False),
                ui.output_ui("profile_table"),
            ),
            col_widths=(7, 5),
        ),
    )


@module.server
def neighbourhoods_server(input, output, session, store: ReferenceStore, settings: Settings):
    """Wire the chosen authority and index to the profile and map builders."""

    @reactive.calc
    def profile():
        return deprivation_profile(store, settings.la_code(), settings.imd_year())

    @reactive.calc
    def authority_name() -> str:
        return store.authority(settings.la_code())["la_name"]

    @render.ui
    def headlines():
        figures = profile_headlines(store, settings.la_code(), settings.imd_year())
        return ui.layout_columns(
            ui.value_box("Neighbourhoods (LSOAs)", f"{figures['lsoas']:,}"),
            ui.value_box("Children aged 0-17", f"{figures['children_0_17']:,.0f}"),
            ui.value_box(
                "Children in England's most deprived 20% of neighbourhoods",
                f"{figures['share_most_deprived_20'] * 100:.1f}%",
                ui.p("England: 20%", class_="small m-0"),
            ),
            col_widths=(4, 4, 4),
        )

    @render.ui
    def map():
        year = settings.imd_year()
        la_code = settings.la_code()
        lsoas = store.lsoas(year)
        lsoas = lsoas[lsoas["la_code"] == la_code]
        fig = decile_map(
            authority_geojson(year, la_code),
            lsoas,
            title=f"{authority_name()}: neighbourhoods by national deprivation decile",
            subtitle=f"IMD {year}; decile 1 = most deprived 10% of neighbourhoods in England",
        )
        alt = (
            f"Map of {authority_name()}'s {len(lsoas)} neighbourhoods coloured by national IMD "
            f"{year} decile. The same figures are in the deprivation profile table."
        )
        return plotly_ui(fig, "deprivation-map", alt)

    @render.ui
    def map_note():
        year = settings.imd_year()
        geography = "2011" if year == 2019 else "2021"
        return ui.p(
            f"Boundaries: ONS LSOA {geography}, simplified for the screen. Hover or tap a "
            "neighbourhood for its name, code, decile, rank and children aged 0-17 (ONS mid-2020 "
            "estimates; see About for how 2021 neighbourhoods are estimated).",
            class_="small text-body-secondary",
        )

    @render.ui
    def profile_chart():
        fig, alt = build_profile_chart(
            profile(),
            title=f"{authority_name()}: deprivation profile",
            subtitle=f"IMD {settings.imd_year()}; decile 1 = most deprived 10% in England",
        )
        return plotly_ui(fig, "profile-chart", alt)

    @render.ui
    def profile_table():
        if not input.profile_as_table():
            return None
        table = profile().copy()
        table["share_of_lsoas"] = (table["share_of_lsoas"] * 100).round(1)
        table["share_of_children"] = (table["share_of_children"] * 100).round(1)
        table["children_0_17"] = table["children_0_17"].round(0).astype(int)
        table.columns = [
            "National decile (1 = most deprived)",
            "LSOAs",
            "Children aged 0-17",
            "% of LSOAs",
            "% of children",
        ]
        return html_table(table, "Deprivation profile: LSOAs and children by national decile")
