"""SSDA903 Header, Episodes and UASC tables, recognised by their columns; periods of care."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import Table
from csc_inequalities.records.values import (
    normalise_child_ids,
    parse_ethnicity,
    parse_sex,
    read_dates,
)

HEADER = "SSDA903 Header"
EPISODES = "SSDA903 Episodes"
UASC = "SSDA903 UASC"

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
UASC_COLUMNS = ("CHILD", "SEX", "DOB", "DUC")

REQUIRED = {
    HEADER: ("CHILD", "SEX", "DOB", "ETHNIC"),
    EPISODES: ("CHILD", "DECOM", "RNE", "LS", "DEC", "HOME_POST"),
    UASC: ("CHILD", "SEX", "DOB", "DUC"),
}

SHORT_BREAK_LEGAL_STATUSES = ("V3", "V4")
NEW_PERIOD_RNE = "S"
STILL_LOOKED_AFTER_REC = "X1"

GEOGRAPHY_RULE = (
    "Children looked after are placed at the home postcode (HOME_POST) recorded on the episode "
    "that started their period of care; if that episode has none, the first later episode of "
    "the same period that records one is used, and this is listed as a warning."
)
PERIOD_RULE = (
    "Periods of care are formed from consecutive episodes: a new period starts with an episode "
    "whose reason for new episode (RNE) is S, or after a gap, or after an episode that ended "
    "with the child leaving care. Short-break episodes (legal status V3 or V4) are left out, "
    "as in the DfE's published figures."
)


def upper_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with SSDA903 column names in their standard upper case."""
    return frame.rename(columns=lambda column: str(column).strip().upper())


def table_kind(columns: list[str]) -> str | None:
    """Which SSDA903 table a set of columns belongs to, judged by the columns alone."""
    names = {str(column).strip().upper() for column in columns}
    if len(names & set(EPISODE_COLUMNS[1:])) >= 3:
        return EPISODES
    if "DUC" in names and len(names & set(UASC_COLUMNS)) >= 2:
        return UASC
    # A Header holds its four required columns whatever else a system adds; one nearly made of
    # Header columns is still taken as a Header, so a missing column is named when it is read.
    matched = names & set(HEADER_COLUMNS)
    if set(REQUIRED[HEADER]) <= names or (
        len(matched) >= 4 and len(names - set(HEADER_COLUMNS)) <= 2
    ):
        return HEADER
    return None


def check_columns(table: Table, kind: str) -> pd.DataFrame:
    """The table with upper-case columns, refused clearly if a required column is missing."""
    frame = upper_columns(table.frame)
    missing = [column for column in REQUIRED[kind] if column not in frame.columns]
    if missing:
        raise RecordsError(
            f"{table.label} looks like an {kind} table but has no column "
            f"{', '.join(missing)}. Expected the columns {', '.join(REQUIRED[kind])} "
            "(as in the DfE's SSDA903 specification)."
        )
    return frame


