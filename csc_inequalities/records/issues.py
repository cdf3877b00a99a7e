"""Issue lists: one row per dropped or doubtful record, and the user-facing error for bad files."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records.canonical import ISSUE_COLUMNS, empty_issues

DROPPED = "dropped"
WARNING = "warning"

UNREADABLE_DATE = "unreadable date"
AMBIGUOUS_DATE = "ambiguous date"
END_BEFORE_START = "end before start"
UNKNOWN_POSTCODE = "unknown postcode"
UNKNOWN_LSOA = "unknown LSOA code"
OUTSIDE_AUTHORITY = "outside the authority"
UNKNOWN_ETHNICITY = "unknown ethnicity code"
DUPLICATE_SPELL = "duplicate spell"
DUPLICATE_CHILD = "duplicate child record"
MISSING_FIELD = "missing field"
UNKNOWN_CODE = "unknown code"
UNREADABLE_NUMBER = "unreadable number"
MALFORMED_ROW = "malformed row"
IMPLAUSIBLE_COUNT = "implausible count"
NO_ADDRESS = "no address for the child"
LATER_ADDRESS = "address taken from a later episode or record"


class RecordsError(Exception):
    """A file that cannot be read at all, with a message a manager can act on."""


def issue_rows(
    file: str,
    rows: pd.Series,
    child_ids: pd.Series,
    severity: str,
    reason: str,
    detail: str = "",
) -> pd.DataFrame:
    """Issues for many records sharing one reason, built without a Python loop."""
    rows = pd.Series(rows).reset_index(drop=True)
    if rows.empty:
        return empty_issues()
    return pd.DataFrame(
        {
            "file": file,
            "row": rows.astype("int64"),
            "child_id": pd.Series(child_ids).reset_index(drop=True).astype("str"),
            "severity": severity,
            "reason": reason,
            "detail": detail,
        }
    )


def issues_from_frame(
    frame: pd.DataFrame, severity: str, reason: str, detail: str = ""
) -> pd.DataFrame:
    """Issues for the records of a frame carrying source_file, source_row and child_id columns."""
    if frame.empty:
        return empty_issues()
    return pd.DataFrame(
        {
            "file": frame["source_file"].astype("str").to_numpy(),
            "row": frame["source_row"].astype("int64").to_numpy(),
            "child_id": frame["child_id"].astype("str").to_numpy(),
            "severity": severity,
            "reason": reason,
            "detail": detail,
        }
    )


def combine_issues(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One issues table, ordered by file and row so it reads like the files themselves."""
    parts = [part for part in parts if not part.empty]
    if not parts:
        return empty_issues()
    combined = pd.concat(parts, ignore_index=True)[list(ISSUE_COLUMNS)]
    return combined.sort_values(["file", "row"], kind="stable", ignore_index=True)


AMBIGUOUS_DETAIL = (
    "{column}: this column mixes day/month/year and month/day/year dates and this one could be "
    "either; write the column's dates one way (e.g. 25/03/2024) and upload again"
)
