"""The canonical fields of extracts and the column names authorities commonly give them."""

from __future__ import annotations

import re

FIELD_LABELS: dict[str, str] = {
    "child_id": "Child identifier",
    "intervention": "Intervention (CIN, CPP or CLA)",
    "start_date": "Start date",
    "end_date": "End date",
    "postcode": "Home postcode",
    "lsoa_code": "LSOA code",
    "ethnicity": "Ethnicity (DfE code or major group)",
    "sex": "Sex",
    "date_of_birth": "Date of birth",
    "legal_status": "Legal status (CLA)",
    "reason_new_episode": "Reason for new episode (CLA)",
    "cin_nfa": "Referral no further action (CIN)",
    "from_date": "Address valid from",
    "to_date": "Address valid to",
    "count": "Count",
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "child_id": (
        "childid",
        "lachildid",
        "child",
        "childidentifier",
        "childreference",
        "childref",
        "personid",
        "clientid",
        "caseid",
        "personreference",
        "id",
    ),
    "intervention": (
        "intervention",
        "interventiontype",
        "measure",
        "spelltype",
        "servicetype",
        "service",
        "category",
        "type",
    ),
    "start_date": (
        "startdate",
        "start",
        "spellstart",
        "datestarted",
        "decom",
        "cinreferraldate",
        "referraldate",
        "cppstartdate",
        "periodstart",
        "episodestart",
        "dateofstart",
    ),
    "end_date": (
        "enddate",
        "end",
        "spellend",
        "dateended",
        "dec",
        "cinclosuredate",
        "closuredate",
        "cppenddate",
        "periodend",
        "episodeend",
        "dateofend",
        "ceaseddate",
    ),
    "postcode": (
        "postcode",
        "homepost",
        "homepostcode",
        "postalcode",
        "addresspostcode",
        "childpostcode",
        "pcode",
    ),
    "lsoa_code": (
        "lsoacode",
        "lsoa",
        "lsoa21cd",
        "lsoa11cd",
        "lsoa21code",
        "lsoa11code",
        "lsoa2021",
        "lsoa2011",
        "lsoa2021code",
        "lsoa2011code",
    ),
    "ethnicity": ("ethnicity", "ethnic", "ethnicitycode", "ethnicgroup", "ethnicorigin"),
    "sex": ("sex", "gender", "gendercurrent"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "personbirthdate"),
    "legal_status": ("legalstatus", "ls"),
    "reason_new_episode": ("reasonnewepisode", "reasonfornewepisode", "rne"),
    "cin_nfa": ("cinnfa", "referralnfa", "nfa", "nofurtheraction"),
    "from_date": (
        "fromdate",
        "from",
        "validfrom",
        "datefrom",
        "addressfrom",
        "addressstart",
        "addressstartdate",
        "moveindate",
    ),
    "to_date": (
        "todate",
        "to",
        "validto",
        "dateto",
        "addressto",
        "addressend",
        "addressenddate",
        "moveoutdate",
    ),
    "count": ("count", "n", "number", "children", "total", "value"),
}


def normalise_name(column: str) -> str:
    """A column name reduced to lower-case letters and digits, so 'Child ID' matches 'child_id'."""
    return re.sub(r"[^a-z0-9]", "", str(column).lower())


def match_columns(columns: list[str], fields: tuple[str, ...]) -> dict[str, str]:
    """For each field, the first column (in synonym order) whose name is a known synonym."""
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(normalise_name(column), column)
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for field in fields:
        for synonym in SYNONYMS[field]:
            column = by_name.get(synonym)
            if column is not None and column not in taken:
                mapping[field] = column
                taken.add(column)
                break
    return mapping
