"""A manager opens the explorer, picks an authority and sees its neighbourhoods by deprivation."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from shiny.playwright import controller

from modules.hosting import PLOTLY_JS, PLOTLY_JS_URL


def test_pick_authority_shows_map_and_profile(page: Page, app, store) -> None:
    page.goto(app.url)
    expect(page).to_have_title(re.compile("inequalities explorer", re.I))
    picker = controller.InputSelectize(page, "controls-la")
    picker.set("E06000009")  # Blackpool
    controller.InputRadioButtons(page, "controls-imd").set("2019")

    lsoas = store.lsoas(2019)
    blackpool = lsoas[lsoas["la_code"] == "E06000009"]
    polygons = page.locator("#deprivation-map path.choroplethlocation")
    expect(polygons).to_have_count(len(blackpool), timeout=20_000)

    headline = page.locator("#neighbourhoods-headlines")
    expect(headline).to_contain_text(f"{len(blackpool):,}")
    expect(headline).to_contain_text(f"{blackpool['children_0_17'].sum():,.0f}")

    expect(page.locator("#profile-chart .main-svg").first).to_be_visible()
    expect(page.locator("#profile-chart")).to_contain_text("England: 10% in each decile")
    expect(page.locator("#attribution")).to_have_count(1)


def test_profile_table_lists_every_decile(page: Page, app) -> None:
    page.goto(app.url)
    controller.InputSwitch(page, "neighbourhoods-profile_as_table").set(True)
    table = page.locator("#neighbourhoods-profile_table table")
    expect(table.locator("tbody tr")).to_have_count(10, timeout=20_000)
    expect(table.locator("caption")).to_contain_text("national decile")


def test_health_endpoint(page: Page, app) -> None:
    response = page.request.get(f"{app.url.rstrip('/')}/healthz")
    assert response.ok
    assert response.json()["authorities"] == 153


def test_polygons_are_served_once_per_authority_and_cached(page: Page, app, store) -> None:
    base = app.url.rstrip("/")
    response = page.request.get(f"{base}/geojson/2019/E06000009.json")
    assert response.ok
    assert "max-age" in response.headers["cache-control"]
    features = response.json()["features"]
    lsoas = store.lsoas(2019)
    assert {f["id"] for f in features} == set(
        lsoas.loc[lsoas["la_code"] == "E06000009", "lsoa_code"]
    )
    assert page.request.get(f"{base}/geojson/2019/E99999999.json").status == 404
    assert page.request.get(f"{base}/geojson/2018/E06000009.json").status == 404


def test_plotly_js_is_sent_compressed_and_kept_until_it_changes(page: Page, app) -> None:
    url = f"{app.url.rstrip('/')}/{PLOTLY_JS_URL}"
    compressed = page.request.get(url, headers={"Accept-Encoding": "gzip"})
    assert compressed.ok
    assert compressed.headers["content-encoding"] == "gzip"
    assert "immutable" in compressed.headers["cache-control"]
    plain = page.request.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.body() == compressed.body()  # Playwright decodes the gzip
    assert plain.body() == PLOTLY_JS.read_bytes()


def test_the_first_maps_polygons_are_fetched_once_while_plotly_loads(page: Page, app) -> None:
    polygon_requests: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda r: (
            polygon_requests.append((r.url.split("/geojson/")[-1], r.resource_type))
            if "/geojson/" in r.url
            else None
        ),
    )
    page.goto(f"{app.url}?la=E08000025&imd=2019")
    expect(page.locator("#deprivation-map path.choroplethlocation").first).to_be_attached(
        timeout=20_000
    )
    # Fetched by the page script as soon as it loads (a "fetch"), not by plotly.js later (an XHR).
    assert polygon_requests == [("2019/E08000025.json", "fetch")]
