"""About: sources and licence, definitions, privacy and the accessibility statement."""

from __future__ import annotations

from shiny import module, ui

from csc_inequalities import __version__

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Ministry of Housing, Communities and Local Government (English Indices of "
    "Deprivation 2019 and 2025); Office for National Statistics (boundaries, lookups, population "
    "estimates, Census 2021); Department for Education (children's social care statistics and "
    "statistical neighbours). Contains OS data © Crown copyright and database right 2011-2024."
)

SOURCES = [
    ("English Indices of Deprivation 2019", "MHCLG, 26 September 2019", "2011 LSOAs"),
    ("English Indices of Deprivation 2025", "MHCLG, 30 October 2025", "2021 LSOAs"),
    ("LSOA boundaries (December 2011 BGC; December 2021 BSC)", "ONS Open Geography", "LSOA"),
    ("LSOA to district to upper-tier authority lookups", "ONS Open Geography", "2021-2024"),
    ("Mid-2020 population by single year of age", "ONS small area estimates", "2011 LSOAs"),
    ("Census 2021 age, ethnic group (TS021) and children by ethnic group", "ONS", "LSOA/MSOA"),
    ("Children in need, child protection and looked-after statistics", "DfE", "authority"),
    ("Child Welfare Inequalities Project national gradient (2015)", "Bywaters et al. 2020", "-"),
]


@module.ui
def about_ui() -> ui.TagList:
    """Static explanatory page; every claim here is true of the running code."""
    return ui.TagList(
        ui.h2("About this explorer", class_="h4 mt-2"),
        ui.p(
            "The explorer shows the social gradient in an English local authority's children's "
            "social care: how rates of children in need (CIN), on child protection plans (CPP) "
            "and looked after (CLA) change with the deprivation of the neighbourhood a child "
            "lives in, and differ by ethnic group. It continues the work of the Child Welfare "
            "Inequalities Project (Bywaters et al. 2018, 2020)."
        ),
        # A link near the top gives keyboard users a focus point from which to scroll the page.
        ui.p(ui.a("Read the accessibility statement", href="#accessibility")),
        ui.h3("Data sources and licence", class_="h5"),
        ui.tags.table(
            ui.tags.caption("Official data used by the explorer"),
            ui.tags.thead(
                ui.tags.tr(
                    ui.tags.th("Dataset", scope="col"),
                    ui.tags.th("Publisher", scope="col"),
                    ui.tags.th("Geography", scope="col"),
                )
            ),
            ui.tags.tbody(
                *[ui.tags.tr(ui.tags.td(a), ui.tags.td(b), ui.tags.td(c)) for a, b, c in SOURCES]
            ),
            class_="table table-sm",
        ),
        ui.p(ATTRIBUTION, id="attribution"),
        ui.h3("Definitions", class_="h5"),
        ui.tags.ul(
            ui.tags.li(
                "LSOA: Lower-layer Super Output Area, a neighbourhood of about 1,500 residents."
            ),
            ui.tags.li(
                "Deprivation decile: decile 1 is the most deprived 10% of neighbourhoods in "
                "England, decile 10 the least deprived. Some research papers number the other way."
            ),
            ui.tags.li(
                "Rates are per 10,000 children aged 0-17. Children aged 0-17 per neighbourhood are "
                "ONS mid-2020 estimates; for 2021 neighbourhoods they are carried over from the "
                "2011 neighbourhoods through the ONS exact-fit lookup (see the data README)."
            ),
            ui.tags.li(
                "Authorities are the 153 upper-tier (children's services) authorities "
                "of April 2023."
            ),
        ),
        ui.h3("Your data stay private", class_="h5"),
        ui.p(
            "Files you upload are read into this browser session's memory only. They are not "
            "saved, logged or shared with any other session, and they disappear when you close "
            "the page. The demonstration data are synthetic: no real child is in them."
        ),
        ui.h3("Accessibility statement", class_="h5", id="accessibility"),
        ui.p(
            "We want as many people as possible to be able to use this explorer. It aims to "
            "meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA: every control "
            "works with a keyboard, every chart has a text description and a table view, colour "
            "is never the only way information is shown, and text contrast is at least 4.5:1. "
            "Every release is checked automatically with axe-core in a real browser."
        ),
        ui.p(
            "Known limitations: the maps are best explored with a mouse or touch; the same "
            "figures are available in the tables beside them. If you find a problem, please "
            "tell the team that runs this service."
        ),
        ui.p(f"Version {__version__}.", class_="small text-body-secondary"),
    )
