"""Counts per LSOA (code, measure, count, optional ethnic group) for authorities without records."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records.canonical import COUNT_COLUMNS, NOT_KNOWN, empty_counts
from csc_inequalities.records.fields import match_by_values, match_columns
from csc_inequalities.records.geography import (
    STATUS_MISSING,
    STATUS_UNKNOWN_LSOA,
    GeographyTables,
    in_authority,
    normalise_lsoa_codes,
    resolve_lsoa_codes,
)
from csc_inequalities.records.sniff import Table
from csc_inequalities.records.values import parse_ethnicity, parse_intervention

LSOA_COUNTS = "Counts per LSOA"
COUNT_FIELDS = ("lsoa_code", "intervention", "count", "ethnicity")
# The most children a single LSOA could hold (the largest hold a few thousand): a larger count
# is a typing or export error, and summing it would swamp every total.
MAX_COUNT_PER_ROW = 10_000


def counts_mapping(columns: list[str], frame: pd.DataFrame | None = None) -> dict[str, str] | None:
    """The columns of a counts table (by name, then by values), or None if it is not counts."""
    mapping = match_columns(columns, COUNT_FIELDS)
    if frame is not None:
        mapping |= match_by_values(frame, COUNT_FIELDS, mapping)
    if {"lsoa_code", "intervention", "count"} <= set(mapping) and not match_columns(
        columns, ("child_id",)
    ):
        return mapping
    return None


def read_counts(
    table: Table, tables: GeographyTables, la_code: str
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Counts in the authority, each on its own LSOA geography; unusable rows; rows used."""
    mapping = counts_mapping(list(table.frame.columns), table.frame)
    if mapping is None:
        raise ValueError(f"{table.label} is not a table of counts per LSOA")
    frame = table.frame
    rows = table.row_numbers
    intervention, unknown_measure = parse_intervention(frame[mapping["intervention"]])
    raw_count = frame[mapping["count"]]
    count = pd.to_numeric(raw_count.str.replace(",", "", regex=False), errors="coerce")
    bad_count = raw_count.notna() & (count.isna() | count.lt(0) | count.mod(1).ne(0))
    too_large = raw_count.notna() & ~bad_count & count.gt(MAX_COUNT_PER_ROW)
    if "ethnicity" in mapping:
        _, groups, unknown_group = parse_ethnicity(frame[mapping["ethnicity"]])
    else:
        groups = pd.Series(NOT_KNOWN, index=frame.index, dtype="str")
        unknown_group = pd.Series(False, index=frame.index)
    located = resolve_lsoa_codes(frame[mapping["lsoa_code"]], tables)
    status = located["geo_status"]
    inside = in_authority(located, la_code, tables)
    known = status.eq("ok")
    no_id = pd.Series("", index=frame.index, dtype="str")

    def report(mask: pd.Series, severity: str, reason: str, detail: str) -> pd.DataFrame:
        return iss.issue_rows(table.label, rows[mask], no_id[mask], severity, reason, detail)

    missing = intervention.isna() & ~unknown_measure | raw_count.isna() | status.eq(STATUS_MISSING)
    issues = [
        report(missing, iss.DROPPED, iss.MISSING_FIELD, "LSOA code, measure or count"),
        report(
            unknown_measure,
            iss.DROPPED,
            iss.UNKNOWN_CODE,
            f"{mapping['intervention']} (expected CIN, CPP or CLA)",
        ),
        report(bad_count, iss.DROPPED, iss.UNREADABLE_NUMBER, mapping["count"]),
        report(
            too_large,
            iss.DROPPED,
            iss.IMPLAUSIBLE_COUNT,
            f"{mapping['count']} above {MAX_COUNT_PER_ROW:,} (no neighbourhood has that many "
            "children)",
        ),
        report(status.eq(STATUS_UNKNOWN_LSOA), iss.DROPPED, iss.UNKNOWN_LSOA, mapping["lsoa_code"]),
        report(known & ~inside, iss.DROPPED, iss.OUTSIDE_AUTHORITY, mapping["lsoa_code"]),
        report(unknown_group, iss.WARNING, iss.UNKNOWN_ETHNICITY, str(mapping.get("ethnicity"))),
    ]
    usable = (~missing & ~unknown_measure & ~bad_count & ~too_large & known & inside).to_numpy()
    # Each row is kept once, on the geography its code belongs to (a code unchanged between
    # 2011 and 2021 belongs to both and is kept as 2021): the analysis converts it to the other
    # geography by children's shares when asked, so no count is ever held twice.
    given = normalise_lsoa_codes(frame[mapping["lsoa_code"]])
    on_2021 = located["lsoa21_code"].eq(given).to_numpy()
    records = pd.DataFrame(
        {
            "lsoa_code": given.to_numpy(),
            "geography": np.where(on_2021, 2021, 2011),
            "intervention": intervention.to_numpy(),
            "ethnic_group": groups.to_numpy(),
            "count": count.to_numpy(),
        }
    )[usable]
    counts = (
        records.groupby(["lsoa_code", "geography", "intervention", "ethnic_group"], sort=True)[
            "count"
        ]
        .sum()
        .reset_index()
        if len(records)
        else empty_counts()
    )
    counts["count"] = counts["count"].astype("int64")
    return counts[list(COUNT_COLUMNS)], iss.combine_issues(issues), int(usable.sum())
