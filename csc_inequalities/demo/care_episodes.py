"""SSDA903 episodes: each period of care split at placement and legal-status changes, plus the
V3/V4 short-break stays that readers must leave out of the looked after counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.area import AuthorityArea, spaced
from csc_inequalities.demo.parameters import (
    CARE,
    CATEGORY_OF_NEED,
    DAYS_PER_YEAR,
    FIRST_LEGAL_STATUS,
    LATER_LEGAL_STATUS,
    PLACEMENT_LOCATION,
    PLACEMENTS,
    PROVIDERS,
    REASON_CARE_ENDED,
    REASON_CARE_ENDED_AT_18,
    REASON_PLACE_CHANGE,
    SHORT_BREAK_PLACEMENTS,
)
from csc_inequalities.demo.timeline import Timeline
from csc_inequalities.records.ssda903 import EPISODE_COLUMNS

SHARE_MOVE_WITH_LEGAL_CHANGE = 0.1
PLACED_WITH_PARENTS = "P1"
CHILDRENS_HOME = "K2"
ADOPTED = "E11"
ADOPTED_BEFORE_AGE_DAYS = round(10 * DAYS_PER_YEAR)
RETURNED_HOME = "E4A"
ADOPTION_PLACEMENT = "A4"
URN_NOT_APPLICABLE = "XXXXXXX"
EPISODE_CEASED_NEW_BEGINS = "X1"
MIN_DAYS_PER_SHORT_BREAK = 8


def care_episodes(
    rng: np.random.Generator, cases: pd.DataFrame, area: AuthorityArea, timeline: Timeline
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """903 episodes of every period of care and short break; cases gain `care_end_reason`."""
    extract = int(d.day_number(timeline.extract_date))
    care = cases[cases["cla_start"] >= 0]
    periods = _periods(rng, care, extract)
    periods = _describe_placements(rng, periods, area)
    periods, reasons = _close_periods(rng, periods, care)
    cases["care_end_reason"] = cases["child_id"].map(reasons).fillna("")
    breaks = _short_breaks(rng, cases[cases["stream"] == "SB"], area, timeline)
    episodes = pd.concat([periods, breaks], ignore_index=True)
    episodes = episodes.sort_values(["CHILD", "DECOM"], ignore_index=True)
    return cases, episodes[list(EPISODE_COLUMNS)]


def _periods(rng: np.random.Generator, care: pd.DataFrame, extract: int) -> pd.DataFrame:
    """One row per episode: the start of care, then each placement or legal-status change."""
    start = care["cla_start"].to_numpy()
    known_end = np.minimum(care["cla_end"].to_numpy(), extract)
    years = (known_end - start) / DAYS_PER_YEAR
    moves = rng.poisson(CARE.placement_moves_per_year * years)
    legal = rng.poisson(CARE.legal_changes_per_year * years)
    kinds = np.concatenate(
        [
            np.full(len(start), "S", dtype=object),
            np.full(moves.sum(), "P", dtype=object),
            np.full(legal.sum(), "L", dtype=object),
        ]
    )
    owner = np.concatenate(
        [
            np.arange(len(start)),
            np.repeat(np.arange(len(start)), moves),
            np.repeat(np.arange(len(start)), legal),
        ]
    )
    length = np.maximum(known_end - start, 1)[owner]
    offset = np.where(kinds == "S", 0, 1 + np.floor(rng.random(len(owner)) * (length - 1)))
    episodes = pd.DataFrame(
        {"period": owner, "DECOM": start[owner] + offset.astype(np.int64), "RNE": kinds}
    )
    episodes = episodes[(episodes["RNE"] == "S") | (episodes["DECOM"] < known_end[owner])]
    episodes = episodes.sort_values(["period", "DECOM", "RNE"], ignore_index=True)
    episodes = episodes.drop_duplicates(["period", "DECOM"], keep="last", ignore_index=True)
    both = (episodes["RNE"] == "P") & (rng.random(len(episodes)) < SHARE_MOVE_WITH_LEGAL_CHANGE)
    episodes.loc[both, "RNE"] = "T"
    period_of = episodes["period"].to_numpy()
    episodes["CHILD"] = care["child_id"].to_numpy()[period_of]
    episodes["HOME_POST"] = care["home_postcode"].to_numpy()[period_of]
    episodes["CIN"] = d.pick(rng, CATEGORY_OF_NEED, len(care))[period_of]
    return _carry_legal_status(rng, episodes)


def _carry_legal_status(rng: np.random.Generator, episodes: pd.DataFrame) -> pd.DataFrame:
    """Legal status set at entry, changed at each legal change, carried through placement moves."""
    n = len(episodes)
    first = d.pick(rng, FIRST_LEGAL_STATUS, n)
    later = d.pick(rng, LATER_LEGAL_STATUS, n)
    rne = episodes["RNE"].to_numpy()
    status = np.empty(n, dtype=object)
    current = ""
    for row in range(n):
        if rne[row] == "S":
            current = first[row]
        elif rne[row] in ("L", "T"):
            current = later[row] if later[row] != current else _other_order(current)
        status[row] = current
    episodes["LS"] = status
    return episodes


def _other_order(status: str) -> str:
    """A different care order when the drawn legal status would repeat the current one."""
    return "C2" if status == "C1" else "C1"


def _describe_placements(
    rng: np.random.Generator, episodes: pd.DataFrame, area: AuthorityArea
) -> pd.DataFrame:
    """Placement type, provider, postcode and URN, new at each move, kept at legal changes."""
    n = len(episodes)
    place = d.pick(rng, PLACEMENTS, n)
    provider = np.where(place == PLACED_WITH_PARENTS, "PR0", d.pick(rng, PROVIDERS, n))
    where = d.pick(rng, PLACEMENT_LOCATION, n)
    postcode = np.empty(n, dtype=object)
    local = np.flatnonzero(where == "authority")
    drawn = area.draw_postcodes(rng, area.draw_lsoas(rng, len(local), "CIN"))["postcode"]
    postcode[local] = drawn.to_numpy(dtype=object)
    for scope, same_region in (("region", True), ("england", False)):
        rows = np.flatnonzero(where == scope)
        drawn = area.draw_postcodes_elsewhere(rng, len(rows), same_region)["postcode"]
        postcode[rows] = drawn.to_numpy(dtype=object)
    postcode = spaced(postcode)
    postcode = np.where(place == PLACED_WITH_PARENTS, episodes["HOME_POST"].to_numpy(), postcode)
    urn = _urns(rng, place)
    new_placement = np.isin(episodes["RNE"].to_numpy(), ["S", "P", "T"])
    for column, values in (
        ("PLACE", place),
        ("PLACE_PROVIDER", provider),
        ("PL_POST", postcode),
        ("URN", urn),
    ):
        # numpy's stubs refuse None as where's fill value, which numpy takes (an object array).
        series = pd.Series(np.where(new_placement, values, None))  # type: ignore[call-overload]
        episodes[column] = series.groupby(episodes["period"]).ffill().to_numpy()
    return episodes


def _close_periods(
    rng: np.random.Generator, episodes: pd.DataFrame, care: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """End dates and reasons: X1 between episodes, a reason for leaving care at the end."""
    period = episodes["period"].to_numpy()
    following = episodes.groupby("period")["DECOM"].shift(-1)
    last = following.isna().to_numpy()
    care_end = care["cla_end"].to_numpy()[period]
    episodes["DEC"] = np.where(last, care_end, following.fillna(0).to_numpy()).astype(np.int64)
    at_18 = care["ended_at_18"].to_numpy()[period]
    reason = np.where(
        at_18,
        d.pick(rng, REASON_CARE_ENDED_AT_18, len(episodes)),
        d.pick(rng, REASON_CARE_ENDED, len(episodes)),
    )
    age_at_end = care_end - care["dob"].to_numpy()[period]
    reason = np.where(
        (reason == ADOPTED) & (age_at_end >= ADOPTED_BEFORE_AGE_DAYS), RETURNED_HOME, reason
    )
    closed = care_end < d.OPEN
    episodes["REC"] = np.where(last, np.where(closed, reason, ""), EPISODE_CEASED_NEW_BEGINS)
    adopted = last & (episodes["REC"].to_numpy() == ADOPTED)
    episodes.loc[adopted, ["PLACE", "PLACE_PROVIDER", "URN"]] = [
        ADOPTION_PLACEMENT,
        "PR1",
        URN_NOT_APPLICABLE,
    ]
    moves_next = np.isin(episodes.groupby("period")["RNE"].shift(-1).to_numpy(), ["P", "T"])
    change_reason = d.pick(rng, REASON_PLACE_CHANGE, len(episodes))
    episodes["REASON_PLACE_CHANGE"] = np.where(moves_next, change_reason, "")
    ended = episodes[last & closed]
    return episodes, dict(zip(ended["CHILD"], ended["REC"], strict=True))


def _short_breaks(
    rng: np.random.Generator, children: pd.DataFrame, area: AuthorityArea, timeline: Timeline
) -> pd.DataFrame:
    """Series of short stays (V4, or V3 for a single stay) spread through each child's plan."""
    first = np.maximum(children["referral"].to_numpy(), d.day_number(timeline.window_start))
    last = np.minimum(children["closure"].to_numpy(), d.day_number(timeline.extract_date))
    span = np.maximum(last - first, 0)
    wanted = d.uniform_days(rng, len(children), CARE.short_break_stays)
    stays = np.clip(np.minimum(wanted, span // MIN_DAYS_PER_SHORT_BREAK), 0, None)
    owner = np.repeat(np.arange(len(children)), stays)
    slot_index = np.concatenate([np.arange(k) for k in stays]) if len(stays) else np.array([])
    slot = (span // np.maximum(stays, 1))[owner]
    nights = d.uniform_days(rng, len(owner), CARE.short_break_nights)
    begin = first[owner] + slot_index.astype(np.int64) * slot
    begin = begin + np.floor(rng.random(len(owner)) * np.maximum(slot - nights - 1, 1)).astype(
        np.int64
    )
    place = d.pick(rng, SHORT_BREAK_PLACEMENTS, len(owner))
    postcodes = area.draw_postcodes(rng, area.draw_lsoas(rng, len(owner), "CIN"))["postcode"]
    return pd.DataFrame(
        {
            "CHILD": children["child_id"].to_numpy()[owner],
            "DECOM": begin,
            "RNE": "S",
            "LS": np.where(stays[owner] > 1, "V4", "V3"),
            "CIN": "N2",
            "PLACE": place,
            "PLACE_PROVIDER": "PR1",
            "DEC": begin + nights,
            "REC": RETURNED_HOME,
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": children["home_postcode"].to_numpy()[owner],
            "PL_POST": spaced(postcodes.to_numpy(dtype=object)),
            "URN": _urns(rng, place),
        }
    )


def _urns(rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
    """Ofsted-style reference numbers for children's homes; XXXXXXX where none applies."""
    numbers = rng.integers(100_000, 1_000_000, size=len(place)).astype(str)
    return np.where(place == CHILDRENS_HOME, np.char.add("SC", numbers), URN_NOT_APPLICABLE)
