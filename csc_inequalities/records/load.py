"""One entry point for every upload: detect each file by content, read it, place it, validate it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records import ssda903
from csc_inequalities.records.address import (
    ADDRESS_EXTRACT,
    ADDRESS_RULE,
    address_mapping,
    addresses_at_start,
    read_addresses,
)
from csc_inequalities.records.canonical import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    NOT_KNOWN,
    SPELL_COLUMNS,
    SPELL_TYPES,
    SUMMARY_COLUMNS,
    LoadResult,
    empty_counts,
    empty_events,
    empty_spells,
)
from csc_inequalities.records.cin_census import CIN_CENSUS, ROW_NOTE, read_cin_census_events
from csc_inequalities.records.extract import (
    CASE_EXTRACT,
    LOCATION_RULE,
    fits_mapping,
    read_extract,
    recognised_by_values,
    suggest_mapping,
)
from csc_inequalities.records.geography import (
    CHANGE_NAMES,
    STATUS_MISSING,
    STATUS_OK,
    STATUS_UNKNOWN_LSOA,
    STATUS_UNKNOWN_POSTCODE,
    GeographyTables,
    change_counts,
    in_authority,
    locate,
    store_geography,
)
from csc_inequalities.records.intake import join_alert
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.lsoa_counts import LSOA_COUNTS, counts_mapping, read_counts
from csc_inequalities.records.sniff import Table, check_size, looks_like_xml, read_tables

EXPECTED_FILES = (
    "Expected one of: an SSDA903 Header table (CHILD, SEX, DOB, ETHNIC), Episodes table "
    "(CHILD, DECOM, RNE, LS, DEC, HOME_POST) or UASC table (CHILD, SEX, DOB, DUC); a CIN census "
    "XML file; an address extract (child id, postcode or LSOA code, optional from and to "
    "dates); a case-system extract (child id, intervention, start date, postcode or LSOA "
    "code); or counts per LSOA (LSOA code, measure, count)."
)
SPELL_FIELDS = [
    "child_id",
    "intervention",
    "start_date",
    "end_date",
    "postcode",
    "lsoa_code",
    "ethnicity_code",
    "ethnic_group",
    "sex",
    "date_of_birth",
    "legal_status",
    "reason_new_episode",
    "cin_nfa",
    "source_file",
    "source_row",
]


@dataclass
class Uploads:
    """The uploaded tables sorted by kind, with how many records each held."""

    tables: dict[str, list[Table]] = field(default_factory=dict)
    xml: list[tuple[str, bytes]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    records_read: dict[str, int] = field(default_factory=dict)
    records_used: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    malformed: list[pd.DataFrame] = field(default_factory=list)

    def of(self, kind: str) -> list[Table]:
        """The tables of one kind, in upload order."""
        return self.tables.get(kind, [])

    def add(self, table: Table, kind: str) -> None:
        """File a recognised table under its kind."""
        self.tables.setdefault(kind, []).append(table)
        self.kinds[table.label] = kind
        self.records_read[table.label] = len(table.frame) + len(table.malformed)
        if table.note:
            self.notes.append(f"{table.label}: {table.note}.")
        for row, reason in table.malformed:
            self.malformed.append(
                iss.issue_rows(
                    table.label,
                    pd.Series([row]),
                    pd.Series([""]),
                    iss.DROPPED,
                    iss.MALFORMED_ROW,
                    f"{reason}: a separator or quotation mark too many or too few",
                )
            )


def table_kind(table: Table, column_mapping: dict | None) -> str | None:
    """What a table is, judged by its columns (never by its file name).

    Column names decide first; values only complete a table whose names were not all
    recognised, so a Header's dates or an address's validity dates are never taken for spell
    dates. A table with a column of intervention names is never an address extract.
    """
    columns = [str(column) for column in table.frame.columns]
    named = suggest_mapping(columns)
    kind = ssda903.table_kind(columns)
    if kind and not (kind == ssda903.HEADER and "start_date" in named):
        return kind
    if column_mapping and fits_mapping(columns, column_mapping):
        return CASE_EXTRACT
    if counts_mapping(columns, table.frame):
        return LSOA_COUNTS
    suggested = suggest_mapping(columns, table.frame)
    spell_like = "start_date" in named or "intervention" in suggested
    if address_mapping(columns, table.frame) and not spell_like:
        return ADDRESS_EXTRACT
    if "child_id" in suggested and "start_date" in suggested:
        return CASE_EXTRACT
    return None


def distinct_names(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files with repeated names numbered ('episodes.csv (2)'), so each is reported apart."""
    seen: dict[str, int] = {}
    named = []
    for name, content in files:
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name} ({seen[name]})", content))
    return named


