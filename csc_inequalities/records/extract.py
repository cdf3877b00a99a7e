"""Case-system extracts (CSV or XLSX, a row per spell or per child) read via a column mapping."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records.canonical import INTERVENTIONS
from csc_inequalities.records.fields import FIELD_LABELS, match_by_values, match_columns
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import Table, check_size, read_tables
from csc_inequalities.records.values import (
    normalise_child_ids,
    parse_ethnicity,
    parse_intervention,
    parse_sex,
    parse_yes_no,
    read_dates,
)

CASE_EXTRACT = "Case-system extract"
EXTRACT_FIELDS = (
    "child_id",
    "intervention",
    "start_date",
    "end_date",
    "postcode",
    "lsoa_code",
    "ethnicity",
    "sex",
    "date_of_birth",
    "legal_status",
    "reason_new_episode",
    "cin_nfa",
)
REQUIRED_FIELDS = ("child_id", "intervention", "start_date")
DATE_FIELDS = ("start_date", "end_date", "date_of_birth")
LOCATION_FIELDS = ("postcode", "lsoa_code")
LOCATION_RULE = (
    "where a row gives both an LSOA code and a postcode, the LSOA code is used (it is what the "
    "case system recorded); the postcode is used only where the LSOA code is blank or not a "
    "known code."
)
FIXED_PREFIX = "="
FIXED_INTERVENTIONS = {f"{FIXED_PREFIX}{name}": name for name in INTERVENTIONS}
SHORT_BREAK_LEGAL_STATUSES = ("V3", "V4")


def suggest_mapping(columns: list[str], frame: pd.DataFrame | None = None) -> dict[str, str]:
    """A first guess at which column holds each field: by common names, then by the values."""
    named = match_columns(list(columns), EXTRACT_FIELDS)
    if frame is None:
        return named
    return named | match_by_values(frame, EXTRACT_FIELDS, named)


def recognised_by_values(table: Table, mapping: dict[str, str]) -> str | None:
    """A note naming the columns a mapping took by their values rather than their names."""
    named = match_columns(list(table.frame.columns), EXTRACT_FIELDS)
    by_values = [
        f"{column} ({FIELD_LABELS[field].lower()})"
        for field, column in mapping.items()
        if named.get(field) != column and field in EXTRACT_FIELDS
    ]
    if not by_values:
        return None
    return f"{table.label}: columns recognised by what they hold: {', '.join(by_values)}."


def fits_mapping(columns: list[str], mapping: dict[str, str]) -> bool:
    """True when every mapped column (other than fixed values) is present in the table."""
    mapped = [column for column in mapping.values() if column and column not in FIXED_INTERVENTIONS]
    return bool(mapped) and all(column in columns for column in mapped)


def missing_fields(mapping: dict[str, str], addresses_given: bool) -> list[str]:
    """The required fields a mapping leaves unmatched (a location unless addresses are given)."""
    missing = [field for field in REQUIRED_FIELDS if not mapping.get(field)]
    if not addresses_given and not any(mapping.get(field) for field in LOCATION_FIELDS):
        missing.append("postcode")
    return missing


def check_mapping(table: Table, mapping: dict[str, str], addresses_given: bool) -> None:
    """Refuse a mapping that lacks a required field or names a column the table does not have."""
    missing = missing_fields(mapping, addresses_given)
    if missing:
        labels = ", ".join(FIELD_LABELS[field] for field in missing)
        raise RecordsError(
            f"{table.label}: no column was matched to {labels} (columns found: "
            f"{', '.join(map(str, table.frame.columns[:20]))}). Say which column holds it: in "
            "the app, in the column-mapping step; on the command line, with --map FIELD=COLUMN."
        )
    absent = [
        column
        for field, column in mapping.items()
        if column and column not in FIXED_INTERVENTIONS and column not in table.frame.columns
    ]
    if absent:
        raise RecordsError(
            f"{table.label} has no column {', '.join(absent)}, named in the column mapping."
        )


def read_extract(
    table: Table, mapping: dict[str, str], addresses_given: bool
) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    """Spells from an extract (no geography yet), issues, short-break rows left out, date notes."""
    check_mapping(table, mapping, addresses_given)
    frame = table.frame
    blank = pd.Series(pd.NA, index=frame.index, dtype="str")

    def column(field: str) -> pd.Series:
        name = mapping.get(field)
        return frame[name] if name and name in frame.columns else blank

    rows = table.row_numbers
    child = column("child_id")
    fixed = FIXED_INTERVENTIONS.get(mapping["intervention"])
    if fixed:
        intervention = pd.Series(fixed, index=frame.index, dtype="str")
        unknown_intervention = pd.Series(False, index=frame.index)
    else:
        intervention, unknown_intervention = parse_intervention(column("intervention"))
    dates = {field: read_dates(column(field)) for field in DATE_FIELDS}
    starts, bad_start = dates["start_date"].dates, dates["start_date"].unreadable
    ends, bad_end = dates["end_date"].dates, dates["end_date"].unreadable
    dob, bad_dob = dates["date_of_birth"].dates, dates["date_of_birth"].unreadable
    sex, unknown_sex = parse_sex(column("sex"))
    codes, groups, unknown_ethnicity = parse_ethnicity(column("ethnicity"))
    nfa, unknown_nfa = parse_yes_no(column("cin_nfa"))
    spells = pd.DataFrame(
        {
            "child_id": normalise_child_ids(child),
            "intervention": intervention,
            "start_date": starts,
            "end_date": ends,
            "postcode": column("postcode"),
            "lsoa_code": column("lsoa_code"),
            "ethnicity_code": codes,
            "ethnic_group": groups,
            "sex": sex,
            "date_of_birth": dob,
            "legal_status": column("legal_status").str.upper(),
            "reason_new_episode": column("reason_new_episode").str.upper(),
            "cin_nfa": nfa,
            "source_file": table.label,
            "source_row": rows,
        }
    )
    has_id = spells["child_id"].notna()
    ambiguous = (dates["start_date"].ambiguous | dates["end_date"].ambiguous) & has_id
    missing_intervention = intervention.isna() & ~unknown_intervention & has_id
    missing_start = column("start_date").isna() & has_id
    bad_start = bad_start & has_id
    bad_end = bad_end & has_id & ~bad_start
    ends_first = ends.lt(starts)
    unknown_intervention = unknown_intervention & has_id
    label = mapping.get

    def report(mask: pd.Series, severity: str, reason: str, detail: str) -> pd.DataFrame:
        return iss.issues_from_frame(spells[mask], severity, reason, detail)

    issues = [
        report(~has_id, iss.DROPPED, iss.MISSING_FIELD, str(label("child_id"))),
        report(missing_intervention, iss.DROPPED, iss.MISSING_FIELD, str(label("intervention"))),
        report(
            unknown_intervention,
            iss.DROPPED,
            iss.UNKNOWN_CODE,
            f"{label('intervention')} (expected CIN, CPP or CLA)",
        ),
        report(missing_start, iss.DROPPED, iss.MISSING_FIELD, str(label("start_date"))),
        report(bad_start, iss.DROPPED, iss.UNREADABLE_DATE, str(label("start_date"))),
        report(
            ambiguous,
            iss.DROPPED,
            iss.AMBIGUOUS_DATE,
            iss.AMBIGUOUS_DETAIL.format(column=f"{label('start_date')} or {label('end_date')}"),
        ),
        report(
            dates["date_of_birth"].ambiguous & has_id,
            iss.WARNING,
            iss.AMBIGUOUS_DATE,
            iss.AMBIGUOUS_DETAIL.format(column=label("date_of_birth")),
        ),
        report(bad_end, iss.DROPPED, iss.UNREADABLE_DATE, str(label("end_date"))),
        report(ends_first, iss.DROPPED, iss.END_BEFORE_START, "end date is before start date"),
        report(bad_dob & has_id, iss.WARNING, iss.UNREADABLE_DATE, str(label("date_of_birth"))),
        report(unknown_sex & has_id, iss.WARNING, iss.UNKNOWN_CODE, str(label("sex"))),
        report(
            unknown_ethnicity & has_id, iss.WARNING, iss.UNKNOWN_ETHNICITY, str(label("ethnicity"))
        ),
        report(
            unknown_nfa & has_id,
            iss.WARNING,
            iss.UNKNOWN_CODE,
            f"{label('cin_nfa')} (read as not NFA)",
        ),
    ]
    dropped = (
        ~has_id
        | missing_intervention
        | unknown_intervention
        | missing_start
        | bad_start
        | bad_end
        | ambiguous
        | ends_first
    )
    short_break = spells["intervention"].eq("CLA") & spells["legal_status"].isin(
        SHORT_BREAK_LEGAL_STATUSES
    )
    usable = spells[~dropped & ~short_break]
    notes = [
        note
        for field, column in dates.items()
        if (note := column.note(f"{table.label}, column {label(field)}"))
    ]
    return usable, iss.combine_issues(issues), int((short_break & ~dropped).sum()), notes


def extract_columns(name: str, content: bytes) -> list[str]:
    """The columns of an extract (of its best-matching sheet), for the column-mapping step."""
    check_size(name, content)
    try:
        tables = read_tables(name, content)
    except RecordsError:
        raise
    except Exception as error:
        raise RecordsError(
            f"{name} could not be read as a CSV or XLSX extract ({type(error).__name__})."
        ) from None
    best = max(tables, key=lambda table: len(suggest_mapping(list(table.frame.columns))))
    return [str(column) for column in best.frame.columns]


def extract_suggestion(name: str, content: bytes) -> tuple[list[str], dict[str, str]]:
    """The columns of an extract and the suggested mapping, by names and then by values."""
    check_size(name, content)
    tables = read_tables(name, content)
    best = max(
        tables, key=lambda table: len(suggest_mapping(list(table.frame.columns), table.frame))
    )
    columns = [str(column) for column in best.frame.columns]
    return columns, suggest_mapping(columns, best.frame)
