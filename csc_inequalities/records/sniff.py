"""Turn uploaded bytes into tables safely: size cap, encodings, separators, XLSX zip-bomb guard."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

import pandas as pd

from csc_inequalities.records.issues import RecordsError

DEFAULT_UPLOAD_MAX_MB = 50.0
XLSX_MAX_EXPANSION = 20
XLSX_MAX_MEMBER_RATIO = 200
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Table:
    """One table read from an upload: a CSV file or one sheet of a workbook, all cells as text."""

    file: str
    frame: pd.DataFrame
    sheet: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """How the table is named to the user: the file, and the sheet for workbooks."""
        return f"{self.file} (sheet {self.sheet})" if self.sheet else self.file


def upload_limit_bytes() -> int:
    """The upload size cap: CSC_UPLOAD_MAX_MB megabytes (default 50), so a server is not swamped."""
    configured = os.environ.get("CSC_UPLOAD_MAX_MB", "")
    try:
        megabytes = float(configured) if configured.strip() else DEFAULT_UPLOAD_MAX_MB
    except ValueError:
        megabytes = DEFAULT_UPLOAD_MAX_MB
    return int(megabytes * 1024 * 1024)


def check_declared_size(name: str, size: int) -> None:
    """Refuse a file above the cap (CSC_UPLOAD_MAX_MB), before it is read or parsed."""
    limit = upload_limit_bytes()
    if size > limit:
        raise RecordsError(
            f"{name} is {size / 1048576:.1f} MB, above the upload limit of "
            f"{limit / 1048576:.0f} MB. Split the file by year, or ask the administrator to raise "
            "CSC_UPLOAD_MAX_MB."
        )


def check_size(name: str, content: bytes) -> None:
    """Refuse a file above the cap before any parsing, and refuse an empty file."""
    check_declared_size(name, len(content))
    if not content.strip():
        raise RecordsError(f"{name} is empty: it holds no column headings and no records.")


def looks_like_xml(content: bytes) -> bool:
    """True for XML content (a CIN census), whatever the file is called."""
    start = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<")


def looks_like_xlsx(content: bytes) -> bool:
    """True for a zip container, the form of an Excel .xlsx workbook."""
    return content.startswith(ZIP_MAGIC)


def decode_text(name: str, content: bytes) -> tuple[str, str]:
    """Text of a CSV in UTF-8 (with or without BOM) or Windows-1252, and the encoding used."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        raise RecordsError(
            f"{name} is saved as UTF-16 text or is not a text file. Expected a CSV saved as "
            "'CSV UTF-8' (or Windows-1252), an .xlsx workbook or a CIN census XML file."
        )
    try:
        return content.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise RecordsError(
            f"{name} is not in a recognised text encoding (byte {error.start + 1} cannot be read). "
            "Expected a CSV saved as 'CSV UTF-8' or Windows-1252."
        ) from None


def detect_separator(text: str) -> str:
    """The column separator used in the heading line: comma, semicolon, tab or vertical bar."""
    heading = next((line for line in text.splitlines() if line.strip()), "")
    counts = {separator: heading.count(separator) for separator in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def tidy_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells with surrounding spaces removed, blanks as missing, headings trimmed."""
    frame = frame.rename(columns=lambda column: str(column).strip().lstrip("\ufeff"))
    tidy = {}
    for column in frame.columns:
        values = frame[column].astype("str").str.strip()
        tidy[column] = values.where(values.ne("") & frame[column].notna())
    return pd.DataFrame(tidy, index=frame.index).reset_index(drop=True)


def require_rows(name: str, frame: pd.DataFrame) -> None:
    """Refuse a table that has headings but no records."""
    if frame.empty:
        raise RecordsError(
            f"{name} has column headings ({', '.join(map(str, frame.columns[:8]))}) but no "
            "records below them."
        )


def read_delimited(name: str, content: bytes) -> Table:
    """A CSV (or semicolon- or tab-separated) file as a table of text cells."""
    text, encoding = decode_text(name, content)
    separator = detect_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype="str",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as error:
        raise RecordsError(
            f"{name} could not be read as a table separated by {SEPARATOR_NAMES[separator]}: "
            f"{str(error).strip()}. Expected one heading row and one record per row."
        ) from None
    frame = tidy_cells(frame)
    require_rows(name, frame)
    notes = []
    if separator != ",":
        notes.append(f"columns separated by {SEPARATOR_NAMES[separator]}")
    if encoding != "UTF-8":
        notes.append(f"read as {encoding} text")
    return Table(file=name, frame=frame, note="; ".join(notes))


def guard_zip(name: str, content: bytes) -> None:
    """Refuse a workbook whose contents would expand far beyond its size (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RecordsError(
            f"{name} is a damaged or unsupported zip file. Expected an .xlsx workbook or a CSV."
        ) from None
    limit = upload_limit_bytes() * XLSX_MAX_EXPANSION
    expanded = sum(member.file_size for member in members)
    worst_ratio = max(
        (member.file_size / max(member.compress_size, 1) for member in members), default=0
    )
    if expanded > limit or worst_ratio > XLSX_MAX_MEMBER_RATIO:
        raise RecordsError(
            f"{name} was refused: its contents would expand to {expanded / 1048576:.0f} MB "
            f"(compression ratio up to {worst_ratio:.0f} to 1), which is how zip bombs look. "
            "Save the data as a CSV and upload that instead."
        )
    if not any(member.filename.startswith("xl/") for member in members):
        raise RecordsError(
            f"{name} is a zip file but not an Excel workbook. Expected an .xlsx workbook or a CSV."
        )


def read_workbook(name: str, content: bytes) -> list[Table]:
    """Every sheet of an .xlsx workbook as a table of text cells (after the zip-bomb guard)."""
    guard_zip(name, content)
    try:
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype="str", engine="openpyxl")
    except Exception:
        raise RecordsError(
            f"{name} could not be opened as an Excel workbook. Expected an .xlsx file saved by "
            "Excel, or a CSV."
        ) from None
    tables = [
        Table(file=name, frame=tidy_cells(frame), sheet=str(sheet))
        for sheet, frame in sheets.items()
        if len(frame.columns) > 0
    ]
    if not tables:
        raise RecordsError(f"{name} is an empty workbook: no sheet holds any column headings.")
    if all(table.frame.empty for table in tables):
        first = tables[0]
        require_rows(first.label, first.frame)
    return [table for table in tables if not table.frame.empty]


def read_tables(name: str, content: bytes) -> list[Table]:
    """The tables in a tabular upload: one for a CSV, one per non-empty sheet for a workbook."""
    if content.startswith(OLE2_MAGIC):
        raise RecordsError(
            f"{name} is an old-style Excel .xls file (or a password-protected workbook). "
            "Save it as .xlsx or CSV UTF-8 and upload again."
        )
    if looks_like_xlsx(content):
        return read_workbook(name, content)
    return [read_delimited(name, content)]