def read_children(table: Table, kind: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """One row per child of a Header or UASC table (sex, birth date, ethnicity), issues, notes."""
    frame = check_columns(table, kind)
    rows = table.row_numbers
    child = normalise_child_ids(frame["CHILD"])
    sex, unknown_sex = parse_sex(frame["SEX"])
    birth_dates = read_dates(frame["DOB"])
    dob, bad_dob = birth_dates.dates, birth_dates.unreadable | birth_dates.ambiguous
    issues = [
        iss.issue_rows(
            table.label,
            rows[child.isna()],
            child[child.isna()],
            iss.DROPPED,
            iss.MISSING_FIELD,
            "CHILD",
        ),
        iss.issue_rows(
            table.label, rows[bad_dob], child[bad_dob], iss.WARNING, iss.UNREADABLE_DATE, "DOB"
        ),
        iss.issue_rows(
            table.label, rows[unknown_sex], child[unknown_sex], iss.WARNING, iss.UNKNOWN_CODE, "SEX"
        ),
    ]
    children = pd.DataFrame(
        {"child_id": child, "sex": sex, "date_of_birth": dob, "source_row": rows}
    )
    if kind == HEADER:
        codes, groups, unknown_ethnicity = parse_ethnicity(frame["ETHNIC"])
        blank = frame["ETHNIC"].isna()
        children["ethnicity_code"] = codes
        children["ethnic_group"] = groups
        issues += [
            iss.issue_rows(
                table.label,
                rows[unknown_ethnicity],
                child[unknown_ethnicity],
                iss.WARNING,
                iss.UNKNOWN_ETHNICITY,
                "ETHNIC",
            ),
            iss.issue_rows(
                table.label,
                rows[blank & child.notna()],
                child[blank & child.notna()],
                iss.WARNING,
                iss.MISSING_FIELD,
                "ETHNIC",
            ),
        ]
    children = children[child.notna()]
    duplicated = children["child_id"].duplicated()
    issues.append(
        iss.issue_rows(
            table.label,
            children.loc[duplicated, "source_row"],
            children.loc[duplicated, "child_id"],
            iss.WARNING,
            iss.DUPLICATE_CHILD,
            f"CHILD appears earlier in the {kind} table; the first row is used",
        )
    )
    children = children[~duplicated].drop(columns="source_row").reset_index(drop=True)
    notes = [note] if (note := birth_dates.note(f"{table.label}, column DOB")) else []
    return children, iss.combine_issues(issues), notes


def read_episodes(table: Table) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Usable episodes (dates parsed, impossible dates dropped), their issues, and date notes."""
    frame = check_columns(table, EPISODES)
    episodes = pd.DataFrame(
        {
            "child_id": normalise_child_ids(frame["CHILD"]),
            "rne": frame["RNE"].str.upper(),
            "legal_status": frame["LS"].str.upper(),
            "rec": frame["REC"].str.upper()
            if "REC" in frame
            else pd.Series(pd.NA, index=frame.index, dtype="str"),
            "postcode": frame["HOME_POST"],
            "source_file": table.label,
            "source_row": table.row_numbers,
        }
    )
    starts, ends = read_dates(frame["DECOM"]), read_dates(frame["DEC"])
    episodes["start_date"], bad_start = starts.dates, starts.unreadable
    episodes["end_date"], bad_end = ends.dates, ends.unreadable
    missing_child = episodes["child_id"].isna()
    ambiguous = (starts.ambiguous | ends.ambiguous) & ~missing_child
    missing_start = frame["DECOM"].isna().to_numpy() & ~missing_child
    bad_start = bad_start & ~missing_child
    bad_end = bad_end & ~missing_child & ~bad_start
    ends_first = episodes["end_date"].lt(episodes["start_date"])
    issues = [
        iss.issues_from_frame(episodes[missing_child], iss.DROPPED, iss.MISSING_FIELD, "CHILD"),
        iss.issues_from_frame(episodes[missing_start], iss.DROPPED, iss.MISSING_FIELD, "DECOM"),
        iss.issues_from_frame(episodes[bad_start], iss.DROPPED, iss.UNREADABLE_DATE, "DECOM"),
        iss.issues_from_frame(episodes[bad_end], iss.DROPPED, iss.UNREADABLE_DATE, "DEC"),
        iss.issues_from_frame(
            episodes[ambiguous],
            iss.DROPPED,
            iss.AMBIGUOUS_DATE,
            iss.AMBIGUOUS_DETAIL.format(column="DECOM or DEC"),
        ),
        iss.issues_from_frame(
            episodes[ends_first], iss.DROPPED, iss.END_BEFORE_START, "DEC is before DECOM"
        ),
    ]
    dropped = missing_child | missing_start | bad_start | bad_end | ambiguous | ends_first
    notes = [
        note
        for name, column in (("DECOM", starts), ("DEC", ends))
        if (note := column.note(f"{table.label}, column {name}"))
    ]
    return episodes[~dropped], iss.combine_issues(issues), notes


def drop_duplicate_episodes(episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Episodes with one row per child and start date; repeats (also across files) are reported."""
    duplicated = episodes.duplicated(["child_id", "start_date"])
    issues = iss.issues_from_frame(
        episodes[duplicated],
        iss.DROPPED,
        iss.DUPLICATE_SPELL,
        "same CHILD and DECOM as an earlier episode",
    )
    return episodes[~duplicated], issues


def periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """Periods of care from consecutive episodes, short breaks excluded, one row per period."""
    care = episodes[~episodes["legal_status"].isin(SHORT_BREAK_LEGAL_STATUSES)]
    care = care.sort_values(["child_id", "start_date", "source_file", "source_row"], kind="stable")
    care = care.reset_index(drop=True)
    previous_rec = care["rec"].shift()
    continues = (
        care["child_id"].eq(care["child_id"].shift())
        & care["rne"].ne(NEW_PERIOD_RNE)
        & care["end_date"].shift().eq(care["start_date"])
        & (previous_rec.isna() | previous_rec.eq(STILL_LOOKED_AFTER_REC))
    )
    period = (~continues).cumsum()
    last_of_period = ~continues.shift(-1, fill_value=False)
    starts = care[~continues].reset_index(drop=True)
    first_postcode = care.groupby(period, sort=True)["postcode"].first().reset_index(drop=True)
    return pd.DataFrame(
        {
            "child_id": starts["child_id"],
            "intervention": "CLA",
            "start_date": starts["start_date"],
            "end_date": care.loc[last_of_period, "end_date"].reset_index(drop=True),
            "postcode": first_postcode,
            "postcode_from_later": starts["postcode"].isna() & first_postcode.notna(),
            "legal_status": starts["legal_status"],
            "reason_new_episode": starts["rne"],
            "cin_nfa": False,
            "source_file": starts["source_file"],
            "source_row": starts["source_row"],
        }
    )
