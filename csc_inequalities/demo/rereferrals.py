"""Re-referrals: some CIN referrals are of a child already known from an earlier, closed episode.

The later case takes over the earlier child's identity (date of birth, sex, ethnicity, home and
address history), so one child can have several CIN episodes, and child counts differ from
episode counts as they do in DfE's statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.parameters import REREFERRALS

CHILD_COLUMNS = (
    "dob",
    "sex",
    "ethnicity",
    "home",
    "home_postcode",
    "home_lsoa11_code",
    "home_lsoa21_code",
    "address_from",
    "previous_postcode",
    "previous_from",
)
EARLIER_STREAMS = ("CIN", "CPP")
TRIES = 6


def first_case_of_child(
    rng: np.random.Generator, cases: pd.DataFrame, window_start: int, extract: int
) -> np.ndarray:
    """For each case, the row of the child's first case (its own row for a new child)."""
    owner = np.arange(len(cases))
    referral = cases["referral"].to_numpy()
    closure = cases["closure"].to_numpy()
    adult = d.eighteenth_birthday(cases["dob"].to_numpy())
    earlier = np.flatnonzero(cases["stream"].isin(EARLIER_STREAMS).to_numpy() & (closure < d.OPEN))
    earlier = earlier[np.argsort(closure[earlier], kind="stable")]
    closed_on = closure[earlier]
    later = np.flatnonzero(
        (cases["stream"].to_numpy() == "CIN")
        & (referral >= window_start)
        & (rng.random(len(cases)) < REREFERRALS.share)
    )
    taken = np.zeros(len(cases), dtype=bool)
    low_gap, high_gap = REREFERRALS.days_since_closure
    picks = rng.random((len(later), TRIES))
    for row, draws in zip(later, picks, strict=True):
        lo, hi = np.searchsorted(closed_on, [referral[row] - high_gap, referral[row] - low_gap])
        if hi <= lo:
            continue
        for draw in draws:
            candidate = earlier[lo + int(draw * (hi - lo))]
            young_enough = adult[candidate] > min(closure[row], extract)
            if not taken[candidate] and owner[candidate] == candidate and young_enough:
                owner[row] = candidate
                taken[candidate] = True
                taken[row] = True
                break
    return owner


def merge_children(cases: pd.DataFrame, owner: np.ndarray) -> pd.DataFrame:
    """Later cases take on their first case's child: identity, home and address history."""
    for column in CHILD_COLUMNS:
        cases[column] = cases[column].to_numpy()[owner]
    return cases
