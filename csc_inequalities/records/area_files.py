"""Uploads that describe areas, not children: a reference gradient and the authority's localities.

Both are read like any upload (records.sniff.read_tables: CSV or XLSX, size and shape caps)
and checked row by row: a bad row is reported with its row in the file and the reason, and the
good rows still count. The issues use the columns of every other upload's issues.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records.fields import match_by_values, match_columns, normalise_name
from csc_inequalities.records.geography import (
    STATUS_MISSING,
    STATUS_UNKNOWN_LSOA,
    GeographyTables,
    normalise_lsoa_codes,
    resolve_lsoa_codes,
)
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import Table, read_tables

DECILES = tuple(range(1, 11))
DECILE_NAMES = ("decile", "imddecile", "deprivationdecile", "nationaldecile", "group")
RATE_NAMES = ("rate", "rateper10000", "rateper10k", "ratepertenthousand", "value", "ratio")
LOCALITY_NAMES = (
    "locality",
    "localityname",
    "locality_name",
    "team",
    "teamname",
    "area",
    "areaname",
    "patch",
    "hub",
    "cluster",
    "zone",
    "name",
)
DUPLICATE_DECILE = "decile given twice"
TWO_LOCALITIES = "LSOA in two localities"
LISTED_TWICE = "LSOA listed twice"
OTHER_GEOGRAPHY = "LSOA code of the other geography"


@dataclass(frozen=True)
class ReferenceFile:
    """A reference gradient read from an upload: rates for deciles 1-10, or why not."""

    file: str
    rates: pd.DataFrame | None
    issues: pd.DataFrame
    problem: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class LocalityFile:
    """An authority's own localities: each of its LSOAs (on the analysis geography) and its area."""

    file: str
    assignment: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int

    @property
    def rows_used(self) -> int:
        """Rows that placed an LSOA in a locality."""
        return len(self.assignment)

    def problem(self) -> str | None:
        """Why nothing could be used, in words, or None when some rows were."""
        if self.rows_used:
            return None
        reasons = self.issues.loc[self.issues["severity"] == iss.DROPPED, "reason"]
        counts = ", ".join(f"{reason} ({n})" for reason, n in reasons.value_counts().items())
        return (
            f"No row of {self.file} placed one of the authority's neighbourhoods in a locality"
            + (f": {counts}." if counts else ".")
        )


def _one_table(name: str, content: bytes) -> Table:
    """The first table of the upload (a CSV, or the first non-empty sheet), rows by position."""
    table = read_tables(name, content)[0]
    return replace(table, frame=table.frame.reset_index(drop=True))


def _column(table: Table, names: tuple[str, ...], what: str, taken: tuple[str, ...] = ()) -> str:
    """The column named as one of ``names`` (any case, spaces or punctuation), or a clear error."""
    by_name = {normalise_name(c): c for c in table.frame.columns if c not in taken}
    for wanted in names:
        if wanted in by_name:
            return by_name[wanted]
    free = [c for c in table.frame.columns if c not in taken]
    if len(table.frame.columns) == 2 and len(free) == 1:
        return free[0]
    raise RecordsError(
        f"{table.label}: no column for the {what} (name it '{names[0]}'); "
        f"the columns are {', '.join(map(str, table.frame.columns))}."
    )


def _report(table: Table, mask: pd.Series, severity: str, reason: str, detail) -> pd.DataFrame:
    """Issues for the rows of a mask, each with its row in the file."""
    rows = table.row_numbers[mask.to_numpy()]
    if isinstance(detail, pd.Series):
        detail = detail[mask].astype("str").to_numpy()
    frame = iss.issue_rows(table.label, rows, pd.Series("", index=rows.index), severity, reason)
    if not frame.empty:
        frame["detail"] = detail
    return frame


def read_reference_gradient(name: str, content: bytes) -> ReferenceFile:
    """Rates per 10,000 for national deciles 1 (most deprived) to 10, from a CSV or XLSX."""
    table = _one_table(name, content)
    decile_column = _column(table, DECILE_NAMES, "decile (1 = most deprived)")
    rate_column = _column(table, RATE_NAMES, "rate per 10,000", taken=(decile_column,))
    frame = table.frame
    raw_decile, raw_rate = frame[decile_column], frame[rate_column]
    decile = pd.to_numeric(raw_decile.str.strip(), errors="coerce")
    rate = pd.to_numeric(raw_rate.str.replace(",", "", regex=False).str.strip(), errors="coerce")
    missing = raw_decile.isna() | raw_rate.isna()
    bad_decile = ~missing & ~decile.isin(DECILES)
    bad_rate = ~missing & ~bad_decile & ~(rate >= 0)
    good = ~missing & ~bad_decile & ~bad_rate
    rows = table.row_numbers
    first_row = rows.where(good).groupby(decile.where(good)).transform("min")
    repeated = good & rows.ne(first_row)
    issues = iss.combine_issues(
        [
            _report(table, missing, iss.DROPPED, iss.MISSING_FIELD, "decile or rate"),
            _report(
                table, bad_decile, iss.DROPPED, iss.UNKNOWN_CODE,
                f"{decile_column} '" + raw_decile.astype("str") + "' is not a decile 1 to 10",
            ),
            _report(
                table, bad_rate, iss.DROPPED, iss.UNREADABLE_NUMBER,
                f"{rate_column} '" + raw_rate.astype("str") + "' is not a rate of 0 or more",
            ),
            _report(
                table, repeated, iss.DROPPED, DUPLICATE_DECILE,
                "decile " + decile.where(good).astype("Int64").astype("str")
                + " is already given on row " + first_row.astype("Int64").astype("str"),
            ),
        ]
    )  # fmt: skip
    kept = good & ~repeated
    rates = pd.DataFrame(
        {"decile": decile[kept].astype(int), "rate_per_10000": rate[kept].astype(float)}
    ).sort_values("decile", ignore_index=True)
    absent = [d for d in DECILES if d not in set(rates["decile"])]
    if absent:
        return ReferenceFile(
            table.label,
            None,
            issues,
            f"{table.label} gives no usable rate for decile(s) {', '.join(map(str, absent))}: "
            "a reference gradient needs a rate for each decile from 1 (most deprived) to 10.",
        )
    warning = None
    if rates["rate_per_10000"].iloc[-1] > rates["rate_per_10000"].iloc[0]:
        warning = (
            "The rates rise towards decile 10. Here decile 1 is the most deprived tenth: check "
            "that the file numbers its deciles that way (some research numbers them the other "
            "way)."
        )
    return ReferenceFile(table.label, rates, issues, warning=warning)


