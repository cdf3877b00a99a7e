"""WCAG 2.2 A/AA in a real browser: axe-core on every tab in every state, keyboard, reflow."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from shiny.playwright import controller

from tests.helpers.accessibility import AXE_OPTIONS, assert_no_violations
from tests.helpers.browsing import TAB_READY, open_app, open_tab, read_uploads, wait_until_settled

SIDEBAR_ORDER = [
    "controls-la-selectized",
    "controls-imd",
    "controls-domain",
    "controls-deciles",
    "controls-intervention",
    "controls-count_kind",
    "controls-year",
    "controls-age_band",
    "controls-sex",
    "controls-view",
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    """axe-core as bundled by axe-playwright-python: no network needed."""
    return Axe()


def violations_on_every_tab(page: Page, axe: Axe) -> dict[str, list[dict]]:
    """axe's WCAG A/AA violations on each tab, keyed by tab, with every 'Show as table' on."""
    found = {}
    for tab in TAB_READY:
        open_tab(page, tab)
        pane = f'.tab-pane[data-value="{tab}"]'
        switches = page.locator(f"{pane} .form-switch", has_text="table").locator("input")
        for index in range(switches.count()):
            switches.nth(index).check()
        page.wait_for_function(
            "([pane, n]) => document.querySelectorAll(pane + ' table').length >= n",
            arg=[pane, switches.count()],
            timeout=60_000,
        )
        wait_until_settled(page)
        result = axe.run(page, options=AXE_OPTIONS)
        if result.violations_count:
            found[tab] = result.response["violations"]
    return found


def test_demo_data_has_no_violations(page: Page, app, axe: Axe) -> None:
    open_app(page, app.url)
    assert_no_violations(violations_on_every_tab(page, axe))


def test_publication_view_has_no_violations(page: Page, app, axe: Axe) -> None:
    open_app(page, f"{app.url}?view=publication")
    expect(page.locator("#view-label")).to_contain_text("Publication view")
    assert_no_violations(violations_on_every_tab(page, axe))


def test_after_an_upload_has_no_violations(page: Page, app, axe: Axe, demo_903_files) -> None:
    open_app(page, app.url)
    read_uploads(page, demo_903_files)
    expect(page.locator("#upload-summary")).to_be_visible(timeout=60_000)
    expect(page.locator("#data-source")).to_contain_text("uploaded records")
    assert_no_violations(violations_on_every_tab(page, axe))


def test_error_state_has_no_violations(page: Page, app, axe: Axe, empty_csv) -> None:
    open_app(page, app.url)
    read_uploads(page, [empty_csv])
    expect(page.locator("#upload-status .alert-danger")).to_be_visible(timeout=30_000)
    assert_no_violations(violations_on_every_tab(page, axe))


def chart_with_title(page: Page, element_id: str):
    """A chart's figure block: the HTML title above the plotly drawing and its text alternative."""
    return page.locator(".plotly-figure", has=page.locator(f"#{element_id}"))


def test_map_layers_details_and_column_mapping_have_no_violations(
    page: Page, app, axe: Axe, case_extract_file
) -> None:
    open_app(page, app.url)
    found = {}
    for layer in ("smoothed", "rate", "minority"):
        controller.InputRadioButtons(page, "neighbourhoods-layer").set(layer)
        expect(page.locator("#neighbourhoods-map_note")).not_to_be_empty()
        wait_until_settled(page)
        result = axe.run(page, options=AXE_OPTIONS)
        if result.violations_count:
            found[f"map layer {layer}"] = result.response["violations"]
    page.locator("#deprivation-map path.choroplethlocation").first.click(force=True)
    expect(page.locator("#lsoa-details")).to_contain_text("Selected neighbourhood")
    result = axe.run(page, options=AXE_OPTIONS)
    if result.violations_count:
        found["neighbourhood details"] = result.response["violations"]
    open_tab(page, "data")
    page.set_input_files("#upload-files_extract", str(case_extract_file))
    expect(page.locator("#upload-mapping select").first).to_be_visible(timeout=30_000)
    wait_until_settled(page)
    result = axe.run(page, options=AXE_OPTIONS)
    if result.violations_count:
        found["extract column mapping"] = result.response["violations"]
    assert_no_violations(found)


def focused_control(page: Page) -> dict:
    """The focused element's control id (radio groups by name) and its focus outline."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                id: el.type === 'radio' ? el.name : el.id,
                outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth),
            };
        }"""
    )


def test_sidebar_controls_in_order_with_visible_focus(page: Page, app) -> None:
    open_app(page, app.url)
    page.locator("#controls-la-selectized").focus()
    seen = [focused_control(page)]
    for _ in SIDEBAR_ORDER[1:]:
        page.keyboard.press("Tab")
        seen.append(focused_control(page))
    assert [item["id"] for item in seen] == SIDEBAR_ORDER
    for item in seen[1:]:
        assert item["outline"] != "none" and item["width"] >= 2, item


def test_keyboard_alone_changes_the_measure(page: Page, app) -> None:
    open_app(page, app.url)
    open_tab(page, "gradient")
    page.locator("#controls-intervention").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#controls-intervention")).to_have_value("CLA")
    expect(chart_with_title(page, "gradient-plot")).to_contain_text("looked after", timeout=30_000)
    page.locator('input[name="controls-count_kind"]:checked').focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator('input[name="controls-count_kind"][value="starts"]')).to_be_checked()


def test_language_and_heading_order(page: Page, app) -> None:
    open_app(page, app.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for tab in TAB_READY:
        open_tab(page, tab)
        levels = page.evaluate(
            """() => [...document.querySelectorAll(
                    'h1, h2, h3, h4, h5, h6, [role=heading]')]
                .filter(h => h.offsetParent !== null)
                .map(h => Number(h.getAttribute('aria-level') || h.tagName.slice(1)))"""
        )
        assert levels[0] == 1, (tab, levels)
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not jumps, (tab, levels)


def open_tab_from_menu(page: Page, tab: str) -> None:
    """On a small screen the tabs are in a drop-down menu: open it when needed, then the tab.

    Bootstrap ignores the menu button while the menu is still opening or closing (it closes by
    itself once a tab is chosen), so wait for that to finish first.
    """
    settled_menu = "() => !document.querySelector('.navbar-collapse.collapsing')"
    page.wait_for_function(settled_menu)
    if not page.locator(f'#page a[data-value="{tab}"]').is_visible():
        page.locator(".navbar-toggler").click()
        expect(page.locator(".navbar-collapse.show")).to_have_count(1)
        page.wait_for_function(settled_menu)
    open_tab(page, tab)


@pytest.mark.parametrize(
    ("width", "height"), [(390, 844), (640, 360)], ids=["phone", "200% zoom of 1280x720"]
)
def test_no_horizontal_overflow_on_narrow_screens(page: Page, app, width, height) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app.url)
    for tab in TAB_READY:
        open_tab_from_menu(page, tab)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (tab, overflow)
    intervention = page.locator("#controls-intervention")
    if not intervention.is_visible():
        page.get_by_title("Toggle sidebar").click()
    intervention.select_option("CIN")
    open_tab_from_menu(page, "gradient")
    # Shiny redraws an output of a re-shown tab once it is scrolled into view, as a user would.
    page.locator('.tab-pane[data-value="gradient"] .card').first.scroll_into_view_if_needed()
    expect(chart_with_title(page, "gradient-plot")).to_contain_text("in need", timeout=30_000)
