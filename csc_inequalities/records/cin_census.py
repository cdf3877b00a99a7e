"""The CIN census XML (2017 to 2026 schemas): CIN episodes and child protection plans."""

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


CHILD_TAGS = (
    "LAchildID",
    "PersonBirthDate",
    "Sex",
    "GenderCurrent",
    "Ethnicity",
    "CINdetails",
    "CINreferralDate",
    "CINclosureDate",
    "ReferralNFA",
    "ChildProtectionPlans",
    "CPPstartDate",
    "CPPendDate",
)
EPISODE_FIELDS = {"CINreferralDate": 2, "CINclosureDate": 3, "ReferralNFA": 4}
PLAN_FIELDS = {"CPPstartDate": 2, "CPPendDate": 3}


def child_rows(child, number: int, cin: list, cpp: list, people: list) -> None:
    """Append one <Child>'s identifiers, CIN episodes and plans to the row lists.

    One pass over the child's elements (filtered in C by lxml) fills the rows; a field sits in
    the episode or plan that most recently opened, as the schema nests them.
    """
    person: dict[str, str | None] = {}
    episodes: list[list] = []
    plans: list[list] = []
    for element in child.iter(*CHILD_TAGS):
        tag = element.tag
        if tag == "CINdetails":
            episodes.append([number, None, None, None, None])
        elif tag == "ChildProtectionPlans":
            plans.append([number, None, None, None])
        elif tag in EPISODE_FIELDS:
            if episodes:
                episodes[-1][EPISODE_FIELDS[tag]] = element.text
        elif tag in PLAN_FIELDS:
            if plans:
                plans[-1][PLAN_FIELDS[tag]] = element.text
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


def parse_children(name: str, content: bytes) -> tuple[list, list, list]:
    """Children, CIN episodes and plans from the XML, refusing DTDs, entities and unknown years.

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
                child_rows(element, number, cin, cpp, people)
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
    return people, cin, cpp


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


def read_cin_census(name: str, content: bytes) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """CIN and CPP spells of a census file (without geography), their issues, and children read."""
    people, cin, cpp = parse_children(name, content)
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
    issues = iss.combine_issues([child_issues, cin_issues, nfa_issues, cpp_issues])
    return spells, issues, len(people)
