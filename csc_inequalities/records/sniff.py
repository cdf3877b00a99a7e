"""Turn uploaded bytes into tables safely: size cap, encodings, separators, XLSX zip-bomb guard."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csc_inequalities.records.issues import RecordsError
from csc_inequalities.settings import number_setting

XLSX_MAX_EXPANSION = 20
XLSX_MAX_MEMBER_RATIO = 200
# What any upload may hold, so every file is read or refused in seconds and bounded memory:
# the largest real returns (100,000 episodes of 13 columns; England's whole CIN caseload is
# about 650,000 episodes a year) are far inside these.
MAX_COLUMNS = 300
MAX_ROWS = 500_000
MAX_WORKBOOK_CELLS = 5_000_000
# A workbook's parts are decompressed as they are checked; no part may expand beyond this.
XLSX_MAX_PART_BYTES = 400 * 1024 * 1024
# Files people upload by mistake, told by their first bytes.
SIGNATURES = (
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it and upload the file inside"),
    (b"BZh", "a bzip2-compressed file", "Decompress it and upload the file inside"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "Decompress it and upload the file inside"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Extract it and upload the files inside"),
    (b"Rar!", "a RAR archive", "Extract it and upload the files inside"),
    (b"%PDF", "a PDF document", "Export the data from the case system as CSV or Excel"),
    (b"\x89PNG", "a PNG image", "Upload the data as CSV or Excel"),
    (b"\xff\xd8\xff", "a JPEG image", "Upload the data as CSV or Excel"),
    (b"{\\rtf", "a Rich Text document", "Save the table as CSV or Excel"),
)
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
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
    # Each record's row in the file as the user sees it (heading = row 1), blank rows counted.
    rows: tuple[int, ...] | None = None
    # Rows that could not be split into the heading's cells: (row, what was wrong).
    malformed: tuple[tuple[int, str], ...] = ()

    @property
    def label(self) -> str:
        """How the table is named to the user: the file, and the sheet for workbooks."""
        return f"{self.file} (sheet {self.sheet})" if self.sheet else self.file

    @property
    def row_numbers(self) -> pd.Series:
        """The file row of each record, for every issue reported about it."""
        if self.rows is not None and len(self.rows) == len(self.frame):
            return pd.Series(self.rows, dtype="int64")
        return pd.Series(range(2, len(self.frame) + 2), dtype="int64")


def upload_limit_bytes() -> int:
    """The upload size cap: CSC_UPLOAD_MAX_MB megabytes (default 50), so a server is not swamped."""
    return int(number_setting("CSC_UPLOAD_MAX_MB") * 1024 * 1024)


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
    """True for XML content (a CIN census) in UTF-8 or UTF-16, whatever the file is called."""
    head = content[:512]
    for bom, codec, _ in BOMS:
        if head.startswith(bom):
            head = head.decode(codec, errors="ignore").encode("utf-8")
            break
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def refuse_known_binary(name: str, content: bytes) -> None:
    """Name what a mistaken upload really is (a gzip, a PDF...) and what to upload instead."""
    for signature, what, advice in SIGNATURES:
        if content.startswith(signature):
            raise RecordsError(
                f"{name} is {what}, not a table. {advice}: a CSV, an .xlsx workbook or a CIN "
                "census XML file."
            )


def looks_like_xlsx(content: bytes) -> bool:
    """True for a zip container, the form of an Excel .xlsx workbook."""
    return content.startswith(ZIP_MAGIC)


def decode_text(name: str, content: bytes) -> tuple[str, str]:
    """Text of a CSV in UTF-8, UTF-16 (as Excel's 'Unicode text') or Windows-1252, and which."""
    refuse_known_binary(name, content)
    for bom, codec, label in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(codec), label
            except UnicodeDecodeError:
                break
    head = content[:4096]
    if head and b"\x00" in head:
        # UTF-16 without a byte-order mark puts a zero byte beside every ASCII character.
        for codec, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if zeros.count(0) > 0.9 * len(zeros):
                try:
                    return content.decode(codec), "UTF-16"
                except UnicodeDecodeError:
                    break
        raise RecordsError(
            f"{name} is not a text file (it holds binary data). Expected a CSV saved as "
            "'CSV UTF-8' (or Windows-1252), an .xlsx workbook or a CIN census XML file."
        )
    try:
        return content.decode("utf-8"), "UTF-8"
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
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > 0 else ","


def tidy_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells with surrounding spaces removed, blanks as missing, headings trimmed."""
    frame = frame.rename(columns=lambda column: str(column).strip().lstrip("\ufeff"))
    return pd.DataFrame({column: _tidy_text(frame[column]) for column in frame.columns})


def _tidy_text(values: pd.Series) -> pd.Series:
    """A column as text without surrounding spaces, blanks missing: one Arrow pass per step.

    The same steps through pandas' string methods took twice as long, most of it building a
    Series for each step: the difference was a twentieth of reading an SSDA903 year.
    """
    if not isinstance(values.dtype, pd.StringDtype):
        values = values.astype("str")
    text = pa.array(values, type=pa.string(), from_pandas=True)
    trimmed = pc.utf8_trim_whitespace(text)
    return pd.Series(pc.if_else(pc.equal(trimmed, ""), None, trimmed), dtype="str")


def short(text: object, width: int = 40) -> str:
    """A column heading shortened for a message (a heading can be a whole megabyte long)."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def require_rows(name: str, frame: pd.DataFrame) -> None:
    """Refuse a table that has headings but no records."""
    if frame.empty:
        raise RecordsError(
            f"{name} has column headings ({', '.join(short(c) for c in frame.columns[:8])}) but "
            "no records below them."
        )


def check_shape(name: str, rows: int, columns: int) -> None:
    """Refuse a table too long or too wide to be a return, before it is parsed."""
    if columns > MAX_COLUMNS:
        raise RecordsError(
            f"{name} has {columns:,} columns; this tool reads tables of up to {MAX_COLUMNS:,} "
            "columns. Keep only the columns it needs (child id, dates, postcode or LSOA, "
            "ethnicity...) and upload again."
        )
    if rows > MAX_ROWS:
        raise RecordsError(
            f"{name} has more than {MAX_ROWS:,} rows, more than any return holds. Split it by "
            "year, or remove empty rows, and upload again."
        )


def kept_lines(text: str) -> tuple[str, np.ndarray]:
    """The text without its blank lines, and the file line number (from 1) of each line kept.

    Blank lines (spaces and separators only: how a spreadsheet saves empty rows) are dropped
    before parsing, so megabytes of them cost nothing, while every record keeps its row number.
    Deleting the separators leaves a blank line empty, so a blank line is a newline that
    follows a newline; only one byte per line is ever held as an array.
    """
    bare = text.encode("utf-8").translate(None, b" \t,;|\r")
    data = np.frombuffer(bare, dtype=np.uint8)
    newline = data == 10
    after_newline = np.empty_like(newline)
    after_newline[0:1] = True
    after_newline[1:] = newline[:-1]
    blank = after_newline[newline]
    del data, newline, after_newline
    if text and not text.endswith("\n"):
        # The last line has no newline: it is blank if nothing but separators was on it.
        blank = np.append(blank, not bare or bare.endswith(b"\n"))
    if not blank.any():
        return text, np.arange(1, len(blank) + 1, dtype=np.int64)
    return BLANK_LINE.sub("", text), np.flatnonzero(~blank) + 1


BLANK_LINE = re.compile(r"^[ \t,;|\r]*(?:\n|\Z)", re.MULTILINE)
SKIPPED_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def read_delimited(name: str, content: bytes) -> Table:
    """A CSV (or semicolon- or tab-separated) file as a table of text cells."""
    text, encoding = decode_text(name, content)
    del content
    text, lines = kept_lines(text)
    separator = detect_separator(text)
    heading = text.split("\n", 1)[0]
    check_shape(name, len(lines) - 1, heading.count(separator) + 1)
    with warnings.catch_warnings(record=True) as skipped:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                dtype="str",
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=True,
                on_bad_lines="warn",
            )
        except pd.errors.ParserError as error:
            raise RecordsError(unsplittable(name, str(error), lines, separator)) from None
    del text
    malformed = [
        (int(lines[int(line) - 1]), f"{saw} cells where the heading has {expected}")
        for warning in skipped
        for line, expected, saw in SKIPPED_LINE.findall(str(warning.message))
    ]
    skipped_lines = {
        int(line) for warning in skipped for line, *_ in SKIPPED_LINE.findall(str(warning.message))
    }
    record_lines = [line for line in range(2, len(lines) + 1) if line not in skipped_lines]
    rows = (
        tuple(int(lines[line - 1]) for line in record_lines)
        if len(record_lines) == len(frame)
        else None  # a quoted cell spanning lines: rows are numbered as the records come
    )
    frame = tidy_cells(frame)
    if frame.empty and not malformed:
        require_rows(name, frame)
    notes = []
    if separator != ",":
        notes.append(f"columns separated by {SEPARATOR_NAMES[separator]}")
    if encoding != "UTF-8":
        notes.append(f"read as {encoding} text")
    return Table(name, frame, note="; ".join(notes), rows=rows, malformed=tuple(malformed))


