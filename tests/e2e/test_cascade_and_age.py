"""The Cascade and Age and sex tabs in the browser: on demo data, with the sidebar's age and sex,
in the publication view, and after uploading Blackpool's CIN census with its address extract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.helpers.accessibility import AXE_OPTIONS, assert_no_violations
from tests.helpers.browsing import open_app, open_tab, read_uploads, wait_until_settled

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def cin_census_files(blackpool_demo, tmp_path_factory) -> list[Path]:
    """Blackpool's demo CIN census XML and its address extract, as a user would have them."""
    folder = tmp_path_factory.mktemp("cin")
    paths = []
    for name in ("demo_cin_census.xml", "demo_cin_addresses.csv"):
        path = folder / name
        path.write_bytes(blackpool_demo[name])
        paths.append(path)
    return paths


def figure(page: Page, element_id: str):
    """A chart's figure block: its HTML title, the plotly drawing and its text alternative."""
    return page.locator(".plotly-figure", has=page.locator(f"#{element_id}"))


def test_cascade_and_age_tabs_draw_on_demo_data_and_follow_the_sidebar(page: Page, app) -> None:
    open_app(page, f"{app.url}?deciles=local")
    open_tab(page, "cascade")
    chart = figure(page, "cascade-plot")
    expect(chart).to_contain_text("Decisions from referral to care")
    expect(page.locator("#cascade-plot .scatterlayer .trace")).to_have_count(5)
    expect(chart.locator("p.visually-hidden")).to_contain_text("quintile 1 most deprived: referral")
    expect(page.locator("#cascade-findings")).to_contain_text("times at referral")
    expect(page.locator("#cascade-conversions-plot .main-svg").first).to_be_visible()
    page.locator("#cascade-as_table").check()
    expect(page.locator("#cascade-stages-table")).to_contain_text("Section 47 enquiries started")
    page.get_by_role("button", name="Primary need").click()
    expect(page.locator("#cascade-factors-plot .main-svg").first).to_be_visible(timeout=30_000)
    expect(page.locator("#cascade-factors-table")).to_contain_text("Mental health")

    page.locator("#controls-age_band").select_option("under_1")
    expect(chart).to_contain_text("(children aged under 1)", timeout=30_000)
    expect(page.locator("#cascade-notes")).to_contain_text("children aged under 1 in each")

    open_tab(page, "age")
    expect(figure(page, "age-plot")).to_contain_text("by age band")
    expect(figure(page, "sex-plot")).to_contain_text("girls and boys")
    expect(figure(page, "infants-plot")).to_contain_text("Babies starting to be looked after")
    expect(page.locator("#age-notes")).to_contain_text("share of girls")
    page.locator("#controls-sex").select_option("F")
    expect(figure(page, "age-plot")).to_contain_text("(girls aged under 1)", timeout=30_000)
    assert "age=under_1" in page.url and "sex=F" in page.url
    open_tab(page, "gradient")
    expect(figure(page, "gradient-plot")).to_contain_text("(girls aged under 1)")


def test_publication_view_of_the_new_tabs_has_no_violations(page: Page, app) -> None:
    open_app(page, f"{app.url}?view=publication&sex=F")
    axe = Axe()
    found = {}
    for tab in ("cascade", "age"):
        open_tab(page, tab)
        pane = f'.tab-pane[data-value="{tab}"]'
        switches = page.locator(f"{pane} .form-switch input")
        for index in range(switches.count()):
            switches.nth(index).check()
        if tab == "cascade":
            page.get_by_role("button", name="By ethnic group").click()
            expect(page.locator("#cascade-ethnicity-table")).to_be_visible(timeout=30_000)
        wait_until_settled(page)
        result = axe.run(page, options=AXE_OPTIONS)
        if result.violations_count:
            found[tab] = result.response["violations"]
    assert_no_violations(found)
    open_tab(page, "cascade")
    suppressed = page.locator("#cascade-stages-table td", has_text=re.compile(r"^c$"))
    expect(suppressed).not_to_have_count(0)


def test_cascade_after_uploading_the_cin_census_and_addresses(
    page: Page, app, cin_census_files
) -> None:
    open_app(page, app.url)
    read_uploads(page, cin_census_files, input_id="upload-files_cin")
    expect(page.locator("#upload-summary")).to_be_visible(timeout=90_000)
    expect(page.locator("#data-source")).to_contain_text("uploaded records")
    open_tab(page, "cascade")
    expect(page.locator("#cascade-plot .scatterlayer .trace").first).to_be_attached()
    # No 903 files were uploaded: the chart stops at plans and the notes say how to go on.
    alt = figure(page, "cascade-plot").locator("p.visually-hidden")
    expect(alt).to_contain_text("plan started")
    expect(alt).not_to_contain_text("started to be looked after")
    expect(page.locator("#cascade-notes")).to_contain_text("SSDA903")
    expect(page.locator("#cascade-findings")).to_contain_text("least deprived fifth")
    open_tab(page, "age")
    expect(figure(page, "age-plot")).to_contain_text("by age band")
