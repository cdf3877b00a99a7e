"""Deprivation or practice, and localities: drawn on demo data and after an upload; a locality
file with bad rows reported by row; the reference gradient replaced; axe on every new state."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from shiny.playwright import controller

from tests.helpers.accessibility import AXE_OPTIONS, assert_no_violations
from tests.helpers.browsing import open_app, open_tab, read_uploads, wait_until_settled

BLACKPOOL_WARDS = 21


@pytest.fixture(scope="module")
def axe() -> Axe:
    """axe-core as bundled by axe-playwright-python."""
    return Axe()


@pytest.fixture(scope="module")
def cin_files(blackpool_demo, tmp_path_factory) -> list[Path]:
    """Blackpool's demo CIN census XML and the address extract that places its children."""
    folder = tmp_path_factory.mktemp("cin")
    paths = []
    for name in ("demo_cin_census.xml", "demo_cin_addresses.csv"):
        path = folder / name
        path.write_bytes(blackpool_demo[name])
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def locality_file(store, tmp_path_factory) -> Path:
    """Blackpool's neighbourhoods in two teams, with four bad rows."""
    lsoas = store.lsoas(2025).query("la_code == 'E06000009'")["lsoa_code"].tolist()
    rows = [f"{code},{'North team' if i % 2 else 'South team'}" for i, code in enumerate(lsoas)]
    other = store.lsoas(2025).query("la_code == 'E06000008'")["lsoa_code"].iloc[0]
    rows += ["E01999999,North team", f"{other},South team", f"{lsoas[0]},North team", ",x"]
    path = tmp_path_factory.mktemp("teams") / "teams.csv"
    path.write_text("LSOA code,Team\n" + "\n".join(rows) + "\n")
    return path


def violations(page: Page, axe: Axe, state: str) -> dict[str, list[dict]]:
    """axe's WCAG A/AA violations on the page as it stands, keyed by the state's name."""
    wait_until_settled(page)
    result = axe.run(page, options=AXE_OPTIONS)
    return {state: result.response["violations"]} if result.violations_count else {}


def check_both_views_drawn(page: Page) -> None:
    """The decomposition chart with its findings and table, then the funnel plot and the map."""
    open_tab(page, "standardise")
    expect(page.locator("#decomposition-chart .main-svg").first).to_be_visible()
    expect(page.locator("#standardise-findings-list")).to_contain_text("times the expected number")
    expect(page.locator("#standardise-summary-table")).to_contain_text("standardised ratio")
    controller.InputSwitch(page, "standardise-as_table").set(True)
    expect(page.locator("#standardise-decile-table tbody tr")).to_have_count(10)
    open_tab(page, "localities")
    expect(page.locator("#funnel-chart .main-svg").first).to_be_visible()
    expect(page.locator("#localities-findings-list")).to_contain_text("wards")
    expect(page.locator("#locality-map path.choroplethlocation").first).to_be_attached()
    controller.InputSwitch(page, "localities-as_table").set(True)
    expect(page.locator("#localities-rows-table tbody tr")).to_have_count(BLACKPOOL_WARDS)


def test_both_views_draw_on_demo_data(page: Page, app) -> None:
    open_app(page, app.url)
    check_both_views_drawn(page)
    # Blackpool is one district: the scheme starts at wards, and districts say why not.
    controller.InputRadioButtons(page, "localities-scheme").set("district")
    expect(page.locator("#localities-unavailable-funnel")).to_contain_text("choose electoral wards")


def test_both_views_draw_after_uploading_cin_census_xml_with_addresses(
    page: Page, app, cin_files
) -> None:
    open_app(page, app.url)
    read_uploads(page, cin_files, input_id="upload-files_cin")
    expect(page.locator("#data-source")).to_contain_text("uploaded records", timeout=60_000)
    wait_until_settled(page)
    check_both_views_drawn(page)


def test_a_locality_file_with_bad_rows_gives_a_clear_report(
    page: Page, app, axe: Axe, locality_file
) -> None:
    open_app(page, app.url)
    open_tab(page, "localities")
    page.set_input_files("#localities-locality_file", str(locality_file))
    report = page.locator("#locality-file-report")
    expect(report).to_contain_text("placed a neighbourhood in one of 2 localities", timeout=30_000)
    expect(page.locator("#localities-scheme input[value='file']")).to_be_checked()
    issues = page.locator("#locality-issues tbody tr")
    expect(issues).to_have_count(4)
    rows = page.locator("#locality-issues tbody tr td:first-child").all_inner_texts()
    first_bad = len(rows) and int(rows[0])
    assert first_bad > 2 and rows == [str(first_bad + i) for i in range(4)]
    expect(issues.nth(0)).to_contain_text("unknown LSOA code")
    expect(issues.nth(1)).to_contain_text("outside the authority")
    expect(issues.nth(2)).to_contain_text("LSOA in two localities")
    expect(issues.nth(3)).to_contain_text("missing field")
    wait_until_settled(page)
    expect(page.locator("#funnel-chart .main-svg").first).to_be_visible()
    expect(page.locator("#localities-findings-list")).to_contain_text("localities")
    controller.InputSwitch(page, "localities-as_table").set(True)
    expect(page.locator("#localities-rows-table tbody tr td:first-child")).to_have_text(
        ["North team", "South team"]
    )
    assert_no_violations(violations(page, axe, "locality file report"))


def test_a_reference_gradient_replaces_england_and_bad_rows_are_listed(
    page: Page, app, axe: Axe, tmp_path
) -> None:
    good = tmp_path / "reference.csv"
    good.write_text("decile,rate\n" + "".join(f"{d},{130 - 12 * d}\n" for d in range(1, 11)))
    bad = tmp_path / "broken.csv"
    bad.write_text("decile,rate\n1,100\n2,x\n12,4\n")
    open_app(page, app.url)
    open_tab(page, "standardise")
    page.set_input_files("#standardise-reference", str(good))
    expect(page.locator("#reference-status")).to_contain_text("Using the reference rates in")
    expect(page.locator("#standardise-findings-list")).to_contain_text("given in reference.csv")
    expect(page.locator("#decomposition-chart")).to_be_attached()
    page.set_input_files("#standardise-reference", str(bad))
    status = page.locator("#reference-status")
    expect(status).to_contain_text("gives no usable rate for decile(s) 2, 3")
    expect(page.locator("#reference-issues tbody tr")).to_have_count(2)
    expect(page.locator("#reference-issues tbody tr").first).to_contain_text("3")
    expect(page.locator("#standardise-findings-list")).to_contain_text("England's rates by decile")
    assert_no_violations(violations(page, axe, "reference gradient report"))


def test_publication_view_suppresses_small_localities(page: Page, app) -> None:
    open_app(page, f"{app.url}?view=publication")
    open_tab(page, "localities")
    controller.InputSwitch(page, "localities-as_table").set(True)
    expect(page.locator("#localities-rows-table tbody tr")).to_have_count(BLACKPOOL_WARDS)
    counts = page.locator("#localities-rows-table tbody tr td:nth-child(4)").all_inner_texts()
    hidden = [text for text in counts if text == "c"]
    assert len(counts) == BLACKPOOL_WARDS and len(hidden) != 1
    small = [t for t in counts if t not in ("c", "-") and 0 < float(t.replace(",", "")) <= 5]
    assert not small
    if hidden:
        findings = page.locator("#localities-findings-list")
        expect(findings).to_contain_text("suppressed and not named")
