"""The CIN census XML (2017 to 2026 schemas): CIN episodes and child protection plans, and the
decisions inside each episode (referral, assessment, section 47 enquiry, initial conference,
plan) as one row per event for the decision cascade."""

from __future__ import annotations

import io
from xml.etree.ElementTree import ParseError

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse
from lxml import etree

from csc_inequalities.records import issues as iss
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import tidy_cells
from csc_inequalities.records.values import (
    normalise_child_ids,
    parse_dates,
    parse_ethnicity,
    parse_sex,
    parse_yes_no,
)

CIN_CENSUS = "CIN census XML"
FIRST_CENSUS_YEAR = 2017
LAST_CENSUS_YEAR = 2026
ROW_NOTE = (
    "For CIN census XML files, the row is the child's position in the file (1 = first <Child>)."
)


def census_year(year_text: str | None, reference_date_text: str | None) -> int | None:
    """The census year: that of the reference date (31 March), else the header's Year."""
    for text in (reference_date_text, year_text):
        if text and text.strip()[:4].isdigit():
            return int(text.strip()[:4])
    return None


def check_census_year(name: str, year: int | None) -> None:
    """Refuse a census of a year whose schema the reader does not know."""
    if year is not None and not FIRST_CENSUS_YEAR <= year <= LAST_CENSUS_YEAR:
        raise RecordsError(
            f"{name} is a CIN census for {year}. This tool reads CIN census files for "
            f"{FIRST_CENSUS_YEAR} to {LAST_CENSUS_YEAR} (the DfE schemas of those years)."
        )


PERSON_TAGS = ("LAchildID", "PersonBirthDate", "Sex", "GenderCurrent", "Ethnicity")
EPISODE_FIELDS = {"CINreferralDate": 2, "CINclosureDate": 3, "ReferralNFA": 4}
PLAN_FIELDS = {"CPPstartDate": 2, "CPPendDate": 3}
# Event rows: (row, child_id, stage, date, referral_source, referral_nfa, primary_need,
# assessment_factors, icpc_not_required, abuse_category), filled as the elements come.
EVENT_ROW = (
    "row",
    "child_id",
    "stage",
    "date",
    "referral_source",
    "referral_nfa",
    "primary_need",
    "assessment_factors",
    "icpc_not_required",
    "abuse_category",
)
# Which event (opened by its container element) and position each field fills.
EVENT_FIELDS = {
    "ReferralSource": ("referral", 4),
    "PrimaryNeedCode": ("referral", 6),
    "AssessmentAuthorisationDate": ("assessment", 3),
    "S47ActualStartDate": ("s47", 3),
    "ICPCnotRequired": ("s47", 8),
    "InitialCategoryOfAbuse": ("plan", 9),
}
EVENT_OPENERS = {"Assessments": "assessment", "Section47": "s47", "ChildProtectionPlans": "plan"}
CHILD_TAGS = (
    *PERSON_TAGS,
    "CINdetails",
    *EPISODE_FIELDS,
    *PLAN_FIELDS,
    *EVENT_FIELDS,
    *EVENT_OPENERS,
    "DateOfInitialCPC",
    "AssessmentFactors",
)
# Where an event's date is, when it is not the row's own date field (checked as read).
EVENT_DATE_FIELDS = {
    "assessment": "AssessmentAuthorisationDate",
    "s47": "S47ActualStartDate",
    "icpc": "DateOfInitialCPC",
    "plan": "CPPstartDate",
}


def _event(number: int, stage: str) -> list:
    """An empty event row of a stage."""
    return [number, None, stage, None, None, None, None, None, None, None]


