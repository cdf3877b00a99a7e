"""Cell text to canonical values (dates, sex, ethnicity, yes/no), vectorised over whole columns."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csc_inequalities.records.canonical import (
    ETHNIC_GROUP_NAMES,
    ETHNIC_GROUPS,
    ETHNICITY_CODE_GROUP,
    NOT_KNOWN,
)

EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")
# Day/month/year with / - or . between, an optional time after: the order is decided per column.
NUMERIC_DATE = (
    r"^(?P<first>\d{1,2})[/.\-](?P<second>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})(?:[ T].*)?$"
)
# Spreadsheet day numbers (days since 30 December 1899) from 1927; a bare year is not one.
EXCEL_SERIAL = r"^(?P<days>\d{5})(?:\.\d+)?$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
OTHER_DATE_FORMATS = ("ISO8601", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d")

DAY_FIRST = "day/month/year"
MONTH_FIRST = "month/day/year"
MIXED = "mixed"


@dataclass(frozen=True)
class DateColumn:
    """A column of dates read with the convention its own values show, and what could not be."""

    dates: pd.Series
    unreadable: pd.Series
    ambiguous: pd.Series
    order: str
    serials: int

    def note(self, label: str) -> str | None:
        """How the column was read, when it was not the usual day/month/year text."""
        notes = []
        if self.order == MONTH_FIRST:
            notes.append(
                f"{label}: dates read as month/day/year (US order), because some have a second "
                "number above 12"
            )
        elif self.order == MIXED:
            notes.append(
                f"{label} mixes day/month/year and month/day/year dates: "
                f"{_dates(int(self.ambiguous.sum()))} that could be read either way were not used "
                "(listed as ambiguous dates)"
            )
        if self.serials:
            notes.append(
                f"{label}: {_dates(self.serials)} written as spreadsheet day numbers were read "
                "as dates (Excel counts days from 30 December 1899)"
            )
        return "; ".join(notes) or None


def extracted(text: pd.Series, pattern: str) -> pd.DataFrame:
    """The pattern's named groups in each cell (missing where it does not match), in Arrow.

    pandas runs Python's regex cell by cell; Arrow's RE2 runs over the whole column in C++,
    many times faster on the hundreds of thousands of cells of a large extract.
    """
    found = _matches(text, pattern)
    columns = {
        name: pc.struct_field(found, name).to_numpy(zero_copy_only=False).astype(object)
        for name in _group_names(pattern)
    }
    return pd.DataFrame(columns, index=text.index, dtype=object)


def _group_names(pattern: str) -> list[str]:
    """The named groups of a pattern, in order."""
    return re.findall(r"\(\?P<(\w+)>", pattern)


def _matches(text: pd.Series, pattern: str) -> pa.StructArray:
    """Arrow's match of the pattern in each cell: null where the cell does not match."""
    found = pc.extract_regex(pa.array(text, type=pa.string(), from_pandas=True), pattern)
    if isinstance(found, pa.ChunkedArray):  # a column over 2 GB of text comes in chunks
        found = found.combine_chunks()
    return found


def _digits_as_numbers(found: pa.StructArray, name: str) -> np.ndarray:
    """A group of digits as numbers (NaN where the cell did not match), converted in Arrow.

    pandas converts text to numbers one Python string at a time: on a date column this was
    most of the reading time. The group's pattern admits only digits, so the cast cannot fail.
    """
    return pc.cast(pc.struct_field(found, name), pa.float64()).to_numpy(zero_copy_only=False)


def _dates(count: int) -> str:
    """'1 date' or '1,234 dates'."""
    return f"{count:,} date" + ("" if count == 1 else "s")


def _full_years(years: np.ndarray, two_digits: np.ndarray) -> np.ndarray:
    """Four-digit years; two-digit ones fall in the century that puts them nearest to now."""
    pivot = pd.Timestamp.now().year % 100 + 1
    return np.where(two_digits, years + np.where(years <= pivot, 2000, 1900), years)


