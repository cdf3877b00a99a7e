"""The SSDA903 Header and Episodes tables of the 2025/26 return, as CSV bytes.

CSV headers must be exactly DfE's, so the synthetic label lives in the child ids (DEMO...)
and the synthetic UPNs (establishment 9999), not in the files' first lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo.care_episodes import EPISODE_COLUMNS
from csc_inequalities.demo.days import dmy

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
UPN_CHECK_LETTER = "Z"
UPN_ESTABLISHMENT = "9999"
UPN_SERIAL_DIGITS = 5
UPN_NOT_YET_ASSIGNED = "UN1"
SCHOOL_AGE_DAYS = round(5 * 365.25)
MOTHER_RECORDED_FROM_AGE_DAYS = round(12 * 365.25)


def header_csv(
    children: pd.DataFrame, episodes: pd.DataFrame, la_number: int, extract: int
) -> bytes:
    """One Header row per child with an episode, in the return's column order."""
    mine = children[children["child_id"].isin(episodes["CHILD"])]
    mine = mine.drop_duplicates("child_id").sort_values("child_id")
    dob = mine["dob"].to_numpy()
    age = extract - dob
    serial = np.arange(1, len(mine) + 1) % 10**UPN_SERIAL_DIGITS
    upn = [
        f"{UPN_CHECK_LETTER}{la_number:03d}{UPN_ESTABLISHMENT}{number:0{UPN_SERIAL_DIGITS}d}"
        for number in serial
    ]
    is_female = mine["sex"].to_numpy() == "F"
    table = pd.DataFrame(
        {
            "CHILD": mine["child_id"].to_numpy(),
            "SEX": mine["sex"].to_numpy(),
            "DOB": dmy(dob),
            "ETHNIC": mine["ethnicity"].to_numpy(),
            "UPN": np.where(age < SCHOOL_AGE_DAYS, UPN_NOT_YET_ASSIGNED, upn),
            "MOTHER": np.where(is_female & (age >= MOTHER_RECORDED_FROM_AGE_DAYS), "0", ""),
            "MC_DOB": "",
        }
    )
    return _csv(table[list(HEADER_COLUMNS)])


def episodes_csv(episodes: pd.DataFrame) -> bytes:
    """Every episode, dates as DD/MM/YYYY, open episodes with DEC and REC blank."""
    table = episodes.copy()
    table["DECOM"] = dmy(table["DECOM"].to_numpy())
    table["DEC"] = dmy(table["DEC"].to_numpy())
    return _csv(table[list(EPISODE_COLUMNS)])


def _csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV with no index, as the return is uploaded."""
    return table.to_csv(index=False).encode("utf-8")
