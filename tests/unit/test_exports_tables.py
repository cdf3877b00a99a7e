"""Exported tables: publication view protected, formulas neutralised, files that read back."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from csc_inequalities import __version__
from csc_inequalities.exports.filenames import export_filename, slug
from csc_inequalities.exports.tables import csv_bytes, neutralised, xlsx_bytes
from csc_inequalities.publication.disclosure import SUPPRESSED, DisclosureRule, View
from csc_inequalities.publication.tables import ViewTable, analysis_tables
from csc_inequalities.publication.view_context import view_context
from csc_inequalities.results.trend import Trend
from tests.helpers.exports_analysis import LA_CODE, synthetic_analysis

COUNT_COLUMNS = {"count"}


def small_counts_in(frame: pd.DataFrame) -> list:
    """Every count of 1 to 5 a table shows (there must be none in the publication view)."""
    found = []
    for column in COUNT_COLUMNS & set(frame.columns):
        for value in frame[column]:
            if isinstance(value, int | float | np.number) and 1 <= value <= 5:
                found.append((column, value))
    return found


def test_publication_tables_contain_no_count_from_1_to_5():
    analysis, _ = synthetic_analysis()
    tables = analysis_tables(analysis, view_context(analysis, "publication"))
    assert {t.key for t in tables} >= {"gradient", "ethnicity", "ethnicity-by-deprivation"}
    for table in tables:
        assert small_counts_in(table.frame) == [], table.key
    gradient = next(t for t in tables if t.key == "gradient").frame
    # Deciles 7 (3) and 10 (2) are small; their rates are hidden with them.
    assert gradient.loc[6, "count"] == SUPPRESSED and gradient.loc[9, "count"] == SUPPRESSED
    assert gradient.loc[6, "rate_per_10000"] == SUPPRESSED
    assert gradient.loc[0, "count"] == 60


def test_internal_tables_are_exact_and_say_not_for_publication():
    analysis, _ = synthetic_analysis()
    tables = analysis_tables(analysis, view_context(analysis, "internal"))
    gradient = next(t for t in tables if t.key == "gradient")
    assert gradient.frame["count"].tolist() == [60, 48, 40, 31, 22, 18, 3, 12, 9, 2]
    assert all("not for publication" in t.title for t in tables)


def test_publication_neighbourhood_table_has_no_counts_or_rates():
    analysis, _ = synthetic_analysis()
    tables = analysis_tables(analysis, view_context(analysis, "publication"))
    lsoas = next(t for t in tables if t.key == "neighbourhoods").frame
    assert "count" not in lsoas.columns and "rate_per_10000" not in lsoas.columns
    assert lsoas["lsoa_code"].str.startswith("E01").all()
    assert (lsoas["la_code"] == LA_CODE).all()


def test_tables_start_with_geography_codes_and_explicit_columns():
    analysis, _ = synthetic_analysis()
    table = analysis_tables(analysis, view_context(analysis, "internal"))[0]
    assert list(table.frame.columns[:2]) == ["la_code", "la_name"]
    assert {"rate_per_10000", "lower_95ci", "upper_95ci", "children"} <= set(table.frame.columns)


def test_ratios_to_white_hidden_when_white_count_is_hidden():
    analysis, _ = synthetic_analysis()
    ethnicity = analysis.ethnicity.copy()
    ethnicity.loc[ethnicity["ethnic_group"] == "White", "count"] = 3.0
    changed = replace(analysis, ethnicity=ethnicity)
    tables = analysis_tables(changed, view_context(changed, "publication"))
    published = next(t for t in tables if t.key == "ethnicity").frame
    assert (published["ratio_to_white"] == SUPPRESSED).all()
    assert (published["ratio_lower"] == SUPPRESSED).all()
    assert small_counts_in(published) == []


def trend_of(analysis, counts_by_year: dict[int, list[float]]) -> Trend:
    """A two-year trend for the synthetic analysis with the given quintile counts."""
    years = [
        pd.DataFrame(
            {
                "group": range(1, 6),
                "count": [float(c) for c in counts],
                "children": [3200.0] * 5,
                "rate_per_10000": [c * 3.1 for c in counts],
                "lower_95ci": [c * 2.0 for c in counts],
                "upper_95ci": [c * 4.0 for c in counts],
                "year": year,
            }
        )
        for year, counts in counts_by_year.items()
    ]
    sii = pd.DataFrame(
        {
            "year": list(counts_by_year),
            "count": [float(sum(c)) for c in counts_by_year.values()],
            "children": [16000.0] * len(counts_by_year),
            "rate_per_10000": [44.4] * len(counts_by_year),
            "sii": [-40.0, -38.0],
            "rii": [0.2, 0.25],
        }
    )
    return Trend(pd.concat(years, ignore_index=True), sii)


def test_trend_sii_hidden_for_years_with_hidden_quintiles():
    analysis, _ = synthetic_analysis([60, 48, 40, 31, 22, 18, 13, 12, 9, 8])
    trend = trend_of(analysis, {2023: [30, 20, 10, 3, 8], 2024: [30, 20, 10, 9, 8]})
    with_trend = replace(analysis, trend=trend)
    tables = analysis_tables(with_trend, view_context(with_trend, "publication"))
    published = next(t for t in tables if t.key == "trend-sii").frame
    assert published["sii"].tolist() == [SUPPRESSED, -38.0]
    gradient = next(t for t in tables if t.key == "trend-gradient").frame
    assert small_counts_in(gradient) == []


def test_current_year_of_the_trend_follows_the_published_gradient():
    analysis, _ = synthetic_analysis([60, 48, 40, 31, 22, 18, 13, 12, 2, 2])
    current = analysis.gradient_quintiles["count"].tolist()
    trend = trend_of(analysis, {2023: [30, 20, 10, 9, 8], 2024: current})
    with_trend = replace(analysis, trend=trend)
    tables = {
        t.key: t.frame for t in analysis_tables(with_trend, view_context(with_trend, "publication"))
    }
    assert tables["trend-sii"]["sii"].tolist() == [-40.0, SUPPRESSED]
    latest = tables["trend-gradient"][tables["trend-gradient"]["year"] == 2024]
    assert latest["count"].tolist() == tables["gradient-quintiles"]["count"].tolist()
    assert latest["count"].tolist().count(SUPPRESSED) == 2


def test_formula_cells_are_neutralised_but_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "plain", "a=b"],
            "value": [-3.5, 2.0, -1.0, 0.0, 4.0, 5.0],
            "mixed": [-2, "c", "=1+1", 7, "-", "ok"],
        }
    )
    out = neutralised(frame)
    assert out["name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "plain",
        "a=b",
    ]
    assert out["value"].tolist() == [-3.5, 2.0, -1.0, 0.0, 4.0, 5.0]
    assert out["mixed"].tolist() == [-2, "c", "'=1+1", 7, "'-", "ok"]


def test_csv_reads_back_with_the_same_rows():
    analysis, _ = synthetic_analysis()
    table = analysis_tables(analysis, view_context(analysis, "publication"))[0]
    data = csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == list(table.frame.columns)
    assert back["count"].tolist()[6] == SUPPRESSED
    assert len(back) == 10


def test_xlsx_has_data_and_metadata_sheets_and_keeps_numbers():
    analysis, _ = synthetic_analysis()
    context = view_context(analysis, "publication", DisclosureRule(round_counts_to=5))
    tables = analysis_tables(analysis, context)[:1]
    tables = [
        ViewTable(
            tables[0].key,
            tables[0].title,
            tables[0].caption,
            tables[0].frame.assign(group_label="=1+1"),
        )
    ]
    workbook = load_workbook(io.BytesIO(xlsx_bytes(tables, context)))
    assert workbook.sheetnames == ["gradient", "metadata"]
    sheet = workbook["gradient"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["la_code", "la_name"]
    counts = [row[header.index("count")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert counts[0] == 60 and counts[6] == SUPPRESSED and counts[4] == 20
    labels = [
        row[header.index("group_label")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert labels[0] == "'=1+1"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    metadata = dict(workbook["metadata"].iter_rows(min_row=2, values_only=True))
    assert metadata["Reference date"] == "2024-03-31"
    assert (
        "1 to 5" in metadata["Disclosure control"] and "nearest 5" in metadata["Disclosure control"]
    )
    assert metadata["App version"].endswith(__version__)
    assert metadata["Generated"][:4].isdigit()
    assert "Column rate_per_10000" in metadata
    assert any(key == "Source" for key in metadata)
    assert "Open Government Licence" in metadata["Source"]


def test_file_names_say_authority_measure_date_content_and_view():
    analysis, _ = synthetic_analysis()
    publication = view_context(analysis, "publication")
    internal = view_context(analysis, View.INTERNAL, demo=True)
    assert (
        export_filename(publication, "gradient", "csv")
        == "E09000099-testborough-cpp-at-2024-03-31-gradient-publication.csv"
    )
    name = export_filename(internal, "Ethnicity by deprivation", ".xlsx")
    assert name == (
        "E09000099-testborough-cpp-at-2024-03-31-ethnicity-by-deprivation-synthetic-demo-"
        "internal-not-for-publication.xlsx"
    )
    assert slug("St. Helens / Bath & NE Somerset") == "st-helens-bath-ne-somerset"