def _from_parts(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Dates from numeric parts (NaN where missing); impossible ones (31 February) are NaT.

    Whole columns in numpy: day numbers from the first of the month, checked against the
    month's length (pandas' date assembly was a third of reading a date column).
    """
    dates = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[us]")
    possible = (
        (year >= EARLIEST_DATE.year)
        & (year <= LATEST_DATE.year)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
    )
    months = (year[possible] - 1970) * 12 + month[possible] - 1
    first_day = months.astype(np.int64).astype("datetime64[M]").astype("datetime64[D]")
    month_days = (first_day.astype("datetime64[M]") + 1).astype("datetime64[D]") - first_day
    days = day[possible].astype(np.int64)
    real = days <= month_days.astype(np.int64)
    chosen = np.flatnonzero(possible)[real]
    dates[chosen] = first_day[real] + (days[real] - 1).astype("timedelta64[D]")
    return dates


def read_dates(values: pd.Series) -> DateColumn:
    """Dates from text, with the day/month order decided by the column's own values.

    A column where some first numbers exceed 12 is day-first; where some second numbers do, it
    is month-first (US); where both occur the column mixes conventions and the dates that could
    be either are left out as ambiguous. A column with no such evidence is read day-first, the
    UK convention of every DfE return. Whole numbers are spreadsheet day numbers.
    """
    values = values.reset_index(drop=True)
    text = values.astype("str").str.strip().where(values.notna())
    parts = _matches(text, NUMERIC_DATE)
    numeric = parts.is_valid().to_numpy(zero_copy_only=False)
    first = _digits_as_numbers(parts, "first")
    second = _digits_as_numbers(parts, "second")
    # Only a date valid in one order is evidence of the order (99/99/2024 is valid in none).
    only_day_first = (first >= 13) & (first <= 31) & (second >= 1) & (second <= 12)
    only_month_first = (second >= 13) & (second <= 31) & (first >= 1) & (first <= 12)
    day_first_seen = bool(only_day_first.any())
    month_first_seen = bool(only_month_first.any())
    if day_first_seen and month_first_seen:
        order = MIXED
    elif month_first_seen:
        order = MONTH_FIRST
    else:
        order = DAY_FIRST
    month_first = only_month_first if order == MIXED else np.full(len(text), order == MONTH_FIRST)
    ambiguous = numeric & (order == MIXED) & (first <= 12) & (second <= 12) & (first != second)
    two_digits = pc.fill_null(pc.equal(pc.utf8_length(pc.struct_field(parts, "year")), 2), False)
    year = _full_years(_digits_as_numbers(parts, "year"), two_digits.to_numpy(zero_copy_only=False))
    day = np.where(month_first, second, first)
    month = np.where(month_first, first, second)
    dates = _from_parts(year, month, day)
    dates[~numeric | ambiguous] = np.datetime64("NaT")
    parsed = pd.Series(dates, index=text.index)
    serial_match = _matches(text, EXCEL_SERIAL).is_valid().to_numpy(zero_copy_only=False)
    serial = pd.Series(serial_match & ~numeric, index=text.index)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        parsed[serial] = EXCEL_EPOCH + pd.to_timedelta(days.round(), unit="D")
    remaining = text.notna() & ~numeric & ~serial
    for date_format in OTHER_DATE_FORMATS:
        if not remaining.any():
            break
        attempt = pd.to_datetime(text.where(remaining), format=date_format, errors="coerce")
        parsed = parsed.fillna(attempt.astype("datetime64[us]"))
        remaining = remaining & parsed.isna()
    parsed = parsed.where(parsed.between(EARLIEST_DATE, LATEST_DATE)).astype("datetime64[ns]")
    ambiguous = pd.Series(ambiguous, index=text.index)
    unreadable = text.notna() & parsed.isna() & ~ambiguous
    serials = int((serial & parsed.notna()).sum())
    return DateColumn(parsed, unreadable, ambiguous, order, serials)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates and which non-blank cells could not be used (unreadable or ambiguous)."""
    column = read_dates(values)
    return column.dates, column.unreadable | column.ambiguous


