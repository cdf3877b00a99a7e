"""A copied link opens the same view; the address follows the controls; uploads never enter it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect
from shiny.playwright import controller

from tests.helpers.browsing import open_app, open_tab, read_uploads

SHARED = {
    "la": "E08000025",
    "imd": "2019",
    "domain": "income",
    "deciles": "local",
    "intervention": "CLA",
    "count": "starts",
    "year": "2024",
    "view": "publication",
}


def query_of(url: str) -> dict[str, str]:
    """The page address's query as a plain dict."""
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def test_a_shared_link_opens_the_same_view(page: Page, app, store) -> None:
    open_app(page, f"{app.url}?" + "&".join(f"{k}={v}" for k, v in SHARED.items()))
    expect(page.locator("#controls-la")).to_have_value(SHARED["la"])
    controller.InputRadioButtons(page, "controls-imd").expect_selected("2019")
    expect(page.locator("#controls-domain")).to_have_value("income")
    controller.InputRadioButtons(page, "controls-deciles").expect_selected("local")
    expect(page.locator("#controls-intervention")).to_have_value("CLA")
    controller.InputRadioButtons(page, "controls-count_kind").expect_selected("starts")
    expect(page.locator("#controls-year")).to_have_value("2024")
    controller.InputRadioButtons(page, "controls-view").expect_selected("publication")
    expect(page.locator("#view-label")).to_contain_text("Publication view")
    birmingham = store.authority(SHARED["la"])
    expect(page.locator("#neighbourhoods-headlines")).to_contain_text(
        f"{int(birmingham['n_lsoa_2011']):,}"
    )
    open_tab(page, "gradient")
    expect(page.locator("#gradient-notes")).to_contain_text("2011 LSOA")
    expect(page).to_have_url(re.compile(r"year=2024"))
    assert query_of(page.url) == SHARED


def test_changing_a_control_updates_the_address(page: Page, app) -> None:
    open_app(page, app.url)
    expect(page).to_have_url(re.compile(r"la=E06000009"))
    controller.InputSelect(page, "controls-intervention").set("CIN")
    expect(page).to_have_url(re.compile(r"intervention=CIN"))
    controller.InputRadioButtons(page, "controls-view").set("publication")
    expect(page).to_have_url(re.compile(r"view=publication"))
    controller.InputSelectize(page, "controls-la").set("E09000033")
    expect(page).to_have_url(re.compile(r"la=E09000033"))
    page.reload()
    expect(page.locator("#controls-la")).to_have_value("E09000033")
    expect(page.locator("#controls-intervention")).to_have_value("CIN")
    controller.InputRadioButtons(page, "controls-view").expect_selected("publication")


def test_nonsense_in_a_link_falls_back_to_defaults(page: Page, app) -> None:
    open_app(page, f"{app.url}?la=E99999999&imd=1999&intervention=XYZ&view=<script>")
    expect(page.locator("#controls-la")).to_have_value("E06000009")
    controller.InputRadioButtons(page, "controls-imd").expect_selected("2025")
    expect(page.locator("#controls-intervention")).to_have_value("CPP")
    controller.InputRadioButtons(page, "controls-view").expect_selected("internal")


def test_uploaded_records_never_enter_the_address(page: Page, app, demo_903_files) -> None:
    open_app(page, app.url)
    before = query_of(page.url)
    read_uploads(page, demo_903_files)
    expect(page.locator("#upload-summary")).to_be_visible(timeout=60_000)
    expect(page.locator("#data-source")).to_contain_text("Your uploaded records")
    after = query_of(page.url)
    assert set(after) <= set(SHARED)
    assert {k: v for k, v in after.items() if k != "year"} == {
        k: v for k, v in before.items() if k != "year"
    }
    names = [path.name for path in demo_903_files]
    assert not any(name in page.url for name in names)
    assert "DEMO" not in page.url and "demo" not in page.url
