"""Steps every browser test takes: open the app, open a tab, wait for Shiny, upload files."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

# Each tab's element that shows its content has been drawn for the current settings.
TAB_READY = {
    "areas": "#deprivation-map .main-svg",
    "gradient": "#gradient-plot .main-svg",
    "ethnicity": "#ethnicity-chart .main-svg",
    "trend": "#trend-years_note p",
    "cascade": "#cascade-plot .main-svg",
    "age": "#age-plot .main-svg",
    "standardise": "#decomposition-chart .main-svg, #standardise-unavailable",
    "localities": "#funnel-chart .main-svg, #localities-unavailable-funnel",
    "context": "#context-trend-chart .main-svg",
    "data": "#upload-read",
    "export": "#exports-view_status .alert",
    "about": "#accessibility",
}
# Outputs in hidden tabs stay marked 'recalculating' until shown, so only visible ones count.
SETTLED = (
    "() => !document.documentElement.classList.contains('shiny-busy')"
    " && ![...document.querySelectorAll('.recalculating')].some(e => e.offsetParent !== null)"
)


def wait_until_settled(page: Page) -> None:
    """Wait until Shiny is idle, no visible output is recalculating and progress boxes are gone."""
    page.wait_for_function(SETTLED, timeout=60_000)
    expect(page.locator("#shiny-notification-panel .shiny-notification")).to_have_count(
        0, timeout=30_000
    )


def open_tab(page: Page, value: str) -> None:
    """Click a navbar tab (opening its menu first if it is in one) and wait until it is drawn."""
    link = page.locator(f'#page a[data-value="{value}"]')
    if not link.is_visible():
        menu = page.locator(f'#page .dropdown:has(a[data-value="{value}"]) > .dropdown-toggle')
        if menu.count():
            menu.click()
    link.click()
    expect(page.locator(f'.tab-pane[data-value="{value}"]')).to_be_visible()
    expect(page.locator(TAB_READY[value]).first).to_be_visible(timeout=60_000)
    wait_until_settled(page)


def open_app(page: Page, url: str) -> None:
    """Open the app at a URL and wait for the first map to be drawn."""
    page.goto(url)
    expect(page.locator("#deprivation-map path.choroplethlocation").first).to_be_attached(
        timeout=60_000
    )
    wait_until_settled(page)


def read_uploads(page: Page, paths: list[Path], input_id: str = "upload-files_903") -> None:
    """Choose files in the Your data tab and press 'Read the files'."""
    open_tab(page, "data")
    page.set_input_files(f"#{input_id}", [str(p) for p in paths])
    expect(page.locator(f"#{input_id}_progress")).to_contain_text("complete", timeout=30_000)
    page.locator("#upload-read").click()