def unsplittable(name: str, error: str, lines: np.ndarray, separator: str) -> str:
    """What to do about a file the parser cannot split into cells at all."""
    quote = re.search(r"EOF inside string starting at row (\d+)", error)
    if quote:
        row = int(lines[min(int(quote.group(1)), len(lines) - 1)])
        return (
            f'{name}: row {row} opens a quotation mark (") that is never closed, so the rest '
            "of the file cannot be split into cells. Remove or close that quotation mark and "
            "upload again."
        )
    return (
        f"{name} could not be read as a table separated by {SEPARATOR_NAMES[separator]}: "
        f"{error.strip()}. Expected one heading row and one record per row."
    )


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
    check_expanded_sizes(name, archive, members, limit)


def check_expanded_sizes(
    name: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int
) -> None:
    """Decompress every part as a stream, stopping at the limits: declared sizes can lie."""
    total = 0
    for member in members:
        expanded = 0
        try:
            with archive.open(member) as stream:
                while block := stream.read(1 << 20):
                    expanded += len(block)
                    total += len(block)
                    if expanded > XLSX_MAX_PART_BYTES or total > limit:
                        raise RecordsError(
                            f"{name} was refused: its part {member.filename} expands beyond "
                            f"{min(XLSX_MAX_PART_BYTES, limit) / 1048576:.0f} MB, which is how "
                            "zip bombs look. Save the data as a CSV and upload that instead."
                        )
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise RecordsError(
                f"{name} is a damaged or unsupported zip file. Expected an .xlsx workbook or a CSV."
            ) from None


