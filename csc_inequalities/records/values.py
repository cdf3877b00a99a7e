"""Cell text to canonical values (dates, sex, ethnicity, yes/no), vectorised over whole columns."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records.canonical import (
    ETHNIC_GROUP_NAMES,
    ETHNIC_GROUPS,
    ETHNICITY_CODE_GROUP,
    NOT_KNOWN,
)

DATE_FORMATS = (
    "%d/%m/%Y",
    "ISO8601",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
)
EARLIEST_DATE = pd.Timestamp("1900-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")

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


def parse_dates(
    values: pd.Series, formats: tuple[str, ...] = DATE_FORMATS
) -> tuple[pd.Series, pd.Series]:
    """Dates from DD/MM/YYYY or ISO text (and Excel date cells), and which cells were unreadable."""
    values = values.reset_index(drop=True)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    remaining = values.notna()
    for date_format in formats:
        if not remaining.any():
            break
        attempt = pd.to_datetime(values.where(remaining), format=date_format, errors="coerce")
        parsed = parsed.fillna(attempt.astype("datetime64[us]"))
        remaining = remaining & parsed.isna()
    in_range = parsed.between(EARLIEST_DATE, LATEST_DATE)
    parsed = parsed.where(in_range)
    unreadable = values.notna() & parsed.isna()
    return parsed.astype("datetime64[ns]"), unreadable


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