SEX_CODES = {
    "1": "M",
    "2": "F",
    "0": "U",
    "9": "U",
    "M": "M",
    "F": "F",
    "U": "U",
    "MALE": "M",
    "FEMALE": "F",
    "UNKNOWN": "U",
}

YES_NO = {
    "1": True,
    "0": False,
    "TRUE": True,
    "FALSE": False,
    "Y": True,
    "N": False,
    "YES": True,
    "NO": False,
}

GROUP_NAMES = {group.upper(): group for group in ETHNIC_GROUPS} | {
    name.upper(): group for group, name in ETHNIC_GROUP_NAMES.items()
}


def parse_sex(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Sex as M, F or U from 1/2/0/9 or M/F/U codes, and which non-blank cells were not codes."""
    keys = values.astype("str").str.strip().str.upper().where(values.notna())
    sex = keys.map(SEX_CODES)
    unknown = keys.notna() & sex.isna()
    return sex.fillna("U").astype("str"), unknown


def parse_yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """True/False from 1/0 or true/false cells (blank is False), and which cells were neither."""
    keys = values.astype("str").str.strip().str.upper().where(values.notna())
    flags = keys.map(YES_NO)
    unknown = keys.notna() & flags.isna()
    return flags.fillna(False).astype(bool), unknown


def parse_ethnicity(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """DfE ethnicity codes and their major group; major-group names are accepted without a code."""
    keys = values.astype("str").str.strip().str.upper().where(values.notna())
    code_group = keys.map(ETHNICITY_CODE_GROUP)
    named_group = keys.map(GROUP_NAMES)
    codes = keys.where(code_group.notna())
    groups = code_group.fillna(named_group).fillna(NOT_KNOWN).astype("str")
    unknown = keys.notna() & code_group.isna() & named_group.isna()
    return codes.astype("str"), groups, unknown


INTERVENTION_NAMES = {
    "CIN": "CIN",
    "CHILDINNEED": "CIN",
    "CHILDRENINNEED": "CIN",
    "CINEPISODE": "CIN",
    "CPP": "CPP",
    "CP": "CPP",
    "CPPLAN": "CPP",
    "CHILDPROTECTION": "CPP",
    "CHILDPROTECTIONPLAN": "CPP",
    "CLA": "CLA",
    "LAC": "CLA",
    "CIC": "CLA",
    "LOOKEDAFTER": "CLA",
    "CHILDLOOKEDAFTER": "CLA",
    "CHILDRENLOOKEDAFTER": "CLA",
    "CHILDINCARE": "CLA",
    "CHILDRENINCARE": "CLA",
}


def parse_intervention(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """CIN, CPP or CLA from codes or common names, and which non-blank cells were neither."""
    keys = values.astype("str").str.upper().str.replace(r"[^A-Z]", "", regex=True)
    interventions = keys.where(values.notna()).map(INTERVENTION_NAMES)
    unknown = values.notna() & interventions.isna()
    return interventions.astype("str"), unknown


CHILD_ID_NUMBER = r"^0*(?P<digits>\d+?)(?:\.0+)?$"


def normalise_child_ids(values: pd.Series) -> pd.Series:
    """Child ids as text compared the same way in every reader.

    Spreadsheets store an id such as 00123 as the number 123, and write it back as 123 or 123.0:
    ids made only of digits are compared without leading zeros or a trailing .0, so a Header
    saved from Excel still joins to Episodes saved as CSV. Other ids are only trimmed.
    """
    text = values.astype("str").str.strip().where(values.notna())
    digits = extracted(text, CHILD_ID_NUMBER)["digits"]
    text = digits.where(digits.notna(), text)
    return text.where(text.notna() & text.ne(""))
