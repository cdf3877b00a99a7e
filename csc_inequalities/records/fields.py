"""The canonical fields of extracts and the column names authorities commonly give them."""

from __future__ import annotations

import re

import pandas as pd

from csc_inequalities.records.canonical import ETHNICITY_CODE_GROUP

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
        "personno",
        "personnumber",
        "clientnumber",
        "clientref",
        "childnumber",
        "childno",
        "caseno",
        "casenumber",
        "ref",
        "reference",
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
        "opened",
        "opendate",
        "dateopened",
        "startdt",
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
        "closed",
        "closedate",
        "dateclosed",
        "enddt",
    ),
    "postcode": (
        "postcode",
        "homepost",
        "homepostcode",
        "postalcode",
        "addresspostcode",
        "childpostcode",
        "pcode",
        "pc",
        "postcodehome",
        "childhomepostcode",
        "currentpostcode",
        "homepostcodeofchild",
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
        "lsoa11",
        "lsoa21",
        "lsoacd",
        "lsoa2011cd",
        "lsoa2021cd",
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
            found = by_name.get(synonym)
            if found is not None and found not in taken:
                mapping[field] = found
                taken.add(found)
                break
    return mapping


# Where a column's name is not recognised, its values can be: at least this share of its
# first non-blank values must look like the field.
VALUE_SAMPLE = 200
VALUE_SHARE = 0.8
VALUE_PATTERNS: dict[str, str] = {
    "lsoa_code": r"[EW]01\d{6}",
    "postcode": r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}",
    "ethnicity": "|".join(ETHNICITY_CODE_GROUP),
    "intervention": r"CIN|CPP|CLA|CP|LAC|CIC|CHILD IN NEED|CHILD PROTECTION( PLAN)?|LOOKED AFTER",
}
DATE_LIKE = r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}.*|\d{5}"
DATE_FIELDS_IN_ORDER = ("start_date", "end_date")


def first_values(values: pd.Series) -> list[str]:
    """A column's first non-blank values, trimmed and upper case: enough to tell its kind.

    Only the first rows are looked at: reading a whole column of a large extract for each
    pattern cost seconds.
    """
    sample = values.iloc[: VALUE_SAMPLE * 20].dropna().head(VALUE_SAMPLE)
    return sample.astype("str").str.strip().str.upper().tolist()


def share_matching(sample: list[str], pattern: str) -> float:
    """The share of sampled values matching a pattern whole."""
    if not sample:
        return 0.0
    compiled = re.compile(pattern)
    return sum(compiled.fullmatch(value) is not None for value in sample) / len(sample)


def match_by_values(
    frame: pd.DataFrame, fields: tuple[str, ...], named: dict[str, str]
) -> dict[str, str]:
    """Fields the names left unmatched, recognised by what their columns hold.

    LSOA codes, postcodes, DfE ethnicity codes and intervention names are told by their form;
    start and end dates by being the first and second unclaimed columns of dates. A column
    whose name is known for any field (an address's valid-from date, say) is never claimed.
    """
    known_names = {synonym for synonyms in SYNONYMS.values() for synonym in synonyms}
    free = [
        column
        for column in frame.columns
        if column not in set(named.values()) and normalise_name(column) not in known_names
    ]
    samples = {column: first_values(frame[column]) for column in free}
    found: dict[str, str] = {}
    for field, pattern in VALUE_PATTERNS.items():
        if field not in fields or field in named:
            continue
        for column in free:
            if (
                column not in found.values()
                and share_matching(samples[column], pattern) >= VALUE_SHARE
            ):
                found[field] = column
                break
    dates = [
        column
        for column in free
        if column not in found.values()
        and share_matching(samples[column], DATE_LIKE) >= VALUE_SHARE
    ]
    wanted = [f for f in DATE_FIELDS_IN_ORDER if f in fields and f not in named]
    if wanted == list(DATE_FIELDS_IN_ORDER[: len(wanted)]):
        found |= dict(zip(wanted, dates, strict=False))
    return found
