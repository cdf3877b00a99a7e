"""Plain-language readings of the decision cascade: where the gap widens, conversions, groups."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pandas as pd

from csc_inequalities.results.ethnicity import GROUP_NAMES, MAJOR_GROUPS

PER_100 = {
    "s47_per_referral": "section 47 enquiries per 100 referrals",
    "icpc_per_s47": "conferences per 100 section 47 enquiries",
    "plan_per_icpc": "plans per 100 conferences",
    "care_per_plan": "care starts per 100 plans started",
}


def _known(value: Any) -> bool:
    """A number that is there (not None or NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _ends(locality: str, la_name: str) -> str:
    """How to name the most and least deprived fifths."""
    if locality == "local":
        return f"the most and least deprived fifths of {la_name}'s neighbourhoods"
    return "neighbourhoods in England's most and least deprived fifths"


def gap_sentence(gaps: pd.DataFrame, path: tuple[str, ...], steps: dict, where: str) -> str:
    """How many times the most deprived fifth's rate is the least's, first to last decision."""
    by_stage = {row["stage"]: row for row in gaps.to_dict("records")}
    known = [
        (stage, by_stage[stage])
        for stage in path
        if stage in by_stage and _known(by_stage[stage]["ratio"]) and by_stage[stage]["ratio"] > 0
    ]
    if not known:
        return (
            f"No decision was counted in both {where}, so the gap between them cannot be "
            "given at any stage."
        )
    names = [steps[stage] for stage, _ in known]
    first, last = known[0][1], known[-1][1]
    opening = f"The gap between {where} is {first['ratio']:.1f} times at {names[0]}"
    if len(known) == 1:
        return (
            f"{opening} (95% interval {first['lower_95ci']:.1f} to {first['upper_95ci']:.1f}); "
            "no other decision was counted in both fifths."
        )
    changes = [b["ratio"] / a["ratio"] for (_, a), (_, b) in zip(known, known[1:], strict=False)]
    if max(changes) > 1:
        step = changes.index(max(changes))
        trend = f"it widens most between {names[step]} and {names[step + 1]}"
    else:
        step = changes.index(min(changes))
        trend = f"it narrows at every step, most between {names[step]} and {names[step + 1]}"
    sentence = f"{opening} and {last['ratio']:.1f} times at {names[-1]}: {trend}"
    overlap = (
        _known(first["lower_95ci"])
        and _known(last["lower_95ci"])
        and first["lower_95ci"] <= last["upper_95ci"]
        and last["lower_95ci"] <= first["upper_95ci"]
    )
    if overlap:
        return (
            f"{sentence}. The 95% intervals at {names[0]} and {names[-1]} overlap, so the "
            "change may be chance."
        )
    return f"{sentence}, beyond the play of chance in the 95% intervals."


def conversion_sentences(conversions: pd.DataFrame) -> dict[str, str]:
    """Each conversion in the most and least deprived fifths, per 100, with Wilson intervals.

    A conversion that one end cannot give (nothing counted at the earlier decision, or more
    at the later) has no sentence; when none can be given, one sentence says so.
    """
    by_conversion: dict[str, list[dict]] = {}
    for row in conversions.to_dict("records"):
        if row["group"] > 0:
            by_conversion.setdefault(row["conversion"], []).append(row)
    sentences = {}
    for key, rows in by_conversion.items():
        most, least = rows[0], rows[-1]
        if not (_known(most["lower_95ci"]) and _known(least["lower_95ci"])):
            continue
        sentence = (
            f"There were {most['proportion'] * 100:.0f} {PER_100[key]} in the most deprived "
            f"fifth (95% interval {most['lower_95ci'] * 100:.0f} to "
            f"{most['upper_95ci'] * 100:.0f}) and {least['proportion'] * 100:.0f} in the least "
            f"deprived fifth ({least['lower_95ci'] * 100:.0f} to {least['upper_95ci'] * 100:.0f})"
        )
        overlap = (
            most["lower_95ci"] <= least["upper_95ci"] and least["lower_95ci"] <= most["upper_95ci"]
        )
        sentences[key] = f"{sentence}{'; the intervals overlap' if overlap else ''}."
    if by_conversion and not sentences:
        sentences["conversions"] = (
            "No conversion can be compared between the most and least deprived fifths: one of "
            "them counted none of an earlier decision, or more of a later one."
        )
    return sentences


def ethnicity_sentences(by_group: pd.DataFrame, path: tuple[str, ...], steps: dict) -> dict:
    """Each group's rate against White children's at the first and last decision counted."""
    if by_group.empty:
        return {}
    cells = {
        (row["ethnic_group"], row["stage"]): row
        for row in by_group[["ethnic_group", "stage", "count", "ratio_to_white"]].to_dict("records")
    }
    sentences = {}
    for group in MAJOR_GROUPS[1:]:
        known = [
            (stage, cells[(group, stage)]["ratio_to_white"])
            for stage in path
            if (group, stage) in cells
            and cells[(group, stage)]["count"] > 0
            and _known(cells[(group, stage)]["ratio_to_white"])
        ]
        if len(known) < 2:
            continue
        (first, low), (last, high) = known[0], known[-1]
        sentences[group] = (
            f"{GROUP_NAMES[group]} children's rate was {low:.1f} times White children's at "
            f"{steps[first]} and {high:.1f} times at {steps[last]} (Census 2021 "
            "denominators; see methods)."
        )
    return sentences


def enquiry_sentence(year_events: pd.DataFrame) -> str:
    """How many section 47 enquiries were recorded as needing no initial conference."""
    if year_events.empty:
        return ""
    enquiries = year_events[year_events["stage"] == "s47"]
    if enquiries.empty:
        return ""
    return (
        f"Of the {len(enquiries):,} section 47 enquiries started in the year, "
        f"{int(enquiries['icpc_not_required'].sum()):,} were recorded as needing no initial "
        "child protection conference."
    )


def with_sentences(
    cascade: Any, year_events: pd.DataFrame, path: tuple[str, ...], steps: dict[str, str]
) -> Any:
    """The cascade with its sentences: the gap, the conversions, the enquiries.

    The sentences on ethnic groups come with the tables by ethnic group (Cascade).
    """
    where = _ends(cascade.deciles, cascade.la_name)
    sentences = {"gap": gap_sentence(cascade.gaps, path, steps, where)}
    children = cascade.by_quintile["children"].to_numpy()[:5]
    if len(children) == 5 and not (children[0] > 0 and children[-1] > 0):
        end = "most" if children[0] <= 0 else "least"
        sentences["gap"] = (
            f"{cascade.la_name} has no neighbourhoods in England's {end} deprived fifth, so no "
            "gap between England's most and least deprived fifths can be given; local "
            "deciles compare the authority's own most and least deprived neighbourhoods."
        )
    sentences |= conversion_sentences(cascade.conversions)
    if enquiries := enquiry_sentence(year_events):
        sentences["enquiries"] = enquiries
    if not cascade.stages:
        sentences = {"gap": "No decisions could be counted from these records (see the notes)."}
    return replace(cascade, sentences=sentences)
