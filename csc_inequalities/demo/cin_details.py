"""What the CIN census records about each episode: source, need, assessment (with its factors),
section 47 enquiries and conferences, plans and closure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.parameters import (
    ASSESSMENT_FACTORS,
    CATEGORY_OF_ABUSE,
    ENQUIRIES,
    PRIMARY_NEED,
    PROTECTION,
    REFERRAL_SOURCES,
)

ASSESSMENT_START_DAYS = (0, 5)
ASSESSMENT_LENGTH_DAYS = (10, 45)
SECTION47_AFTER_REFERRAL_DAYS = (0, 7)
PLAN_REVIEW_FIRST_DAYS = 90
PLAN_REVIEW_EVERY_DAYS = 182
CLOSURE_REASON_OF_CARE_END = {"E11": "RC1", "E45": "RC4", "E41": "RC3"}


def add_cin_details(rng: np.random.Generator, cases: pd.DataFrame, extract: int) -> pd.DataFrame:
    """Census fields for every case, drawn so that dates follow each other as they must."""
    n = len(cases)
    referral = cases["referral"].to_numpy()
    closure = cases["closure"].to_numpy()
    stream = cases["stream"].to_numpy()
    nfa = cases["nfa"].to_numpy()
    cases["referral_source"] = d.pick(rng, REFERRAL_SOURCES, n)
    need = d.pick(rng, PRIMARY_NEED, n)
    need = np.where(stream == "SB", "N2", need)
    need = np.where(cases["outcome"].to_numpy() == "assessment", "N9", need)
    cases["primary_need"] = np.where(nfa, "", need)
    assessed_from = referral + d.uniform_days(rng, n, ASSESSMENT_START_DAYS)
    assessed_to = np.minimum(
        assessed_from + d.uniform_days(rng, n, ASSESSMENT_LENGTH_DAYS), closure
    )
    last_known = np.minimum(closure, extract)
    has_assessment = ~nfa & (assessed_from <= last_known)
    assessed_from = np.minimum(assessed_from, last_known)
    cases["assessment_start"] = np.where(has_assessment, assessed_from, -1)
    cases["assessment_end"] = np.where(
        has_assessment & (assessed_to <= last_known), assessed_to, -1
    )
    cases = _add_plans(cases, stream, assessed_to, last_known)
    cases = _add_protection(rng, cases, referral)
    cases["closure_reason"] = _closure_reasons(cases)
    cases = _add_enquiries(rng, cases, last_known)
    cases["assessment_factors"] = _factors(rng, cases, extract)
    return cases


def _add_enquiries(
    rng: np.random.Generator, cases: pd.DataFrame, last_known: np.ndarray
) -> pd.DataFrame:
    """Section 47 enquiries that lead to no plan, some with a conference, in assessed CIN cases.

    Drawn in proportion to the plans (ENQUIRIES), from episodes of the CIN stream, so they
    carry that stream's gradient by deprivation; each starts during the assessment.
    """
    plans = int((cases["cpp_start"].to_numpy() >= 0).sum())
    start = cases["assessment_start"].to_numpy()
    eligible = np.flatnonzero((cases["stream"].to_numpy() == "CIN") & (start >= 0))
    wanted = min(len(eligible), round(plans * (ENQUIRIES.enquiries_per_plan - 1)))
    chosen = rng.choice(eligible, size=wanted, replace=False)
    enquiry = np.minimum(
        start[chosen] + d.uniform_days(rng, wanted, ENQUIRIES.after_assessment_start_days),
        last_known[chosen],
    )
    conference = enquiry + d.uniform_days(rng, wanted, ENQUIRIES.conference_after_enquiry_days)
    conferences = round(plans * (ENQUIRIES.conferences_per_plan - 1))
    held = (np.arange(wanted) < conferences) & (conference <= last_known[chosen])
    has_plan = cases["cpp_start"].to_numpy() >= 0
    cases["s47_conference"] = np.where(has_plan, cases["cpp_start"].to_numpy(), -1)
    cases["s47_not_required"] = False
    s47 = cases["s47_start"].to_numpy().copy()
    s47[chosen] = enquiry
    cases["s47_start"] = s47
    cases.loc[chosen, "s47_conference"] = np.where(held, conference, -1)
    cases.loc[chosen, "s47_not_required"] = ~held
    return cases


def _factors(rng: np.random.Generator, cases: pd.DataFrame, extract: int) -> np.ndarray:
    """Factors of each assessment authorised in the last reporting year, ';'-joined ('' if none).

    Only the last year's: a census holds its own year's assessments, and the demo's file for
    the largest authority must stay under the upload limit.
    """
    year = int(np.datetime64(int(extract), "D").astype("datetime64[Y]").astype(int)) + 1970
    first_day = d.day_number(np.datetime64(f"{year - 1}-04-01"))
    authorised = cases["assessment_end"].to_numpy()
    recent = np.flatnonzero((authorised >= first_day) & (authorised <= extract))
    codes = np.array(list(ASSESSMENT_FACTORS), dtype=object)
    drawn = rng.random((len(recent), len(codes))) < np.array(list(ASSESSMENT_FACTORS.values()))
    joined = np.array([";".join(codes[row]) or "21" for row in drawn], dtype=object)
    factors = np.full(len(cases), "", dtype=object)
    factors[recent] = joined
    return factors


def _add_plans(
    cases: pd.DataFrame, stream: np.ndarray, assessed_to: np.ndarray, last_known: np.ndarray
) -> pd.DataFrame:
    """CIN plans: after assessment for CIN plans and short breaks, after the CPP for step-downs."""
    is_plan = (cases["outcome"].to_numpy() == "plan") & np.isin(stream, ["CIN", "SB"])
    plan_start = np.where(is_plan & (assessed_to <= last_known), assessed_to, -1)
    cpp_end = cases["cpp_end"].to_numpy()
    step_down = (stream == "CPP") & (cpp_end < cases["closure"].to_numpy()) & (cpp_end < d.OPEN)
    cases["cin_plan_start"] = np.where(step_down, cpp_end, plan_start)
    return cases


def _add_protection(
    rng: np.random.Generator, cases: pd.DataFrame, referral: np.ndarray
) -> pd.DataFrame:
    """Section 47 enquiry before each plan, categories of abuse, earlier plans and reviews."""
    n = len(cases)
    cpp_start = cases["cpp_start"].to_numpy()
    has_plan = cpp_start >= 0
    s47 = np.minimum(referral + d.uniform_days(rng, n, SECTION47_AFTER_REFERRAL_DAYS), cpp_start)
    cases["s47_start"] = np.where(has_plan, s47, -1)
    initial = d.pick(rng, CATEGORY_OF_ABUSE, n)
    cases["abuse_initial"] = initial
    cases["abuse_latest"] = np.where(
        rng.random(n) < PROTECTION.share_category_unchanged,
        initial,
        d.pick(rng, CATEGORY_OF_ABUSE, n),
    )
    earlier = rng.random(n) < PROTECTION.share_previous_plan
    cases["previous_plans"] = np.where(earlier, rng.integers(1, 3, size=n), 0)
    return cases


def plan_reviews(start: int, end: int, extract: int) -> list[int]:
    """Review conference days: three months after the plan starts, then every six months."""
    last = min(end, extract)
    first = start + PLAN_REVIEW_FIRST_DAYS
    return list(range(first, last, PLAN_REVIEW_EVERY_DAYS))


def _closure_reasons(cases: pd.DataFrame) -> np.ndarray:
    """Why each closed episode closed (RC8 for assessments and NFA, RC1/3/4 for permanence)."""
    closed = cases["closure"].to_numpy() < d.OPEN
    assessed = np.isin(cases["outcome"].to_numpy(), ["nfa", "assessment"])
    reason = np.where(assessed, "RC8", "RC7").astype(object)
    reason = np.where(cases["ended_at_18"].to_numpy(), "RC6", reason)
    mapped = cases["care_end_reason"].map(CLOSURE_REASON_OF_CARE_END).to_numpy(dtype=object)
    reason = np.where(pd.notna(mapped), mapped, reason)
    return np.where(closed, reason, "")