def sheet_frame(name: str, sheet) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """One worksheet as text cells, read row by row and refused once it outgrows the caps."""
    rows = sheet.iter_rows(values_only=True)
    heading = next(rows, None)
    if heading is None:
        return pd.DataFrame(), ()
    width = max((i + 1 for i, value in enumerate(heading) if value is not None), default=0)
    check_shape(name, 0, width)
    cells = 0
    body, numbers = [], []
    for number, row in enumerate(rows, start=2):
        if any(value is not None for value in row[:width]):
            body.append(tuple(cell_text(value) for value in row[:width]))
            numbers.append(number)
            cells += width
            if cells > MAX_WORKBOOK_CELLS:
                raise RecordsError(
                    f"{name} holds more than {MAX_WORKBOOK_CELLS:,} cells, too many to read "
                    "from a workbook quickly. Save the sheet as 'CSV UTF-8' and upload that."
                )
    check_shape(name, len(body), width)
    columns = [cell_text(value) or f"Unnamed: {i}" for i, value in enumerate(heading[:width])]
    return pd.DataFrame(body, columns=columns, dtype="str"), tuple(numbers)


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold (whole numbers without '.0')."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(name: str, content: bytes) -> list[Table]:
    """Every sheet of an .xlsx workbook as a table of text cells (after the zip-bomb guard)."""
    guard_zip(name, content)
    from openpyxl import load_workbook  # imported on first workbook, off the app's start-up

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise RecordsError(
            f"{name} could not be opened as an Excel workbook. Expected an .xlsx file saved by "
            "Excel, or a CSV."
        ) from None
    try:
        frames = {
            str(sheet.title): sheet_frame(f"{name} (sheet {sheet.title})", sheet)
            for sheet in book.worksheets
        }
    except RecordsError:
        raise
    except Exception:
        raise RecordsError(
            f"{name} could not be read as an Excel workbook (a sheet is damaged). Save it again "
            "from Excel, or as a CSV."
        ) from None
    finally:
        book.close()
    tables = [
        Table(file=name, frame=tidy_cells(frame), sheet=sheet, rows=rows)
        for sheet, (frame, rows) in frames.items()
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
