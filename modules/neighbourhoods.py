"""The authority's neighbourhoods: headline figures, the map and the deprivation profile."""

from __future__ import annotations

from collections.abc import Callable

from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from csc_inequalities.figures.layers import LAYERS, RATE_LAYERS, layer_map
from csc_inequalities.figures.maps import authority_decile_map
from csc_inequalities.figures.profile import profile_chart as build_profile_chart
from csc_inequalities.publication.disclosure import View
from csc_inequalities.reference.maps_data import authority_geojson_url
from csc_inequalities.reference.store import ReferenceStore, geography_for
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.profile import deprivation_profile, profile_headlines
from csc_inequalities.stats.smoothing import METHOD as SMOOTHING_METHOD
from csc_inequalities.stats.smoothing import SMALL_COUNT_THRESHOLD
from modules.html_table import html_table
from modules.plotly_html import plotly_ui
from modules.state import Settings


@module.ui
def neighbourhoods_ui() -> ui.TagList:
    """Headline boxes, then the map and the profile side by side."""
    return ui.TagList(
        ui.h2("Neighbourhoods", class_="h4 mt-2"),
        ui.output_ui("headlines"),
        ui.layout_columns(
            ui.card(
                ui.card_header(ui.h3("Map of neighbourhoods (LSOAs)", class_="h6 m-0")),
                ui.input_radio_buttons("layer", "Colour neighbourhoods by", LAYERS, inline=True),
                ui.output_ui("map"),
                ui.output_ui("map_note"),
                ui.output_ui("clicked"),
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
def neighbourhoods_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    store: ReferenceStore,
    settings: Settings,
    analysis: Callable[[], Analysis],
):
    """Wire the chosen authority, index and layer to the profile and map builders."""
    clicked_lsoa = reactive.value(None)

    @reactive.effect
    @reactive.event(input.lsoa_click)
    def _remember_click() -> None:
        clicked_lsoa.set(input.lsoa_click())

    @reactive.effect
    @reactive.event(settings.la_code, settings.imd_year)
    def _forget_click() -> None:
        clicked_lsoa.set(None)

    @reactive.calc
    def profile():
        return deprivation_profile(store, settings.la_code(), settings.imd_year())

    @reactive.calc
    def authority_name() -> str:
        return store.authority_name(settings.la_code())

    @reactive.calc
    def layer() -> str:
        chosen = input.layer()
        if chosen in RATE_LAYERS and settings.view() == View.PUBLICATION:
            return "decile"
        return chosen

    @render.ui
    def headlines():
        figures = profile_headlines(profile())
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
        year, la_code = settings.imd_year(), settings.la_code()
        geojson = authority_geojson_url(year, la_code)
        name = authority_name()
        if layer() == "decile":
            lsoas = store.authority_lsoas(year, la_code)
            fig, alt = authority_decile_map(geojson, lsoas, name, year, settings.domain())
        else:
            fig, alt = layer_map(
                geojson, analysis().lsoas, layer(), name, analysis().measure.label()
            )
        return plotly_ui(fig, "deprivation-map", alt, click_input=session.ns("lsoa_click"))

    @render.ui
    def map_note():
        notes = [
            f"Boundaries: ONS LSOA {geography_for(settings.imd_year())}, simplified "
            "for the screen. Hover, tap or click a neighbourhood for its figures."
        ]
        if input.layer() in RATE_LAYERS and settings.view() == View.PUBLICATION:
            notes.append(
                "Publication view: rates for single neighbourhoods are not shown, so the map "
                "shows deprivation deciles. Switch to the internal view to see them."
            )
        elif layer() == "smoothed":
            notes.append(SMOOTHING_METHOD)
        elif layer() == "rate":
            notes.append(
                f"Rates on fewer than {SMALL_COUNT_THRESHOLD} events are unstable: those "
                "neighbourhoods are grey."
            )
        return ui.div(*[ui.p(n, class_="small text-body-secondary") for n in notes])

    @render.ui
    def clicked():
        code = clicked_lsoa.get()
        if code is None:
            return None
        rows = analysis().lsoas
        row = rows[rows["lsoa_code"] == code]
        if row.empty:
            return None
        item = row.iloc[0]
        facts = [
            ("Neighbourhood", f"{item['lsoa_name']} ({code})"),
            ("National decile (1 = most deprived)", f"{int(item['national_decile'])}"),
            ("Children aged 0-17", f"{item['children']:,.0f}"),
            ("Residents from minority ethnic groups", f"{item['minority_share'] * 100:.0f}%"),
        ]
        if settings.view() == View.INTERNAL:
            facts += [
                (analysis().measure.label(), f"{item['count']:,.0f}"),
                ("Rate per 10,000", f"{item['rate_per_10000']:,.1f}"),
                ("Smoothed rate per 10,000", f"{item['smoothed_rate']:,.1f}"),
            ]
        return ui.div(
            ui.h4("Selected neighbourhood", class_="h6"),
            ui.tags.dl(*[part for k, v in facts for part in (ui.tags.dt(k), ui.tags.dd(v))]),
            id="lsoa-details",
            role="status",
            aria_live="polite",
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
