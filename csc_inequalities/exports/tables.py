"""The tables of the chosen view as CSV and XLSX files, with a metadata sheet."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csc_inequalities.publication.provenance import official_sources
from csc_inequalities.publication.tables import COLUMN_DEFINITIONS, ViewTable
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.records.canonical import ISSUE_COLUMNS

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind in "biufcmM":
            continue
        out[column] = out[column].map(_neutral_cell).astype(object)
    return out


def _neutral_cell(value: Any) -> Any:
    """Numbers stay numbers; only text starting with = + - @ (or a tab/return) is prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def issues_csv(issues: pd.DataFrame) -> bytes:
    """The list of dropped and doubtful records as CSV, safe to open in a spreadsheet.

    Child ids and file names come from the upload: one starting with = + - @ would run as a
    formula in Excel, so they are neutralised like every other export.
    """
    frame = neutralised(issues[list(ISSUE_COLUMNS)])
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def csv_bytes(table: ViewTable) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so Excel reads the encoding."""
    return neutralised(table.frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def xlsx_bytes(tables: list[ViewTable], context: ViewContext) -> bytes:
    """The tables as sheets of one workbook, followed by a metadata sheet."""
    from openpyxl import Workbook  # imported on first download, off the app's start-up path

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _write_sheet(workbook, table)
    _write_metadata(workbook, tables, context)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, table: ViewTable) -> None:
    """One tidy sheet: a header row of column names and one row per record."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(table.key[:31])
    frame = neutralised(table.frame)
    sheet.append([str(c) for c in frame.columns])
    _bold_first_row(sheet)
    for row in frame.itertuples(index=False):
        sheet.append([_excel_value(v) for v in row])
    for position, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(str(column)) + 2)
    sheet.freeze_panes = "A2"


def _bold_first_row(sheet: Worksheet) -> None:
    """Column headings in bold, so they read as headings in Excel."""
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _excel_value(value: Any) -> Any:
    """Plain Python values for openpyxl: NaN as an empty cell, numpy numbers as numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return _neutral_cell(value)


def metadata_rows(tables: list[ViewTable], context: ViewContext) -> list[tuple[str, str]]:
    """Field and value pairs describing the export: what, when, how protected, from where."""
    rows = [
        ("Authority", f"{context.la_name} ({context.la_code})"),
        ("Measure", context.measure_label),
        ("Reference date", context.reference_date),
        ("Deprivation index", context.imd_label),
        ("Deprivation groups", context.deprivation_note),
        ("Denominators", context.denominator_note),
        ("View", context.view_label),
        ("Disclosure control", context.rule_text),
        ("Generated", context.generated.isoformat(sep=" ")),
        ("App version", f"csc-inequalities {context.version}"),
    ]
    rows += [(f"Sheet {t.key[:31]}", f"{t.title}. {t.caption}") for t in tables]
    columns = sorted({c for t in tables for c in t.frame.columns})
    rows += [(f"Column {c}", COLUMN_DEFINITIONS[c]) for c in columns if c in COLUMN_DEFINITIONS]
    rows += [
        ("Source", f"{s.title}. {s.publisher}. {s.url}. Licence: {s.licence}")
        for s in official_sources()
    ]
    return rows


def _write_metadata(workbook: Workbook, tables: list[ViewTable], context: ViewContext) -> None:
    """The metadata sheet: sources, reference date, definitions, rule, generated date, version."""
    sheet = workbook.create_sheet("metadata")
    sheet.append(["field", "value"])
    _bold_first_row(sheet)
    for field_name, value in metadata_rows(tables, context):
        sheet.append([_excel_value(field_name), _excel_value(value)])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 120