def sort_uploads(files: list[tuple[str, bytes]], column_mapping: dict | None) -> Uploads:
    """Check each file's size and sort its tables by kind; refuse files of no known kind."""
    uploads = Uploads()
    for name, content in distinct_names(files):
        check_size(name, content)
        if looks_like_xml(content):
            uploads.xml.append((name, content))
            uploads.kinds[name] = CIN_CENSUS
            continue
        tables = read_tables(name, content)
        kinds = [table_kind(table, column_mapping) for table in tables]
        if not any(kinds):
            columns = ", ".join(map(str, tables[0].frame.columns[:12]))
            where = (
                f"None of the sheets of {name} ({', '.join(t.sheet for t in tables)})"
                if tables[0].sheet
                else f"{name} (columns {columns})"
            )
            raise RecordsError(f"{where} matches no file this tool reads. {EXPECTED_FILES}")
        for table, kind in zip(tables, kinds, strict=True):
            if kind:
                uploads.add(table, kind)
            else:
                uploads.notes.append(
                    f"{table.label} was not used: its columns match no known table."
                )
    return uploads


@dataclass
class Findings:
    """What reading the files found besides records: issues, notes, and alerts for the results."""

    issues: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    # CIN census decision events with the address valid on their day, not yet placed.
    events: list[pd.DataFrame] = field(default_factory=list)

    def alert_if(self, alert: str | None) -> None:
        """Keep a warning that must be shown beside the results."""
        if alert:
            self.alerts.append(alert)


