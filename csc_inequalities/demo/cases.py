"""Synthetic cases: one child each, a CIN episode, and the plan or period of care inside it.

Four streams of cases are drawn with spells starting over a run-in period before the first
reporting year, so the children open at each 31 March have realistic lengths of service:

- CLA: a period of care inside a CIN episode, often after a child protection plan;
- CPP: a plan inside a CIN episode that steps down to a CIN plan when the plan ends;
- short breaks: disabled children on a long CIN plan with V3/V4 short-break stays;
- CIN: every other referral (no further action, closed after assessment, or a CIN plan).

Each stream is thinned so that its children open at each 31 March are near that year's target
(exactly the target at the last one); the CIN stream makes up what the other streams' CIN
episodes leave of the CIN target.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.parameters import (
    CARE,
    DAYS_PER_YEAR,
    PROTECTION,
    REFERRALS,
    SHARE_HOME_OUTSIDE,
    SHARE_HOME_UNKNOWN,
)
from csc_inequalities.demo.timeline import Timeline

# Years before the first reporting year in which spells open during it may have started.
RUN_IN_YEARS = {"CLA": 16, "CPP": 2, "CIN": 3, "SB": 4}
PILOT_CASES = 4000
HEADROOM = 1.4
CALIBRATION_ROUNDS = 12
Generator = Callable[[np.random.Generator, int, tuple[int, int]], pd.DataFrame]


def draw_cases(rng: np.random.Generator, targets: pd.DataFrame, timeline: Timeline) -> pd.DataFrame:
    """All cases overlapping the reporting years, one row per child, dates as day numbers."""
    located = 1.0 - SHARE_HOME_OUTSIDE - SHARE_HOME_UNKNOWN
    goal = (targets / located).round().astype(np.int64)
    days = [d.day_number(day) for day in timeline.reference_dates]
    care = _calibrated(rng, _care_cases, goal["CLA"], timeline, "CLA")
    plans_before_care = np.array([_open_plans_at(care, day) for day in days])
    cpp_goal = (goal["CPP"] - plans_before_care).clip(lower=0)
    protection = _calibrated(rng, _protection_cases, cpp_goal, timeline, "CPP")
    breaks_wanted = round(goal["CLA"].iloc[-1] * CARE.short_break_children_per_100 / 100)
    breaks = _short_break_cases(rng, breaks_wanted, timeline)
    others_open = [
        sum(_open_cin_at(frame, day) for frame in (care, protection, breaks)) for day in days
    ]
    cin_goal = (goal["CIN"] - np.array(others_open)).clip(lower=0)
    need = _calibrated(rng, _need_cases, cin_goal, timeline, "CIN")
    cases = pd.concat([care, protection, breaks, need], ignore_index=True)
    cases = cases[_overlaps(cases, timeline)].reset_index(drop=True)
    return _close_after_extract(cases, days[-1])


def _calibrated(
    rng: np.random.Generator,
    generate: Generator,
    goal: pd.Series,
    timeline: Timeline,
    stream: str,
) -> pd.DataFrame:
    """Cases thinned so that the spells open at each 31 March meet that year's goal.

    Candidates start evenly over the run-in and the reporting years; each is kept with a
    probability set by the reporting year it starts in (the run-in shares the first year's),
    fitted by iterative proportional scaling, and the last 31 March is then met exactly.
    """
    span = _span(timeline, stream)
    goals = goal.to_numpy(dtype=float)
    if goals[-1] <= 0:
        return generate(rng, 0, span)
    days = [d.day_number(day) for day in timeline.reference_dates]
    pilot = generate(rng, PILOT_CASES, span)
    share_open = min(_counted_open(pilot, day).mean() for day in days)
    size = math.ceil(HEADROOM * goals.max() / max(share_open, 1.0 / PILOT_CASES)) + 20
    candidates = generate(rng, size, span)
    is_open = np.column_stack([_counted_open(candidates, day) for day in days])
    start_year = timeline.year_of(candidates["anchor_start"].to_numpy().astype("datetime64[D]"))
    weight = np.ones(len(days))
    for _ in range(CALIBRATION_ROUNDS):
        expected = (is_open * weight[start_year][:, None]).sum(axis=0)
        weight = np.clip(weight * goals / np.maximum(expected, 1.0), 0.0, 1.0)
    keep = rng.random(len(candidates)) < weight[start_year]
    keep = _meet_exactly(rng, keep, is_open[:, -1], int(goals[-1]))
    return candidates[keep].reset_index(drop=True)


def _meet_exactly(
    rng: np.random.Generator, keep: np.ndarray, is_open: np.ndarray, wanted: int
) -> np.ndarray:
    """Drop or add open cases at random so that exactly `wanted` are open on the last day."""
    kept_open = np.flatnonzero(keep & is_open)
    if len(kept_open) > wanted:
        keep[rng.choice(kept_open, size=len(kept_open) - wanted, replace=False)] = False
    else:
        spare = np.flatnonzero(~keep & is_open)
        extra = min(wanted - len(kept_open), len(spare))
        keep[rng.choice(spare, size=extra, replace=False)] = True
    return keep


def _span(timeline: Timeline, stream: str) -> tuple[int, int]:
    """Days on which a stream's spells may start: its run-in before the first year, to the end."""
    first = d.day_number(timeline.window_start) - round(RUN_IN_YEARS[stream] * DAYS_PER_YEAR)
    return int(first), int(d.day_number(timeline.extract_date))


def _counted_open(cases: pd.DataFrame, day: np.int64) -> np.ndarray:
    """Whether each case's counted spell is open on the day (started, not yet ended)."""
    return (
        (cases["anchor_start"].to_numpy() <= day)
        & (cases["anchor_end"].to_numpy() > day)
        & ~cases["nfa"].to_numpy()
    )


def _open_cin_at(cases: pd.DataFrame, day: np.int64) -> int:
    """CIN episodes open on the day (every case is one, except referrals with no further action)."""
    is_open = (cases["referral"] <= day) & (cases["closure"] > day) & ~cases["nfa"]
    return int(is_open.sum())


def _open_plans_at(cases: pd.DataFrame, day: np.int64) -> int:
    """Child protection plans open on the day (cases without a plan hold -1 as their start)."""
    is_open = (cases["cpp_start"] >= 0) & (cases["cpp_start"] <= day) & (cases["cpp_end"] > day)
    return int(is_open.sum())


def _overlaps(cases: pd.DataFrame, timeline: Timeline) -> np.ndarray:
    """Cases whose CIN episode was open at some point of the reporting years."""
    first = d.day_number(timeline.window_start)
    last = d.day_number(timeline.extract_date)
    return ((cases["referral"] <= last) & (cases["closure"] >= first)).to_numpy()


def _close_after_extract(cases: pd.DataFrame, last: np.int64) -> pd.DataFrame:
    """Ends after the extract date are not yet known: those spells are open."""
    for column in ("closure", "cpp_end", "cla_end"):
        cases[column] = cases[column].where(cases[column] <= last, d.OPEN)
    return cases


def _frame(stream: str, start: np.ndarray, dob: np.ndarray, **columns: np.ndarray) -> pd.DataFrame:
    """A block of cases with every column the streams share (absent spells as -1 / OPEN)."""
    n = len(start)
    frame = pd.DataFrame(
        {
            "stream": np.full(n, stream, dtype=object),
            "dob": dob,
            "nfa": np.zeros(n, dtype=bool),
            "outcome": np.full(n, "plan", dtype=object),
            "cpp_start": np.full(n, -1, dtype=np.int64),
            "cpp_end": np.full(n, -1, dtype=np.int64),
            "cla_start": np.full(n, -1, dtype=np.int64),
            "cla_end": np.full(n, -1, dtype=np.int64),
            "ended_at_18": np.zeros(n, dtype=bool),
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def _care_cases(rng: np.random.Generator, n: int, span: tuple[int, int]) -> pd.DataFrame:
    """Periods of care, each inside a CIN episode, some following a child protection plan."""
    start = d.uniform_days(rng, n, span)
    dob = start - d.ages_at_start(rng, n, "CLA")
    adult = d.eighteenth_birthday(dob)
    short = rng.random(n) < CARE.share_short
    length = np.where(
        short,
        d.exponential_days(rng, n, CARE.short_mean_years),
        d.exponential_days(rng, n, CARE.long_mean_years),
    )
    end = np.minimum(start + length, adult)
    plan_start = np.maximum(
        dob, start - d.gamma_days(rng, n, PROTECTION.plan_mean_years, PROTECTION.plan_shape)
    )
    after_plan = (rng.random(n) < CARE.share_after_plan) & (plan_start < start)
    referral = np.where(
        after_plan,
        plan_start - d.uniform_days(rng, n, PROTECTION.referral_to_plan_days),
        start - d.uniform_days(rng, n, CARE.referral_before_care_days),
    )
    return _frame(
        "CLA",
        start,
        dob,
        referral=np.maximum(referral, dob),
        closure=end,
        cpp_start=np.where(after_plan, plan_start, -1),
        cpp_end=np.where(after_plan, start, -1),
        cla_start=start,
        cla_end=end,
        ended_at_18=end == adult,
        anchor_start=start,
        anchor_end=end,
    )


def _protection_cases(rng: np.random.Generator, n: int, span: tuple[int, int]) -> pd.DataFrame:
    """Child protection plans inside CIN episodes that continue for a while after the plan."""
    start = d.uniform_days(rng, n, span)
    dob = start - d.ages_at_start(rng, n, "CPP")
    adult = d.eighteenth_birthday(dob)
    end = np.minimum(
        start + d.gamma_days(rng, n, PROTECTION.plan_mean_years, PROTECTION.plan_shape), adult
    )
    referral = np.maximum(dob, start - d.uniform_days(rng, n, PROTECTION.referral_to_plan_days))
    closure = np.minimum(end + d.uniform_days(rng, n, PROTECTION.step_down_days), adult)
    return _frame(
        "CPP",
        start,
        dob,
        referral=referral,
        closure=closure,
        cpp_start=start,
        cpp_end=end,
        anchor_start=start,
        anchor_end=end,
    )


def _need_cases(rng: np.random.Generator, n: int, span: tuple[int, int]) -> pd.DataFrame:
    """Referrals ending in no further action, closure after assessment, or a CIN plan."""
    start = d.uniform_days(rng, n, span)
    dob = start - d.ages_at_start(rng, n, "CIN")
    adult = d.eighteenth_birthday(dob)
    draw = rng.random(n)
    nfa = draw < REFERRALS.no_further_action
    assessed = ~nfa & (draw < REFERRALS.no_further_action + REFERRALS.closed_after_assessment)
    length = np.where(
        nfa,
        d.uniform_days(rng, n, REFERRALS.nfa_days),
        np.where(
            assessed,
            d.uniform_days(rng, n, REFERRALS.assessment_days),
            d.gamma_days(rng, n, REFERRALS.plan_mean_years, REFERRALS.plan_shape),
        ),
    )
    end = np.maximum(start, np.minimum(start + length, adult))
    outcome = np.where(nfa, "nfa", np.where(assessed, "assessment", "plan")).astype(object)
    return _frame(
        "CIN",
        start,
        dob,
        referral=start,
        closure=end,
        nfa=nfa,
        outcome=outcome,
        anchor_start=start,
        anchor_end=end,
    )


def _short_break_cases(rng: np.random.Generator, wanted: int, timeline: Timeline) -> pd.DataFrame:
    """Disabled children on a long CIN plan, whose short-break stays are added to the 903."""
    span = _span(timeline, "SB")
    n = 4 * wanted
    start = d.uniform_days(rng, n, span)
    youngest, oldest = CARE.short_break_ages
    ages = (round(youngest * DAYS_PER_YEAR), round(oldest * DAYS_PER_YEAR))
    dob = start - d.uniform_days(rng, n, ages)
    plan = d.exponential_days(rng, n, CARE.short_break_plan_mean_years)
    closure = np.minimum(start + plan, d.eighteenth_birthday(dob))
    cases = _frame(
        "SB", start, dob, referral=start, closure=closure, anchor_start=start, anchor_end=closure
    )
    cases = cases[_overlaps(cases, timeline)]
    return cases.head(wanted).reset_index(drop=True)
