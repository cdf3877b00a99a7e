"""Who each synthetic child is: id, sex, ethnicity and where they live (now and before)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.area import AuthorityArea, spaced
from csc_inequalities.demo.parameters import (
    DAYS_PER_YEAR,
    ETHNIC_RELATIVE_RATE,
    POSTCODE_NOT_KNOWN,
    SHARE_ETHNICITY_NOT_KNOWN,
    SHARE_HOME_OUTSIDE,
    SHARE_HOME_UNKNOWN,
    SHARE_MALE,
    SHARE_MOVED_BEFORE_REFERRAL,
    SHARE_UNKNOWN_LEFT_BLANK,
)
from csc_inequalities.demo.rereferrals import first_case_of_child, merge_children
from csc_inequalities.demo.timeline import Timeline

ID_PREFIX = "DEMO"
STREAM_INTERVENTION = {"CLA": "CLA", "CPP": "CPP", "CIN": "CIN", "SB": "CIN"}
ADDRESS_YEARS_BEFORE_REFERRAL = 6
MOVE_DAYS_BEFORE_REFERRAL = (30, 700)


def describe_children(
    rng: np.random.Generator, cases: pd.DataFrame, area: AuthorityArea, timeline: Timeline
) -> pd.DataFrame:
    """Cases with a child id, sex, ethnicity, home postcode and address history added."""
    cases = cases.sort_values(["referral", "dob"], kind="stable", ignore_index=True)
    intervention = cases["stream"].map(STREAM_INTERVENTION).to_numpy()
    lsoa_rows = np.zeros(len(cases), dtype=np.int64)
    groups = np.empty(len(cases), dtype=object)
    sex = np.empty(len(cases), dtype=object)
    for kind in ("CIN", "CPP", "CLA"):
        rows = np.flatnonzero(intervention == kind)
        lsoa_rows[rows] = area.draw_lsoas(rng, len(rows), kind)
        groups[rows] = area.draw_groups(rng, lsoa_rows[rows], ETHNIC_RELATIVE_RATE[kind])
        sex[rows] = np.where(rng.random(len(rows)) < SHARE_MALE[kind], "M", "F")
    cases["sex"] = sex
    cases["ethnicity"] = _with_not_known(rng, area.draw_codes(rng, groups))
    cases = _add_home(rng, cases, area, lsoa_rows)
    cases = _add_address_history(rng, cases, area)
    window_start = int(d.day_number(timeline.window_start))
    extract = int(d.day_number(timeline.extract_date))
    owner = first_case_of_child(rng, cases, window_start, extract)
    cases = merge_children(cases, owner)
    numbers = pd.factorize(owner)[0] + 1
    cases["child_id"] = [f"{ID_PREFIX}{number:06d}" for number in numbers]
    return cases


def _with_not_known(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    """A small share recorded as refused or not yet obtained, as in real returns."""
    draw = rng.random(len(codes))
    threshold = 0.0
    for code, share in SHARE_ETHNICITY_NOT_KNOWN.items():
        codes = np.where((draw >= threshold) & (draw < threshold + share), code, codes)
        threshold += share
    return codes


def _add_home(
    rng: np.random.Generator, cases: pd.DataFrame, area: AuthorityArea, lsoa_rows: np.ndarray
) -> pd.DataFrame:
    """Home postcode: in the authority, outside it (a few), or not known (a few)."""
    draw = rng.random(len(cases))
    home = np.where(
        draw < SHARE_HOME_OUTSIDE,
        "outside",
        np.where(draw < SHARE_HOME_OUTSIDE + SHARE_HOME_UNKNOWN, "unknown", "inside"),
    )
    inside = area.draw_postcodes(rng, lsoa_rows)
    outside_rows = np.flatnonzero(home == "outside")
    outside = area.draw_postcodes_elsewhere(rng, len(outside_rows), same_region=True)
    for column in ("postcode", "lsoa11_code", "lsoa21_code"):
        values = inside[column].to_numpy(dtype=object).copy()
        values[outside_rows] = outside[column].to_numpy(dtype=object)
        cases[f"home_{column}"] = values
    unknown = home == "unknown"
    blank = unknown & (rng.random(len(cases)) < SHARE_UNKNOWN_LEFT_BLANK)
    cases["home_postcode"] = np.where(
        blank, "", np.where(unknown, POSTCODE_NOT_KNOWN, spaced(cases["home_postcode"]))
    )
    cases.loc[unknown, ["home_lsoa11_code", "home_lsoa21_code"]] = None
    cases["home"] = home
    return cases


def _add_address_history(
    rng: np.random.Generator, cases: pd.DataFrame, area: AuthorityArea
) -> pd.DataFrame:
    """Since when the child lived at home; some moved there from elsewhere in the authority."""
    n = len(cases)
    referral = cases["referral"].to_numpy()
    dob = cases["dob"].to_numpy()
    run = round(ADDRESS_YEARS_BEFORE_REFERRAL * DAYS_PER_YEAR)
    settled = np.maximum(dob, referral - d.uniform_days(rng, n, (0, run)))
    moved_on = referral - d.uniform_days(rng, n, MOVE_DAYS_BEFORE_REFERRAL)
    moved = (
        (rng.random(n) < SHARE_MOVED_BEFORE_REFERRAL)
        & (moved_on > dob + 1)
        & (cases["home"].to_numpy() == "inside")
    )
    cases["address_from"] = np.where(moved, moved_on, settled)
    previous = area.draw_postcodes(rng, area.draw_lsoas(rng, n, "CIN"))
    cases["previous_postcode"] = np.where(moved, spaced(previous["postcode"]), "")
    cases["previous_from"] = np.where(moved, np.maximum(dob, moved_on - run), -1)
    return cases