def read_ssda903(uploads: Uploads, found: Findings) -> pd.DataFrame:
    """Periods of care with the child's details from the Header (or UASC) table."""
    found.notes += [ssda903.PERIOD_RULE, ssda903.GEOGRAPHY_RULE]
    children = {}
    for kind in (ssda903.HEADER, ssda903.UASC):
        frames = []
        for table in uploads.of(kind):
            frame, table_issues, table_notes = ssda903.read_children(table, kind)
            frames.append(frame)
            found.issues.append(table_issues)
            found.notes += table_notes
        if frames:
            children[kind] = pd.concat(frames, ignore_index=True).drop_duplicates("child_id")
    episodes = []
    for table in uploads.of(ssda903.EPISODES):
        frame, table_issues, table_notes = ssda903.read_episodes(table)
        episodes.append(frame)
        found.issues.append(table_issues)
        found.notes += table_notes
    episodes, duplicate_issues = ssda903.drop_duplicate_episodes(
        pd.concat(episodes, ignore_index=True)
    )
    found.issues.append(duplicate_issues)
    periods = ssda903.periods_of_care(episodes)
    header = children.get(ssda903.HEADER)
    uasc = children.get(ssda903.UASC)
    if header is not None:
        periods = periods.merge(header, on="child_id", how="left")
        absent = periods["ethnic_group"].isna()
        found.issues.append(
            iss.issues_from_frame(
                periods[absent],
                iss.WARNING,
                iss.MISSING_FIELD,
                "no SSDA903 Header row for this child: sex, birth date and ethnicity unknown",
            )
        )
        found.alert_if(
            join_alert(
                "the Episodes table have a row in the Header table, so ethnicity, sex and age "
                "are unknown for the rest",
                periods.loc[~absent, "child_id"].nunique(),
                periods["child_id"].nunique(),
            )
        )
    else:
        found.notes.append(
            "No SSDA903 Header table was given: sex, birth date and ethnicity are unknown."
        )
        for column, empty in (
            ("sex", pd.NA),
            ("date_of_birth", pd.NaT),
            ("ethnicity_code", pd.NA),
            ("ethnic_group", pd.NA),
        ):
            periods[column] = empty
    if uasc is not None:
        extra = periods[["child_id"]].merge(uasc, on="child_id", how="left")
        periods["sex"] = periods["sex"].fillna(pd.Series(extra["sex"].to_numpy()))
        periods["date_of_birth"] = periods["date_of_birth"].fillna(
            pd.Series(extra["date_of_birth"].to_numpy())
        )
    found.issues.append(
        iss.issues_from_frame(
            periods[periods["postcode_from_later"]],
            iss.WARNING,
            iss.LATER_ADDRESS,
            "HOME_POST blank on the episode that started the period of care",
        )
    )
    earlier = int(periods["reason_new_episode"].ne(ssda903.NEW_PERIOD_RNE).sum())
    if earlier:
        found.notes.append(
            f"{earlier} periods of care had begun before the first episode in the file (their "
            "first episode's reason for new episode is not S): their start date is that "
            "episode's start."
        )
    periods["lsoa_code"] = pd.Series(pd.NA, index=periods.index, dtype="str")
    return periods


def place_by_address(
    spells: pd.DataFrame, addresses: pd.DataFrame, what: str, found: Findings
) -> pd.DataFrame:
    """Spells given the postcode or LSOA valid at their start; spells with no address dropped."""
    placed = addresses_at_start(spells, addresses)
    spells = spells.assign(postcode=placed["postcode"], lsoa_code=placed["lsoa_code"])
    found.issues += [
        iss.issues_from_frame(
            spells[~placed["has_address"]],
            iss.DROPPED,
            iss.NO_ADDRESS,
            "child id not found in the address extract",
        ),
        iss.issues_from_frame(
            spells[placed["address_fallback"]],
            iss.WARNING,
            iss.LATER_ADDRESS,
            "no address valid on the start date: the nearest in time was used",
        ),
    ]
    found.alert_if(
        join_alert(
            f"{what} have an address in the address extract; the others were dropped",
            spells.loc[placed["has_address"], "child_id"].nunique(),
            spells["child_id"].nunique(),
        )
    )
    return spells[placed["has_address"]]


