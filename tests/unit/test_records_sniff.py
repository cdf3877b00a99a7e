"""Reading uploaded bytes: encodings, separators, empty files, size cap and zip bombs."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import datetime

import pandas as pd
import pytest

from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import (
    check_size,
    decode_text,
    detect_separator,
    guard_zip,
    read_tables,
    tidy_cells,
    upload_limit_bytes,
)

CSV = "CHILD,SEX,DOB,ETHNIC\nA1,1,01/02/2010,WBRI\nB2,2,03/04/2012,AIND\n"


def workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook made in memory."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (CSV.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + CSV.encode("utf-8"), "UTF-8"),
        ("CHILD,NAME\nA1,Zoë £5\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_decodes_utf8_with_or_without_bom_and_windows_1252(content, encoding):
    text, used = decode_text("f.csv", content)
    assert used == encoding
    assert text.startswith("CHILD,")


def test_windows_1252_text_keeps_its_characters():
    text, _ = decode_text("f.csv", "CHILD,NAME\nA1,Zoë £5\n".encode("cp1252"))
    assert "Zoë £5" in text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_as_excel_saves_unicode_text_is_read(codec):
    text, used = decode_text("f.csv", CSV.encode(codec))
    assert (text.lstrip("\ufeff"), used) == (CSV, "UTF-16")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (gzip.compress(CSV.encode()), "a gzip-compressed file"),
        (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
    ],
)
def test_a_mistaken_file_is_named_for_what_it_really_is(content, what):
    with pytest.raises(RecordsError, match=f"renamed.csv is {what}, not a table"):
        read_tables("renamed.csv", content)


def test_binary_data_is_not_called_a_text_encoding():
    with pytest.raises(RecordsError, match="not a text file"):
        read_tables("random.csv", bytes(range(256)) * 20)


@pytest.mark.parametrize(
    ("text", "separator"),
    [(CSV, ","), (CSV.replace(",", ";"), ";"), (CSV.replace(",", "\t"), "\t"), ("ONE\nx\n", ",")],
)
def test_separator_is_taken_from_the_heading_line(text, separator):
    assert detect_separator(text) == separator


def test_semicolon_file_is_read_into_columns_and_noted():
    [table] = read_tables("f.csv", CSV.replace(",", ";").encode())
    assert list(table.frame.columns) == ["CHILD", "SEX", "DOB", "ETHNIC"]
    assert table.frame.loc[1, "ETHNIC"] == "AIND"
    assert "semicolons" in table.note


def test_cells_are_trimmed_and_blanks_are_missing():
    [table] = read_tables("f.csv", b"CHILD , SEX\n A1 ,  \n")
    assert list(table.frame.columns) == ["CHILD", "SEX"]
    assert table.frame.loc[0, "CHILD"] == "A1"
    assert pd.isna(table.frame.loc[0, "SEX"])


@pytest.mark.parametrize("content", [b"", b"  \r\n\n"])
def test_empty_file_is_refused(content):
    with pytest.raises(RecordsError, match="empty"):
        check_size("empty.csv", content)


def test_headers_only_file_is_refused_naming_the_headings():
    with pytest.raises(RecordsError, match="headings .*CHILD.* but no records"):
        read_tables("h.csv", b"CHILD,SEX,DOB,ETHNIC\n")


def test_size_cap_is_configurable_and_enforced_before_parsing(monkeypatch):
    monkeypatch.setenv("CSC_UPLOAD_MAX_MB", "0.001")
    assert upload_limit_bytes() == 1048
    with pytest.raises(RecordsError, match="above the upload limit of"):
        check_size("big.csv", b"x" * 2000)
    check_size("small.csv", b"x" * 1000)


def test_size_cap_defaults_to_50_mb(monkeypatch):
    monkeypatch.delenv("CSC_UPLOAD_MAX_MB", raising=False)
    assert upload_limit_bytes() == 50 * 1024 * 1024


def test_xlsx_sheets_are_read_as_text_tables():
    frame = pd.DataFrame({"CHILD": ["A1", "B2"], "SEX": [1, 2]})
    tables = read_tables("w.xlsx", workbook({"Header": frame, "Empty": pd.DataFrame()}))
    assert [table.sheet for table in tables] == ["Header"]
    assert tables[0].frame["SEX"].tolist() == ["1", "2"]
    assert tables[0].label == "w.xlsx (sheet Header)"


def zip_bomb() -> bytes:
    """A zip whose one member expands 1000-fold: a workbook-shaped zip bomb."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 20_000_000)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_openpyxl_sees_it():
    content = zip_bomb()
    assert len(content) < 100_000
    with pytest.raises(RecordsError, match="zip bomb"):
        guard_zip("bomb.xlsx", content)
    with pytest.raises(RecordsError, match="zip bomb"):
        read_tables("bomb.xlsx", content)


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(RecordsError, match="not an Excel workbook"):
        read_tables("notes.zip", buffer.getvalue())


def test_old_xls_is_refused_with_advice():
    with pytest.raises(RecordsError, match=r"\.xls"):
        read_tables("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_cells_are_trimmed_blanks_become_missing_and_every_cell_becomes_text():
    # As a workbook's sheet arrives: headings with spaces and a byte-order mark, cells of any type.
    frame = pd.DataFrame(
        {" CHILD ": [" A1 ", "\u00a0", None], "\ufeffDOB": [datetime(2010, 2, 1), 5, " "]},
        dtype=object,
        index=[7, 8, 9],
    )
    tidy = tidy_cells(frame)
    assert list(tidy.columns) == ["CHILD", "DOB"]
    assert tidy.index.tolist() == [0, 1, 2]
    assert tidy["CHILD"].iloc[0] == "A1"
    assert tidy["CHILD"].isna().tolist() == [False, True, True]
    assert tidy["DOB"].iloc[:2].tolist() == ["2010-02-01 00:00:00", "5"]
    assert pd.isna(tidy["DOB"].iloc[2])
    assert all(str(dtype) == "str" for dtype in tidy.dtypes)
