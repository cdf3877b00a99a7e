"""Case-system extracts: the address extract that places CIN census children, and a plain
one-row-per-spell extract with the column names case systems commonly use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d

ADDRESS_COLUMNS = ("LAchildID", "Postcode", "AddressFrom", "AddressTo")
CASE_COLUMNS = (
    "Child ID",
    "Intervention",
    "Start date",
    "End date",
    "Postcode",
    "Ethnicity",
    "Gender",
    "DOB",
)
INTERVENTION_NAMES = {
    "CIN": "Child in need",
    "CPP": "Child protection plan",
    "CLA": "Looked after",
}
GENDER_NAMES = {"M": "Male", "F": "Female", "U": "Unknown"}


def address_csv(cases: pd.DataFrame) -> bytes:
    """Every child's current address, and the address before it for children who moved."""
    cases = cases.drop_duplicates("child_id")
    moved = cases[cases["previous_postcode"] != ""]
    rows = pd.DataFrame(
        {
            "LAchildID": np.concatenate([moved["child_id"], cases["child_id"]]),
            "Postcode": np.concatenate([moved["previous_postcode"], cases["home_postcode"]]),
            "from": np.concatenate([moved["previous_from"], cases["address_from"]]),
            "to": np.concatenate([moved["address_from"] - 1, np.full(len(cases), d.OPEN)]),
        }
    ).sort_values(["LAchildID", "from"], ignore_index=True)
    rows["AddressFrom"] = d.dmy(rows["from"].to_numpy())
    rows["AddressTo"] = d.dmy(rows["to"].to_numpy())
    return rows[list(ADDRESS_COLUMNS)].to_csv(index=False).encode("utf-8")


def case_extract_csv(spells: pd.DataFrame) -> bytes:
    """One row per spell (CIN episode, protection plan, period of care), NFA referrals left out."""
    table = pd.DataFrame(
        {
            "Child ID": spells["child_id"].to_numpy(),
            "Intervention": spells["intervention"].map(INTERVENTION_NAMES).to_numpy(),
            "Start date": d.dmy(spells["start"].to_numpy()),
            "End date": d.dmy(spells["end"].to_numpy()),
            "Postcode": spells["home_postcode"].to_numpy(),
            "Ethnicity": spells["ethnicity"].to_numpy(),
            "Gender": spells["sex"].map(GENDER_NAMES).to_numpy(),
            "DOB": d.dmy(spells["dob"].to_numpy()),
        }
    )
    return table[list(CASE_COLUMNS)].to_csv(index=False).encode("utf-8")


def counted_spells(cases: pd.DataFrame) -> pd.DataFrame:
    """The spells the demo holds: CIN episodes (NFA flagged), plans and periods of care."""
    shared = ["child_id", "dob", "sex", "ethnicity", "home", "home_postcode"]
    shared += ["home_lsoa11_code", "home_lsoa21_code"]
    parts = []
    for intervention, start, end in (
        ("CIN", "referral", "closure"),
        ("CPP", "cpp_start", "cpp_end"),
        ("CLA", "cla_start", "cla_end"),
    ):
        rows = cases[cases[start] >= 0]
        part = rows[shared].copy()
        part["intervention"] = intervention
        part["start"] = rows[start].to_numpy()
        part["end"] = rows[end].to_numpy()
        part["cin_nfa"] = rows["nfa"].to_numpy() & (intervention == "CIN")
        parts.append(part)
    spells = pd.concat(parts, ignore_index=True)
    order = np.lexsort((spells["start"].to_numpy(), spells["child_id"].to_numpy()))
    return spells.iloc[order].reset_index(drop=True)
