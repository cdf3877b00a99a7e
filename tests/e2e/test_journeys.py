"""The main journeys, asserting what the user sees: the figures, labels, messages and files."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest
from playwright.sync_api import Page, expect
from shiny.playwright import controller

from csc_inequalities.demo.prepared import demo_records
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.deprivation import LOCAL_EXPLANATION, NATIONAL_EXPLANATION
from csc_inequalities.results.measures import Measure, year_ending
from tests.helpers.browsing import open_app, open_tab, read_uploads, wait_until_settled
from tests.helpers.downloads import PNG_SIGNATURE

KENT = "E10000016"
BLACKPOOL = "E06000009"
NUMERIC_COLUMNS = ("lsoas", "children", "count", "rate_per_10000", "lower_95ci", "upper_95ci")


def shown_number(text: str) -> float:
    """A number as the tables print it ('1,234.5')."""
    return float(text.replace(",", ""))


def table_cells(page: Page, selector: str) -> list[list[str]]:
    """The text of every body cell of a table, row by row."""
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )


def test_kent_gradient_table_equals_the_core(page: Page, app, store) -> None:
    open_app(page, app.url)
    controller.InputSelectize(page, "controls-la").set(KENT)
    controller.InputRadioButtons(page, "controls-imd").set("2019")
    controller.InputSelect(page, "controls-intervention").set("CLA")
    controller.InputRadioButtons(page, "controls-count_kind").set("starts")
    controller.InputRadioButtons(page, "controls-deciles").set("local")
    year = controller.InputSelect(page, "controls-year")
    expect(year.loc.locator("option[value='2024']")).to_have_count(1, timeout=60_000)
    year.set("2024")
    open_tab(page, "gradient")
    controller.InputSwitch(page, "gradient-as_table").set(True)

    expected = run_analysis(
        demo_records(KENT), store, KENT, 2019, Measure("CLA", "starts", year_ending(2024)), "local"
    )
    table = page.locator("#gradient-table")
    expect(table.locator("caption")).to_have_text(
        f"{expected.measure.label()}: rate per 10,000 children by deprivation decile",
        timeout=60_000,
    )
    expect(table.locator("tbody tr")).to_have_count(10)
    wait_until_settled(page)
    rows = table_cells(page, "#gradient-table")
    for shown, (_, want) in zip(rows, expected.gradient.iterrows(), strict=True):
        assert shown[0] == want["group_label"]
        for text, column in zip(shown[1:7], NUMERIC_COLUMNS, strict=True):
            assert shown_number(text) == pytest.approx(want[column], abs=0.051), (column, shown)
        assert shown[7] == want["ci_method"]
    expect(page.locator("#findings-list")).to_contain_text("Kent")


def test_index_and_decile_switches_change_neighbourhoods_and_notes(page: Page, app, store) -> None:
    kent = store.authority(KENT)
    open_app(page, f"{app.url}?la={KENT}&imd=2019&deciles=local")
    open_tab(page, "gradient")
    controller.InputSwitch(page, "gradient-as_table").set(True)
    expect(page.locator("#gradient-table tbody tr")).to_have_count(10, timeout=60_000)
    expect(page.locator("#gradient-notes")).to_contain_text(LOCAL_EXPLANATION)
    expect(page.locator("#gradient-notes")).to_contain_text("2011 LSOA")
    wait_until_settled(page)
    lsoas = [shown_number(row[1]) for row in table_cells(page, "#gradient-table")]
    assert sum(lsoas) == kent["n_lsoa_2011"]
    assert max(lsoas) - min(lsoas) <= 1, "local deciles hold equal numbers of neighbourhoods"

    controller.InputRadioButtons(page, "controls-imd").set("2025")
    controller.InputRadioButtons(page, "controls-deciles").set("national")
    expect(page.locator("#gradient-notes")).to_contain_text(NATIONAL_EXPLANATION)
    expect(page.locator("#gradient-notes")).to_contain_text("2021 LSOA")
    wait_until_settled(page)
    lsoas = [shown_number(row[1]) for row in table_cells(page, "#gradient-table")]
    assert sum(lsoas) == kent["n_lsoa_2021"]


def test_upload_demo_903_files_shows_the_validation_summary(
    page: Page, app, store, demo_903_files
) -> None:
    expected = load_records(
        [(path.name, path.read_bytes()) for path in demo_903_files], BLACKPOOL, store
    )
    open_app(page, app.url)
    read_uploads(page, demo_903_files)
    expect(page.locator("#upload-summary")).to_be_visible(timeout=60_000)
    expect(page.locator("#data-source")).to_contain_text("Your uploaded records")
    rows = table_cells(page, "#upload-summary")
    assert [row[0] for row in rows] == list(expected.summary["file"])
    assert [row[1] for row in rows] == list(expected.summary["kind"])
    assert [shown_number(row[2]) for row in rows] == list(expected.summary["records_read"])
    totals = {row[0]: shown_number(row[1]) for row in table_cells(page, "#upload-totals")}
    want = expected.totals()
    assert totals == dict(zip(want["measure"], want["records"], strict=True))
    for reason in expected.reason_counts()["reason"]:
        expect(page.locator("#upload-reasons")).to_contain_text(reason)


def test_a_bad_file_gives_a_clear_error(page: Page, app, store, empty_csv) -> None:
    with pytest.raises(RecordsError) as refusal:
        load_records([(empty_csv.name, b"")], BLACKPOOL, store)
    open_app(page, app.url)
    read_uploads(page, [empty_csv])
    error = page.locator("#upload-status .alert-danger")
    expect(error).to_have_text(str(refusal.value), timeout=30_000)
    expect(page.locator("#data-source")).to_contain_text("Synthetic demonstration data")


def downloaded(page: Page, link_id: str) -> bytes:
    """Click a download link once it is ready and return the file's bytes."""
    link = page.locator(f"#{link_id}")
    expect(link).not_to_have_class(re.compile(r"\bdisabled\b"), timeout=60_000)
    with page.expect_download(timeout=180_000) as download:
        link.click()
    with open(download.value.path(), "rb") as handle:
        return handle.read()


def test_export_a_chart_a_table_and_the_report(page: Page, app) -> None:
    open_app(page, app.url)
    open_tab(page, "export")

    png = downloaded(page, "exports-gradient_png")
    assert png.startswith(PNG_SIGNATURE)

    workbook = openpyxl.load_workbook(io.BytesIO(downloaded(page, "exports-gradient_xlsx")))
    cells = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row]
    assert "1 most deprived" in cells
    assert "10 least deprived" in cells

    report = docx.Document(io.BytesIO(downloaded(page, "exports-report_docx")))
    text = "\n".join(paragraph.text for paragraph in report.paragraphs)
    assert "Blackpool" in text
    assert report.tables, "the report has tables"
    assert report.inline_shapes, "the report has charts"