def events_at_addresses(events: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Events with the postcode or LSOA valid on their day (the rule spells follow at their start).

    Events of a child with no address are left out here: their episode is already reported.
    """
    placed = addresses_at_start(events.rename(columns={"date": "start_date"}), addresses)
    events = events.assign(postcode=placed["postcode"], lsoa_code=placed["lsoa_code"])
    return events[placed["has_address"]]


def place_events(events: pd.DataFrame, la_code: str, tables) -> tuple[pd.DataFrame, list[str]]:
    """Events placed in both LSOA geographies, kept inside the authority, each counted once.

    The same event read twice (two census years overlap, or a conference recorded both in
    the episode and in its section 47 enquiry) is one event: one per child, stage and day.
    """
    located = locate(events["postcode"], events["lsoa_code"], tables)
    keep = (located["geo_status"].eq(STATUS_OK) & in_authority(located, la_code, tables)).to_numpy()
    placed = events[keep].assign(
        lsoa11_code=located["lsoa11_code"].to_numpy()[keep],
        lsoa21_code=located["lsoa21_code"].to_numpy()[keep],
    )
    placed = placed.drop_duplicates(["child_id", "stage", "date"]).reset_index(drop=True)
    placed["ethnic_group"] = placed["ethnic_group"].fillna(NOT_KNOWN)
    placed["sex"] = placed["sex"].fillna("U")
    notes = [
        f"Decision cascade: {len(placed):,} referrals, assessments, section 47 enquiries, "
        f"conferences and plan starts were placed in the authority; {int((~keep).sum()):,} "
        "others had an address outside it or none that could be placed, as their episodes do."
    ]
    return placed[list(EVENT_COLUMNS)].astype(EVENT_TYPES), notes


def read_addresses_of(uploads: Uploads, found: Findings) -> pd.DataFrame | None:
    """All address extracts as one table, or None when none was uploaded."""
    frames = []
    for table in uploads.of(ADDRESS_EXTRACT):
        frame, table_issues, table_notes = read_addresses(table)
        frames.append(frame)
        found.issues.append(table_issues)
        found.notes += table_notes
    return pd.concat(frames, ignore_index=True) if frames else None


def candidate_spells(
    uploads: Uploads, column_mapping: dict | None, found: Findings
) -> pd.DataFrame:
    """Every spell read from the uploads, with a postcode or LSOA code but not yet placed."""
    parts: list[pd.DataFrame] = []
    addresses = read_addresses_of(uploads, found)
    placed_by_address = False
    if uploads.of(ssda903.EPISODES):
        parts.append(read_ssda903(uploads, found))
    elif uploads.of(ssda903.HEADER) or uploads.of(ssda903.UASC):
        found.notes.append(
            "The SSDA903 Header and UASC tables were not used: no Episodes table was given."
        )
    for name, content in uploads.xml:
        spells, xml_issues, children, events = read_cin_census_events(name, content)
        uploads.records_read[name] = children
        found.issues.append(xml_issues)
        if addresses is None:
            raise RecordsError(
                f"{name} is a CIN census, which holds no addresses. Add an address extract "
                "(child id with a postcode or LSOA code, and optional from and to dates) so that "
                "each child can be placed in an LSOA."
            )
        parts.append(place_by_address(spells, addresses, f"the CIN census {name}", found))
        found.events.append(events_at_addresses(events, addresses))
        placed_by_address = True
        nfa = int(spells["cin_nfa"].sum())
        if nfa:
            found.notes.append(
                f"{name}: {nfa} referrals ended in no further action; they are flagged and not "
                "counted as CIN episodes."
            )
        found.notes += [ADDRESS_RULE, ROW_NOTE]
    for table in uploads.of(CASE_EXTRACT):
        mapping = column_mapping or suggest_mapping(list(table.frame.columns), table.frame)
        if column_mapping is None and (note := recognised_by_values(table, mapping)):
            found.notes.append(note)
        spells, extract_issues, short_breaks, date_notes = read_extract(
            table, mapping, addresses is not None
        )
        found.issues.append(extract_issues)
        found.notes += date_notes
        if short_breaks:
            found.notes.append(f"{table.label}: short-break (V3/V4) rows left out: {short_breaks}.")
        if mapping.get("postcode") and mapping.get("lsoa_code"):
            found.notes.append(f"{table.label}: {LOCATION_RULE}")
        if not (mapping.get("postcode") or mapping.get("lsoa_code")):
            spells = place_by_address(spells, addresses, table.label, found)
            placed_by_address = True
        parts.append(spells)
    if addresses is not None and not placed_by_address:
        found.notes.append(
            "The address extract was not used: it places CIN census records, and extract rows "
            "without a postcode or LSOA code."
        )
    parts = [part.reindex(columns=SPELL_FIELDS) for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=SPELL_FIELDS)
    return pd.concat(parts, ignore_index=True)


def drop_duplicate_spells(
    spells: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """One spell per child, intervention and start date; repeats are reported and dropped."""
    key = ["child_id", "intervention", "start_date"]
    duplicated = spells.duplicated(key)
    issues = iss.issues_from_frame(
        spells[duplicated],
        iss.DROPPED,
        iss.DUPLICATE_SPELL,
        "same child, intervention and start date as an earlier record",
    )
    first_file = spells[~duplicated].set_index(key)["source_file"].rename("first_file")
    repeats = spells[duplicated].join(first_file, on=key)
    across = repeats[repeats["first_file"] != repeats["source_file"]]
    notes = [
        f"{file}: {len(firsts):,} records repeat spells already read from "
        f"{', '.join(sorted(set(firsts)))} and were counted once."
        for file, firsts in across.groupby("source_file")["first_file"]
    ]
    return spells[~duplicated].reset_index(drop=True), issues, notes


def canonical_spells(spells: pd.DataFrame, located: pd.DataFrame) -> pd.DataFrame:
    """The placed spells in the canonical columns and types."""
    if spells.empty:
        return empty_spells()
    frame = spells.assign(
        lsoa11_code=located["lsoa11_code"].to_numpy(),
        lsoa21_code=located["lsoa21_code"].to_numpy(),
    )
    frame["ethnic_group"] = frame["ethnic_group"].fillna(NOT_KNOWN)
    frame["sex"] = frame["sex"].fillna("U")
    frame["cin_nfa"] = frame["cin_nfa"].fillna(False).astype(bool)
    return frame[list(SPELL_COLUMNS)].astype(SPELL_TYPES).reset_index(drop=True)


def place_spells(
    spells: pd.DataFrame, la_code: str, tables: GeographyTables
) -> tuple[pd.DataFrame, list[pd.DataFrame], list[str]]:
    """Spells placed in both LSOA geographies and kept if inside the authority."""
    located = locate(spells["postcode"], spells["lsoa_code"], tables)
    status = located["geo_status"]
    inside = in_authority(located, la_code, tables).to_numpy()
    ok = status.eq(STATUS_OK).to_numpy()
    issues = [
        iss.issues_from_frame(
            spells[status.eq(STATUS_MISSING).to_numpy()],
            iss.DROPPED,
            iss.MISSING_FIELD,
            "home postcode or LSOA code",
        ),
        iss.issues_from_frame(
            spells[status.eq(STATUS_UNKNOWN_POSTCODE).to_numpy()],
            iss.DROPPED,
            iss.UNKNOWN_POSTCODE,
            "not in the postcode directory for England",
        ),
        iss.issues_from_frame(
            spells[status.eq(STATUS_UNKNOWN_LSOA).to_numpy()],
            iss.DROPPED,
            iss.UNKNOWN_LSOA,
            "not an English 2011 or 2021 LSOA code",
        ),
        iss.issues_from_frame(
            spells[ok & ~inside],
            iss.DROPPED,
            iss.OUTSIDE_AUTHORITY,
            f"LSOA not in authority {la_code}",
        ),
    ]
    keep = ok & inside
    notes = [
        f"{count} records were on LSOAs {CHANGE_NAMES[code]}."
        for code, count in change_counts(located[keep]).items()
    ]
    conflicts = int(located["location_conflict"].to_numpy()[keep].sum())
    if conflicts:
        notes.append(
            f"{conflicts:,} records gave a postcode that lies in another LSOA than the LSOA "
            "code beside it: the LSOA code was used, as the location rule says."
        )
    return canonical_spells(spells[keep], located[keep]), issues, notes


def file_summary(uploads: Uploads, spells: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Per file: its kind, records read, spells (or count rows) used, dropped or doubtful."""
    used = spells["source_file"].value_counts().to_dict() | uploads.records_used
    dropped = issues.loc[issues["severity"].eq(iss.DROPPED), "file"].value_counts()
    warnings = issues.loc[issues["severity"].eq(iss.WARNING), "file"].value_counts()
    outside = issues.loc[issues["reason"].eq(iss.OUTSIDE_AUTHORITY), "file"].value_counts()
    labels = list(uploads.kinds)
    summary = pd.DataFrame(
        {
            "file": labels,
            "kind": [uploads.kinds[label] for label in labels],
            "records_read": [uploads.records_read.get(label, 0) for label in labels],
            "spells_used": [int(used.get(label, 0)) for label in labels],
            "dropped": [int(dropped.get(label, 0)) for label in labels],
            "warnings": [int(warnings.get(label, 0)) for label in labels],
            "outside_authority": [int(outside.get(label, 0)) for label in labels],
        }
    )
    return summary[list(SUMMARY_COLUMNS)]


def refuse_counts_with_records(uploads: Uploads) -> None:
    """Counts per LSOA and child-level records are never added together: that counts twice."""
    counts = [table.label for table in uploads.of(LSOA_COUNTS)]
    records = [
        label for label, kind in uploads.kinds.items() if kind not in (LSOA_COUNTS, ADDRESS_EXTRACT)
    ]
    if counts and records:
        raise RecordsError(
            f"{', '.join(counts)} holds counts per LSOA, and {', '.join(records)} hold records "
            "of individual children. The tool reads one or the other, never both together, "
            "because the same children would be counted twice. Upload the counts on their own, "
            "or the records on their own."
        )


def load_uploads(
    files: list[tuple[str, bytes]], la_code: str, store, column_mapping: dict | None
) -> LoadResult:
    """The whole load, raising RecordsError for a file that cannot be read at all."""
    if not files:
        raise RecordsError("No files were given. " + EXPECTED_FILES)
    uploads = sort_uploads(files, column_mapping)
    refuse_counts_with_records(uploads)
    found = Findings(issues=list(uploads.malformed))
    spells = candidate_spells(uploads, column_mapping, found)
    issues, notes = found.issues, found.notes
    counts = empty_counts()
    result_spells = empty_spells()
    # The geography tables are built only when spells or counts need them (once per store).
    result_events = empty_events()
    events = pd.concat(found.events, ignore_index=True) if found.events else None
    has_events = events is not None and not events.empty
    if not spells.empty:
        spells, duplicate_issues, duplicate_notes = drop_duplicate_spells(spells)
        issues.append(duplicate_issues)
        notes += duplicate_notes
        result_spells, placing_issues, placing_notes = place_spells(
            spells, la_code, store_geography(store)
        )
        issues += placing_issues
        notes += placing_notes
    if has_events:
        result_events, event_notes = place_events(events, la_code, store_geography(store))
        notes += event_notes
    count_parts = []
    for table in uploads.of(LSOA_COUNTS):
        table_counts, count_issues, used = read_counts(table, store_geography(store), la_code)
        count_parts.append(table_counts)
        issues.append(count_issues)
        uploads.records_used[table.label] = used
    if count_parts:
        counts = pd.concat(count_parts, ignore_index=True)
        counts = counts.groupby(
            ["lsoa_code", "geography", "intervention", "ethnic_group"], as_index=False, sort=True
        )["count"].sum()
    all_issues = iss.combine_issues(issues)
    summary = file_summary(uploads, result_spells, all_issues)
    all_notes = tuple(dict.fromkeys(uploads.notes + notes))
    return LoadResult(
        spells=result_spells,
        issues=all_issues,
        counts=counts,
        summary=summary,
        notes=all_notes,
        alerts=tuple(dict.fromkeys(found.alerts)),
        events=result_events,
    )


def load_records(
    files: list[tuple[str, bytes]], la_code: str, store, column_mapping: dict | None = None
) -> LoadResult:
    """Read uploaded files (held in memory) into spells or counts for one authority, with issues."""
    try:
        return load_uploads(files, la_code, store, column_mapping)
    except RecordsError:
        raise
    except Exception as error:
        raise RecordsError(
            "The files could not be read: they do not have the layout this tool expects "
            f"({type(error).__name__}). {EXPECTED_FILES}"
        ) from None
