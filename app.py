"""The children's social care inequalities explorer: assembles the Shiny modules."""

from __future__ import annotations

import functools
from pathlib import Path

from shiny import App, Inputs, Outputs, Session, ui

from csc_inequalities.publication.report_sections import area_sections
from csc_inequalities.reference.maps_data import authority_geojson_url
from csc_inequalities.reference.memory import tune_garbage_collection
from csc_inequalities.reference.store import load_store
from csc_inequalities.serving.page_cache import page_request
from csc_inequalities.settings import exit_on_unusable_settings
from modules.about import about_ui
from modules.age_sex import age_sex_server, age_sex_ui
from modules.banner import banner_server, banner_ui
from modules.cascade import cascade_server, cascade_ui
from modules.context import context_server, context_ui
from modules.controls import controls_server, controls_ui
from modules.ethnicity import ethnicity_server, ethnicity_ui
from modules.exports import exports_server, exports_ui
from modules.first_visit import start_on_first_visit
from modules.gradient import gradient_server, gradient_ui
from modules.hosting import PLOTLY_JS_URL, hosted_app
from modules.localities import localities_server, localities_ui
from modules.neighbourhoods import neighbourhoods_server, neighbourhoods_ui
from modules.session_data import session_data_server
from modules.shiny_overhead import lighten_shiny_session_work
from modules.signed_in import signed_in_ui
from modules.standardise import standardise_server, standardise_ui
from modules.trend import trend_server, trend_ui
from modules.upload import upload_server, upload_ui

exit_on_unusable_settings()
STORE = load_store()
tune_garbage_collection()  # after loading what lives as long as the process
lighten_shiny_session_work()
WWW = Path(__file__).parent / "www"
TITLE = "Children's social care inequalities explorer"


def app_ui(request) -> ui.Tag:
    """The page for a shared link's settings and the signed-in user (kept by hosted_app)."""
    asked = page_request(request, STORE.authorities["la_code"])
    initial = asked.initial
    return ui.page_navbar(
        ui.nav_panel("Neighbourhoods", neighbourhoods_ui("neighbourhoods"), value="areas"),
        ui.nav_panel("Gradient", gradient_ui("gradient"), value="gradient"),
        ui.nav_panel("Ethnicity", ethnicity_ui("ethnicity"), value="ethnicity"),
        ui.nav_panel("Trend", trend_ui("trend"), value="trend"),
        # The analyses of where the gap widens, under one menu so the bar fits on one line.
        ui.nav_menu(
            "Where it widens",
            ui.nav_panel("Decision cascade", cascade_ui("cascade"), value="cascade"),
            ui.nav_panel("Age and sex", age_sex_ui("age"), value="age"),
            ui.nav_panel(
                "Deprivation or practice", standardise_ui("standardise"), value="standardise"
            ),
            ui.nav_panel("Localities", localities_ui("localities"), value="localities"),
            value="widens",
        ),
        ui.nav_panel("In context", context_ui("context"), value="context"),
        ui.nav_panel("Your data", upload_ui("upload"), value="data"),
        ui.nav_panel("Export", exports_ui("exports"), value="export"),
        ui.nav_panel("About", about_ui("about"), value="about"),
        title=TITLE,
        window_title=TITLE,
        id="page",
        lang="en",
        sidebar=ui.sidebar(
            controls_ui("controls", STORE.authorities, initial),
            width=330,
            resizable=False,
            open="desktop",
        ),
        header=ui.TagList(
            ui.head_content(
                # app.js runs plotly.js once Shiny has connected and fetches the first map's
                # polygons meanwhile.
                ui.tags.script(
                    src="assets/app.js",
                    data_plotly=PLOTLY_JS_URL,
                    data_polygons=authority_geojson_url(int(initial["imd"]), initial["la"]),
                ),
                ui.tags.link(rel="preload", href=PLOTLY_JS_URL, as_="script"),
                ui.tags.link(rel="stylesheet", href="assets/app.css"),
                ui.tags.link(rel="icon", href="assets/favicon.svg", type="image/svg+xml"),
            ),
            signed_in_ui(asked.signed_in),
            banner_ui("banner"),
        ),
    )


def server(input: Inputs, output: Outputs, session: Session) -> None:
    """Connect the modules: one set of settings, one records source, one analysis."""
    settings = controls_server("controls", records=lambda: data.records())
    uploaded = upload_server("upload", store=STORE, settings=settings)
    data = session_data_server("data", store=STORE, settings=settings, uploaded=uploaded)
    banner_server("banner", settings=settings, is_demo=data.is_demo, records=data.records)
    # Every panel starts on its tab's first visit (first_visit.py): a session never builds the
    # outputs of tabs it does not open. The exports' report needs the standardisation and
    # localities results, so opening Export starts those two first.
    page = input.page
    start_on_first_visit(
        page,
        "areas",
        lambda: neighbourhoods_server(
            "neighbourhoods", store=STORE, settings=settings, analysis=data.analysis
        ),
    )
    for panel_server, name in (
        (gradient_server, "gradient"),
        (ethnicity_server, "ethnicity"),
        (trend_server, "trend"),
    ):
        start_on_first_visit(
            page,
            name,
            functools.partial(
                panel_server, name, settings=settings, analysis=data.analysis, shown=data.shown
            ),
        )
    standardise = start_on_first_visit(
        page,
        "standardise",
        lambda: standardise_server(
            "standardise", store=STORE, settings=settings, analysis=data.analysis, shown=data.shown
        ),
    )
    localities = start_on_first_visit(
        page,
        "localities",
        lambda: localities_server(
            "localities", store=STORE, settings=settings, analysis=data.analysis, shown=data.shown
        ),
    )
    start_on_first_visit(
        page,
        "cascade",
        lambda: cascade_server(
            "cascade", store=STORE, settings=settings, records=data.records, is_demo=data.is_demo
        ),
    )
    start_on_first_visit(
        page,
        "age",
        lambda: age_sex_server("age", store=STORE, settings=settings, records=data.records),
    )
    start_on_first_visit(
        page,
        "context",
        lambda: context_server(
            "context",
            store=STORE,
            settings=settings,
            records=data.records,
            analysis=data.analysis,
            is_demo=data.is_demo,
        ),
    )

    def start_exports() -> None:
        standardised, compared = standardise.ensure(), localities.ensure()
        exports_server(
            "exports",
            store=STORE,
            settings=settings,
            records=data.records,
            analysis=data.analysis,
            shown_in=data.shown_in,
            report_sections=lambda context, tables: area_sections(
                standardised(), compared(), tables, context
            ),
        )

    start_on_first_visit(page, "export", start_exports)


shiny_app = App(app_ui, server, static_assets={"/assets": WWW})
shiny_app.sanitize_errors = True
app = hosted_app(shiny_app, STORE, title=TITLE)