def child_rows(child, number: int, cin: list, cpp: list, people: list, events: list) -> None:
    """Append one <Child>'s identifiers, CIN episodes, plans and decision events to the rows.

    One pass over the child's elements (filtered in C by lxml) fills the rows; a field sits in
    the episode, plan or event that most recently opened, as the schema nests them. An initial
    conference's date may sit in the episode (the conference that led to its plan) or in a
    section 47 enquiry; the cascade counts each child's conference on a day once.
    """
    person: dict[str, str | None] = {}
    episodes: list[list] = []
    plans: list[list] = []
    rows: list[list] = []
    opened: dict[str, list] = {}
    for element in child.iter(*CHILD_TAGS):
        tag = element.tag
        if tag == "CINdetails":
            episodes.append([number, None, None, None, None])
            opened = {"referral": _event(number, "referral")}
            rows.append(opened["referral"])
        elif tag in EVENT_OPENERS:
            stage = EVENT_OPENERS[tag]
            opened[stage] = _event(number, stage)
            rows.append(opened[stage])
            if tag == "ChildProtectionPlans":
                plans.append([number, None, None, None])
        elif tag in EPISODE_FIELDS:
            if episodes:
                episodes[-1][EPISODE_FIELDS[tag]] = element.text
                if tag == "CINreferralDate":
                    opened["referral"][3] = element.text
                elif tag == "ReferralNFA":
                    opened["referral"][5] = element.text
        elif tag in PLAN_FIELDS:
            if plans:
                plans[-1][PLAN_FIELDS[tag]] = element.text
                if tag == "CPPstartDate" and "plan" in opened:
                    opened["plan"][3] = element.text
        elif tag in EVENT_FIELDS:
            stage, position = EVENT_FIELDS[tag]
            if stage in opened:
                opened[stage][position] = element.text
        elif tag == "AssessmentFactors":
            if "assessment" in opened and element.text and element.text.strip():
                factors = opened["assessment"][7]
                code = element.text.strip()
                opened["assessment"][7] = code if factors is None else f"{factors};{code}"
        elif tag == "DateOfInitialCPC":
            if episodes and element.text:
                conference = _event(number, "icpc")
                conference[3] = element.text
                rows.append(conference)
        else:
            person.setdefault(tag, element.text)
    child_id = (person.get("LAchildID") or "").strip() or None
    sex = person.get("Sex") or person.get("GenderCurrent")
    people.append((number, child_id, sex, person.get("PersonBirthDate"), person.get("Ethnicity")))
    for row in episodes:
        row[1] = child_id
        cin.append(tuple(row))
    for row in plans:
        row[1] = child_id
        cpp.append(tuple(row))
    for row in rows:
        row[1] = child_id
        events.append(tuple(row))


def root_tag(name: str, content: bytes) -> str:
    """The root element's name, read by defusedxml, which refuses a DTD (where entities live)."""
    try:
        for _, element in defused_iterparse(
            io.BytesIO(content), events=("start",), forbid_dtd=True
        ):
            return element.tag
    except DefusedXmlException:
        raise RecordsError(
            f"{name} was refused: it declares a DTD or entities, which CIN census files never "
            "contain and which can be used to attack a server."
        ) from None
    except ParseError as error:
        raise RecordsError(
            f"{name} is not well-formed XML ({error}). Expected a DfE CIN census XML file."
        ) from None
    raise RecordsError(f"{name} holds no XML elements. Expected a DfE CIN census XML file.")