def read_locality_file(
    name: str,
    content: bytes,
    authority_lsoas: pd.Index,
    geography: int,
    tables: GeographyTables,
) -> LocalityFile:
    """Each of the authority's LSOAs and the locality the file places it in, row by row checked.

    Codes of either LSOA geography are accepted: a code of the other one is placed in its best
    fit on ``geography`` (2011 or 2021) and said so. Unknown codes, codes outside the authority
    and LSOAs placed in a second locality are dropped and reported by row.
    """
    table = _one_table(name, content)
    frame = table.frame
    named = match_columns(list(frame.columns), ("lsoa_code",))
    named |= match_by_values(frame, ("lsoa_code",), named)
    if "lsoa_code" not in named:
        raise RecordsError(
            f"{table.label}: no column of LSOA codes (name it 'lsoa_code'); the columns are "
            f"{', '.join(map(str, frame.columns))}."
        )
    code_column = named["lsoa_code"]
    name_column = _column(table, LOCALITY_NAMES, "locality name", taken=(code_column,))
    given = normalise_lsoa_codes(frame[code_column])
    locality = frame[name_column].str.strip()
    located = resolve_lsoa_codes(given, tables)
    status = located["geo_status"]
    placed = located[f"lsoa{geography % 100}_code"]
    missing = status.eq(STATUS_MISSING) | locality.isna() | locality.eq("")
    unknown = ~missing & status.eq(STATUS_UNKNOWN_LSOA)
    outside = ~missing & ~unknown & ~placed.isin(authority_lsoas)
    good = ~missing & ~unknown & ~outside
    converted = good & placed.ne(given)
    rows = table.row_numbers
    first = pd.DataFrame({"code": placed, "row": rows, "locality": locality})[good]
    first = first.drop_duplicates("code").set_index("code")
    first_row = placed.map(first["row"])
    first_locality = placed.map(first["locality"])
    later = good & rows.ne(first_row)
    conflict = later & locality.ne(first_locality)
    repeated = later & ~conflict
    issues = iss.combine_issues(
        [
            _report(table, missing, iss.DROPPED, iss.MISSING_FIELD, "LSOA code or locality name"),
            _report(table, unknown, iss.DROPPED, iss.UNKNOWN_LSOA, given),
            _report(table, outside, iss.DROPPED, iss.OUTSIDE_AUTHORITY, given),
            _report(
                table, converted, iss.WARNING, OTHER_GEOGRAPHY,
                given + f" is not a {geography} LSOA: placed in " + placed.fillna("")
                + f", its {geography} best fit",
            ),
            _report(
                table, conflict, iss.DROPPED, TWO_LOCALITIES,
                placed.fillna("") + " is already in '" + first_locality.fillna("")
                + "' (row " + first_row.astype("Int64").astype("str") + ")",
            ),
            _report(
                table, repeated, iss.WARNING, LISTED_TWICE,
                placed.fillna("") + " is already listed on row "
                + first_row.astype("Int64").astype("str"),
            ),
        ]
    )  # fmt: skip
    kept = (good & ~later).to_numpy()
    assignment = pd.DataFrame(
        {"lsoa_code": placed[kept].to_numpy(), "locality": locality[kept].to_numpy()}
    )
    return LocalityFile(table.label, assignment, issues, len(frame))


def issue_rows_text(issues: pd.DataFrame, limit: int = 20) -> list[str]:
    """Issues as lines a person reads: 'row 5: unknown LSOA code (E01999999)'."""
    lines = [
        f"{row.file}, row {row.row}: {row.reason}" + (f" ({row.detail})" if row.detail else "")
        for row in issues.head(limit).itertuples(index=False)
    ]
    if len(issues) > limit:
        lines.append(f"... and {len(issues) - limit:,} more")
    return lines
