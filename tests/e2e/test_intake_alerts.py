"""No silent zeros on screen: when records are dropped, the reasons sit above every result."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.helpers.browsing import open_app, open_tab, read_uploads, wait_until_settled

KENT = "E10000016"


def test_records_of_another_authority_show_the_reasons_above_the_results(
    page: Page, app, demo_903_files
) -> None:
    # Blackpool's records read for Kent: every period of care lies outside the authority.
    open_app(page, f"{app.url}?la={KENT}")
    read_uploads(page, demo_903_files)
    alert = page.locator("#intake-alert")
    expect(alert).to_be_visible(timeout=60_000)
    expect(alert).to_contain_text("None of the uploaded records could be used")
    expect(alert).to_contain_text("outside the authority")
    wait_until_settled(page)
    for tab in ("gradient", "ethnicity", "trend"):
        open_tab(page, tab)
        expect(page.locator("#intake-alert")).to_be_visible()
    open_tab(page, "gradient")
    findings = page.locator("#findings-list")
    expect(findings).to_contain_text("None of the uploaded records could be used")
    expect(findings).not_to_contain_text("0 children")


def test_a_clean_upload_has_no_alert(page: Page, app, demo_903_files) -> None:
    open_app(page, app.url)
    read_uploads(page, demo_903_files)
    expect(page.locator("#data-source")).to_contain_text("Your uploaded records", timeout=60_000)
    wait_until_settled(page)
    expect(page.locator("#intake-alert")).to_have_count(0)


def test_counts_per_lsoa_are_shown_once_for_the_authority(page: Page, app, tmp_path) -> None:
    # One Blackpool LSOA with 10 children on a plan: the authority's total is 10, not 20.
    path = tmp_path / "counts.csv"
    path.write_text("LSOA code,Measure,Count\nE01012662,CPP,10\n")
    open_app(page, app.url)
    read_uploads(page, [path], input_id="upload-files_counts")
    expect(page.locator("#data-source")).to_contain_text("Your uploaded records", timeout=60_000)
    wait_until_settled(page)
    open_tab(page, "gradient")
    expect(page.locator("#findings-list")).to_contain_text("10 children on a child protection")