def parse_children(name: str, content: bytes) -> tuple[list, list, list, list]:
    """Children, episodes, plans and events from the XML, refusing DTDs, entities, unknown years.

    defusedxml vets everything before the root element, where a DTD would have to be; the
    document, then known to declare no entities, is read by lxml's C parser with entity
    resolution and network access off, handing only the elements needed to Python.
    """
    tag = root_tag(name, content)
    if tag != "Message":
        raise RecordsError(
            f"{name} is XML but not a CIN census: its first element is <{tag}>. "
            "Expected a DfE CIN census file starting with <Message>."
        )
    cin: list = []
    cpp: list = []
    people: list = []
    events: list = []
    header: dict[str, str | None] = {"Year": None, "ReferenceDate": None}
    number = 0
    elements = etree.iterparse(
        io.BytesIO(content),
        events=("end",),
        tag=("Child", "Year", "ReferenceDate"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _, element in elements:
            if element.tag == "Child":
                number += 1
                child_rows(element, number, cin, cpp, people, events)
                element.clear(keep_tail=True)
                while element.getprevious() is not None:  # read children leave the tree
                    del element.getparent()[0]
            elif number == 0:
                header[element.tag] = element.text
                check_census_year(name, census_year(header["Year"], header["ReferenceDate"]))
    except etree.XMLSyntaxError as error:
        raise RecordsError(
            f"{name} is not well-formed XML ({error}). Expected a DfE CIN census XML file."
        ) from None
    check_census_year(name, census_year(header["Year"], header["ReferenceDate"]))
    if not people:
        raise RecordsError(f"{name} is a CIN census file with no <Child> records.")
    return people, cin, cpp, events


def read_people(name: str, people: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per child: sex, birth date and ethnicity, with warnings for unreadable values."""
    frame = pd.DataFrame(
        people, columns=["row", "child_id", "sex", "dob", "ethnicity"], dtype="str"
    )
    frame["row"] = frame["row"].astype("int64")
    sex, unknown_sex = parse_sex(frame["sex"])
    dob, bad_dob = parse_dates(frame["dob"])
    codes, groups, unknown_ethnicity = parse_ethnicity(frame["ethnicity"])
    rows, ids = frame["row"], frame["child_id"]
    missing_id = ids.isna()
    issues = [
        iss.issue_rows(
            name, rows[missing_id], ids[missing_id], iss.DROPPED, iss.MISSING_FIELD, "LAchildID"
        ),
        iss.issue_rows(
            name,
            rows[unknown_sex],
            ids[unknown_sex],
            iss.WARNING,
            iss.UNKNOWN_CODE,
            "Sex/GenderCurrent",
        ),
        iss.issue_rows(
            name, rows[bad_dob], ids[bad_dob], iss.WARNING, iss.UNREADABLE_DATE, "PersonBirthDate"
        ),
        iss.issue_rows(
            name,
            rows[unknown_ethnicity],
            ids[unknown_ethnicity],
            iss.WARNING,
            iss.UNKNOWN_ETHNICITY,
            "Ethnicity",
        ),
    ]
    children = pd.DataFrame(
        {
            "row": rows,
            "sex": sex,
            "date_of_birth": dob,
            "ethnicity_code": codes,
            "ethnic_group": groups,
        }
    )
    return children, iss.combine_issues(issues)


def spells_from_rows(
    name: str, rows: pd.DataFrame, intervention: str, start: str, end: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CIN episodes or plans with parsed dates; unreadable or impossible dates are dropped."""
    starts, bad_start = parse_dates(rows["start"])
    ends, bad_end = parse_dates(rows["end"])
    spells = pd.DataFrame(
        {
            "child_id": normalise_child_ids(rows["child_id"]),
            "intervention": intervention,
            "start_date": starts,
            "end_date": ends,
            "source_file": name,
            "source_row": rows["row"].astype("int64"),
        }
    )
    has_id = spells["child_id"].notna()
    missing_start = rows["start"].isna() & has_id
    bad_start = bad_start & has_id
    bad_end = bad_end & has_id & ~bad_start
    ends_first = spells["end_date"].lt(spells["start_date"])
    issues = [
        iss.issues_from_frame(spells[missing_start], iss.DROPPED, iss.MISSING_FIELD, start),
        iss.issues_from_frame(spells[bad_start], iss.DROPPED, iss.UNREADABLE_DATE, start),
        iss.issues_from_frame(spells[bad_end], iss.DROPPED, iss.UNREADABLE_DATE, end),
        iss.issues_from_frame(
            spells[ends_first], iss.DROPPED, iss.END_BEFORE_START, f"{end} is before {start}"
        ),
    ]
    keep = has_id & ~(missing_start | bad_start | bad_end | ends_first)
    return spells[keep], iss.combine_issues(issues)


def read_events(name: str, rows: list, children: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decision events with parsed dates and the child's details, and their issues.

    Assessments not yet authorised are not events (the cascade counts completed ones). A
    referral whose date cannot be read is already reported with its CIN episode; any other
    event with an unreadable date is reported as a warning and left out of the cascade.
    """
    frame = tidy_cells(pd.DataFrame(rows, columns=list(EVENT_ROW), dtype="str"))
    frame["row"] = frame["row"].astype("int64")
    dates, bad = parse_dates(frame["date"])
    has_id = frame["child_id"].notna()
    stage = frame["stage"]
    reported = bad & has_id & stage.ne("referral")
    issues = [
        iss.issue_rows(
            name,
            frame.loc[reported & stage.eq(step), "row"],
            frame.loc[reported & stage.eq(step), "child_id"],
            iss.WARNING,
            iss.UNREADABLE_DATE,
            f"{field} (left out of the decision cascade)",
        )
        for step, field in EVENT_DATE_FIELDS.items()
    ]
    nfa, _ = parse_yes_no(frame["referral_nfa"])
    not_required, _ = parse_yes_no(frame["icpc_not_required"])
    events = pd.DataFrame(
        {
            "child_id": normalise_child_ids(frame["child_id"]),
            "stage": stage,
            "date": dates,
            "referral_source": frame["referral_source"],
            "referral_nfa": nfa & stage.eq("referral"),
            "primary_need": frame["primary_need"],
            "assessment_factors": frame["assessment_factors"],
            "icpc_not_required": not_required & stage.eq("s47"),
            "abuse_category": frame["abuse_category"],
            "source_file": name,
            "source_row": frame["row"],
        }
    )[has_id & dates.notna()]
    events = events.merge(children, left_on="source_row", right_on="row", how="left").drop(
        columns="row"
    )
    return events, iss.combine_issues(issues)


def read_cin_census(name: str, content: bytes) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """CIN and CPP spells of a census file (without geography), their issues, and children read."""
    spells, issues, children, _ = read_cin_census_events(name, content)
    return spells, issues, children


def read_cin_census_events(
    name: str, content: bytes
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """As read_cin_census, with the census's decision events (without geography) as well."""
    people, cin, cpp, event_rows = parse_children(name, content)
    children, child_issues = read_people(name, people)
    cin_rows = tidy_cells(
        pd.DataFrame(cin, columns=["row", "child_id", "start", "end", "nfa"], dtype="str")
    )
    cpp_rows = tidy_cells(
        pd.DataFrame(cpp, columns=["row", "child_id", "start", "end"], dtype="str")
    )
    cin_spells, cin_issues = spells_from_rows(
        name, cin_rows, "CIN", "CINreferralDate", "CINclosureDate"
    )
    nfa, unknown_nfa = parse_yes_no(cin_rows["nfa"])
    cin_spells["cin_nfa"] = nfa[cin_spells.index]
    nfa_issues = iss.issue_rows(
        name,
        cin_rows.loc[unknown_nfa, "row"].astype("int64"),
        cin_rows.loc[unknown_nfa, "child_id"],
        iss.WARNING,
        iss.UNKNOWN_CODE,
        "ReferralNFA (read as not NFA)",
    )
    cpp_spells, cpp_issues = spells_from_rows(name, cpp_rows, "CPP", "CPPstartDate", "CPPendDate")
    cpp_spells["cin_nfa"] = False
    spells = pd.concat([cin_spells, cpp_spells], ignore_index=True)
    spells = spells.merge(children, left_on="source_row", right_on="row", how="left").drop(
        columns="row"
    )
    spells["legal_status"] = pd.Series(pd.NA, index=spells.index, dtype="str")
    spells["reason_new_episode"] = pd.Series(pd.NA, index=spells.index, dtype="str")
    events, event_issues = read_events(name, event_rows, children)
    issues = iss.combine_issues([child_issues, cin_issues, nfa_issues, cpp_issues, event_issues])
    return spells, issues, len(people), events
