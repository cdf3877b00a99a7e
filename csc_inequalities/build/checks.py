"""Validation of the built tables: each check names what failed and where."""

from __future__ import annotations

import pandas as pd


class BuildCheckError(Exception):
    """A built table breaks one of the store's guarantees (counts, codes, deciles, coverage)."""


def check_row_count(frame: pd.DataFrame, expected: int, table: str) -> None:
    """The table has exactly the expected number of rows."""
    if len(frame) != expected:
        raise BuildCheckError(f"{table}: {len(frame):,} rows, expected {expected:,}.")


def check_unique(frame: pd.DataFrame, column: str, table: str) -> None:
    """Every value of a key column occurs once."""
    duplicated = frame.loc[frame[column].duplicated(), column]
    if len(duplicated):
        raise BuildCheckError(
            f"{table}: {len(duplicated)} duplicated {column} (e.g. {duplicated.iloc[0]})."
        )


def check_codes(frame: pd.DataFrame, column: str, pattern: str, table: str) -> None:
    """Every code matches its GSS pattern (e.g. E01 followed by six digits)."""
    values = frame[column].astype("str")
    bad = values[~values.str.fullmatch(pattern)]
    if len(bad):
        raise BuildCheckError(
            f"{table}: {len(bad)} {column} values do not match {pattern!r} (e.g. {bad.iloc[0]!r})."
        )


def check_deciles(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    """Decile columns hold whole numbers 1..10 with every decile present."""
    for column in columns:
        values = frame[column]
        if values.isna().any() or not values.between(1, 10).all():
            raise BuildCheckError(f"{table}: {column} has values outside 1..10 or missing.")
        if set(values.astype(int)) != set(range(1, 11)):
            raise BuildCheckError(f"{table}: {column} does not use every decile 1..10.")


def check_no_missing(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    """Required columns are filled in every row."""
    for column in columns:
        count = int(frame[column].isna().sum())
        if count:
            raise BuildCheckError(f"{table}: {count} rows have no {column}.")


def check_each_lsoa_in_one_authority(
    lsoas: pd.DataFrame, authorities: pd.DataFrame, table: str
) -> None:
    """Each LSOA appears once, with an authority that is in the authorities table."""
    check_unique(lsoas, "lsoa_code", table)
    check_no_missing(lsoas, ["la_code"], table)
    unknown = sorted(set(lsoas["la_code"]) - set(authorities["la_code"]))
    if unknown:
        raise BuildCheckError(f"{table}: LSOAs assigned to unknown authorities {unknown[:5]}.")


def check_authority_count(lsoas: pd.DataFrame, expected: int, table: str) -> None:
    """The LSOAs cover exactly the expected number of upper-tier authorities."""
    found = lsoas["la_code"].nunique()
    if found != expected:
        raise BuildCheckError(f"{table}: LSOAs fall in {found} authorities, expected {expected}.")


def check_total_preserved(before: float, after: float, what: str, tolerance: float = 1e-6) -> None:
    """An apportioning step neither creates nor loses people."""
    if abs(before - after) > tolerance * max(abs(before), 1.0):
        raise BuildCheckError(f"{what}: total {after:,.3f} differs from the source {before:,.3f}.")


def check_equal(found: float, expected: float, what: str) -> None:
    """A derived total equals the figure the publisher gives."""
    if found != expected:
        raise BuildCheckError(f"{what}: found {found:,}, the source documents {expected:,}.")


LSOA_PATTERN = r"E01\d{6}"
AUTHORITY_PATTERN = r"E(06|08|09|10)\d{6}"
DISTRICT_PATTERN = r"E(06|07|08|09)\d{6}"
REGION_PATTERN = r"E12\d{6}"
WARD_PATTERN = r"E05\d{6}"
