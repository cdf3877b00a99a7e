"""Plain-language readings of every result, honest about undefined ratios and wide intervals."""

from __future__ import annotations

import math

import pandas as pd

from csc_inequalities.results.ethnicity import GROUP_NAMES, MAJOR_GROUPS
from csc_inequalities.results.gradient import OverallRate
from csc_inequalities.results.measures import Measure
from csc_inequalities.stats.inequality import Excess, Ratio, Share, SlopeIndex

_PART = {5: "fifth", 10: "tenth"}


def _number(value: float) -> str:
    """A count for prose: whole numbers with thousands separators."""
    return f"{value:,.0f}"


def _rate(value: float) -> str:
    """A rate per 10,000 for prose."""
    return f"{value:,.1f}"


def _ends(la_name: str, locality: str, part: str) -> tuple[str, str]:
    """How to name the most and least deprived groups, for national or local groups."""
    if locality == "local":
        return (
            f"the most deprived {part} of {la_name}'s neighbourhoods",
            f"the least deprived {part}",
        )
    return (
        f"{la_name}'s neighbourhoods in England's most deprived {part}",
        f"England's least deprived {part}",
    )


def _times(ratio: float) -> str:
    """'3.2 times as likely', or 'about as likely' when the ratio rounds to 1."""
    if round(ratio, 1) == 1.0:
        return "about as likely"
    if ratio < 1:
        return f"less likely (a rate {ratio:.1f} times as high)"
    return f"{ratio:.1f} times as likely"


def ratio_sentence(
    table: pd.DataFrame, ratio: Ratio, measure: Measure, la_name: str, locality: str
) -> str:
    """Most against least deprived group, e.g. '... were 5.8 times as likely to be ...'."""
    part = _PART[len(table)]
    first, last = table.iloc[0], table.iloc[-1]
    noun = measure.noun()
    if first["children"] <= 0 or last["children"] <= 0:
        end = "most" if first["children"] <= 0 else "least"
        return (
            f"{la_name} has no neighbourhoods in England's {end} deprived {part}, so no "
            f"ratio between England's most and least deprived {part}s can be given; local "
            f"{'deciles' if part == 'tenth' else 'quintiles'} compare the authority's own most "
            "and least deprived neighbourhoods."
        )
    if first["count"] <= 0 and last["count"] <= 0:
        return (
            f"No {noun} were counted in either the most or the least deprived {part}, "
            "so no ratio can be given."
        )
    if last["count"] <= 0:
        return (
            f"No {noun} were counted in the least deprived {part}, so the ratio is undefined; "
            f"the most deprived {part} had a rate of {_rate(first['rate_per_10000'])} "
            "per 10,000 children."
        )
    if first["count"] <= 0:
        return (
            f"No {noun} were counted in the most deprived {part}, against a rate of "
            f"{_rate(last['rate_per_10000'])} per 10,000 children in the least deprived {part}."
        )
    if ratio.ratio is None or ratio.lower is None or ratio.upper is None:
        return f"No ratio can be given: {ratio.reason or 'it could not be computed'}."
    most, least = _ends(la_name, locality, part)
    sentence = (
        f"Children in {most} were {_times(ratio.ratio)} {measure.likely_to()} as those in {least}"
    )
    interval = f"95% interval {ratio.lower:.1f} to {ratio.upper:.1f}"
    if ratio.lower <= 1 <= ratio.upper:
        return f"{sentence} ({interval}, which includes no difference)."
    return f"{sentence} ({interval})."


def slope_sentence(slope: SlopeIndex, word: str) -> str:
    """The SII as a gap between the two ends of the fitted line."""
    if slope.sii is None or slope.sii_lower is None or slope.sii_upper is None:
        return f"No slope index of inequality is given: {slope.reason}."
    direction = "higher" if slope.sii < 0 else "lower"
    sentence = (
        f"Across all {word}s, the fitted rate is {_rate(abs(slope.sii))} per 10,000 {direction} "
        "at the most deprived end than at the least deprived end (slope index of inequality "
        f"{slope.sii:.1f}, 95% interval {slope.sii_lower:.1f} to {slope.sii_upper:.1f}; "
        "negative when rates rise with deprivation, as in PHE Fingertips)"
    )
    if slope.sii_lower <= 0 <= slope.sii_upper:
        return f"{sentence}; the interval includes no gradient."
    return f"{sentence}."


def relative_sentence(slope: SlopeIndex) -> str:
    """The RII as how many times the fitted rate at the most deprived end is the least."""
    if slope.rii is None:
        reason = slope.reason or "it could not be computed"
        return f"No relative index of inequality is given: {reason}."
    if slope.rii <= 0:
        return (
            "The fitted line falls to zero before the least deprived end, so the relative "
            f"index of inequality ({slope.rii:.2f}) has no plain reading."
        )
    return (
        f"The fitted rate at the most deprived end is {1 / slope.rii:.1f} times that at the "
        f"least deprived end (relative index of inequality {slope.rii:.2f}, 95% interval "
        f"{slope.rii_lower:.2f} to {slope.rii_upper:.2f}; below 1 when rates rise with "
        "deprivation, as in PHE Fingertips)."
    )


def share_sentence(share: Share, measure: Measure, la_name: str, locality: str) -> str:
    """Share of counted children in the most deprived fifth, beside its share of all children."""
    where = (
        f"the most deprived fifth of {la_name}'s neighbourhoods"
        if locality == "local"
        else "neighbourhoods in England's most deprived fifth"
    )
    if share.share_of_count is None:
        return f"No {measure.noun()} were counted, so no share can be given."
    children = (
        f", where {share.share_of_children:.0%} of {la_name}'s children live"
        if share.share_of_children is not None
        else ""
    )
    if share.share_of_count == 0:
        return f"None of the {measure.noun()} counted were in {where}{children}."
    total = share.count / share.share_of_count
    return (
        f"{share.share_of_count:.0%} of the {_number(total)} {measure.noun()} were in "
        f"{where}{children}."
    )


def excess_sentence(excess: Excess, measure: Measure, la_name: str) -> str:
    """The count above what the least deprived fifth's rate would give."""
    if excess.excess is None or excess.expected is None:
        return f"No excess can be estimated: {excess.reason}."
    sentence = (
        f"If every child in {la_name} had the rate of the least deprived fifth, there would "
        f"have been about {_number(excess.expected)} {measure.noun()} rather than "
        f"{_number(excess.observed)}: {_number(excess.excess)} above that rate"
    )
    if excess.reason:
        return f"{sentence} ({excess.reason})."
    return f"{sentence}."


def overall_sentence(overall: OverallRate, measure: Measure, la_name: str) -> str:
    """The authority's count and rate."""
    if math.isnan(overall.rate_per_10000):
        return f"No {measure.who.people()} are recorded for {la_name}'s neighbourhoods."
    return (
        f"{la_name} had {_number(overall.count)} {measure.noun()} {measure.when()}, a rate of "
        f"{_rate(overall.rate_per_10000)} per 10,000 {measure.who.people()} (95% interval "
        f"{_rate(overall.lower_95ci)} to {_rate(overall.upper_95ci)})."
    )


def ethnicity_sentences(table: pd.DataFrame, measure: Measure) -> dict[str, str]:
    """One sentence per major group other than White, comparing its rate with White children's."""
    rows = _rows_by(
        table, ("ethnic_group",), ("children", "count", "ratio_to_white", "rate_per_10000")
    )
    white = rows["White"]
    sentences = {}
    for group in MAJOR_GROUPS[1:]:
        row = rows[group]
        name = GROUP_NAMES[group]
        if not row["children"] > 0:
            sentences[group] = f"No {name} children are estimated to live in the authority."
        elif not white["count"] > 0:
            sentences[group] = "No White children were counted, so no ratio to White is given."
        elif math.isnan(row["ratio_to_white"]):
            sentences[group] = f"No rate ratio is given for {name} children."
        else:
            sentences[group] = (
                f"{name} children were {_times(row['ratio_to_white'])} {measure.likely_to()} "
                f"as White children ({_rate(row['rate_per_10000'])} against "
                f"{_rate(white['rate_per_10000'])} per 10,000)."
            )
    return sentences


def ethnicity_deprivation_sentence(table: pd.DataFrame, measure: Measure) -> str:
    """Whether the gradient holds within each ethnic group: most against least deprived fifth."""
    rows = _rows_by(table, ("quintile", "ethnic_group"), ("count", "rate_per_10000"))
    steeper, flatter, unknown = [], [], []
    for group in MAJOR_GROUPS:
        most, least = rows[(1, group)], rows[(5, group)]
        if not (most["count"] > 0 and least["count"] > 0):
            unknown.append(GROUP_NAMES[group])
        elif most["rate_per_10000"] > least["rate_per_10000"]:
            steeper.append(GROUP_NAMES[group])
        else:
            flatter.append(GROUP_NAMES[group])
    parts = []
    if steeper:
        parts.append(
            f"Rates were higher in England's most deprived fifth than in its least deprived "
            f"fifth for {_listed(steeper)} children"
        )
    if flatter:
        parts.append(f"not higher for {_listed(flatter)} children")
    if not parts:
        sentence = (
            f"There were too few {measure.noun()} in England's most and least deprived fifths "
            "to compare them for any ethnic group"
        )
    elif unknown:
        parts.append(
            f"too few {measure.noun()} to compare the ends for {_listed(unknown)} children"
        )
        sentence = "; ".join(parts)
    else:
        sentence = "; ".join(parts)
    return f"{sentence[0].upper()}{sentence[1:]} (denominators estimated; see methods)."


def _rows_by(table: pd.DataFrame, keys: tuple[str, ...], columns: tuple[str, ...]) -> dict:
    """Rows as plain dicts of the named columns, by their key (a tuple for several keys).

    A sentence reads a few cells; pandas' row lookups cost more than the rest of the analysis
    step that writes it, plain lists a few microseconds.
    """
    values = {name: table[name].tolist() for name in dict.fromkeys((*keys, *columns))}
    rows = [dict(zip(values, cells, strict=True)) for cells in zip(*values.values(), strict=True)]
    if len(keys) == 1:
        return {row[keys[0]]: row for row in rows}
    return {tuple(row[key] for key in keys): row for row in rows}


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def trend_sentence(sii: pd.DataFrame) -> str:
    """How the slope index changed from the first to the last year with one."""
    rows = _rows_by(sii, ("year",), ("sii", "sii_lower", "sii_upper"))
    known = [row for row in rows.values() if pd.notna(row["sii"])]
    if len(known) < 2:
        return "The records do not cover two or more years with a slope index, so no trend."
    first, last = known[0], known[-1]
    overlap = first["sii_lower"] <= last["sii_upper"] and last["sii_lower"] <= first["sii_upper"]
    change = "wider" if abs(last["sii"]) > abs(first["sii"]) else "narrower"
    sentence = (
        f"The gap between the most and least deprived ends was {_rate(abs(first['sii']))} per "
        f"10,000 at 31 March {int(first['year'])} and {_rate(abs(last['sii']))} at 31 March "
        f"{int(last['year'])}"
    )
    if overlap:
        return f"{sentence}; the intervals overlap, so the change may be chance."
    return f"{sentence}: {change}, beyond the play of chance in the intervals."


def cwip_sentence(cwip: pd.DataFrame | None, measure: Measure) -> str:
    """England's 2015 CWIP gradient, for comparison with the authority's own."""
    if cwip is None:
        return "No England gradient by decile was published for this measure."
    most, least = cwip["rate_per_10000"].iloc[0], cwip["rate_per_10000"].iloc[-1]
    return (
        f"In England in 2015 (CWIP sample of 18 authorities, IMD 2015) the rate was "
        f"{most:.0f} per 10,000 in the most deprived decile and {least:.0f} in the least "
        f"deprived, {most / least:.1f} times as high; that gradient is for children "
        f"{'on plans' if measure.intervention == 'CPP' else 'looked after'} at 31 March 2015."
    )


def map_sentence(lsoas: pd.DataFrame, threshold: int) -> str:
    """How many neighbourhoods rest on few events, and what the map does about it."""
    few = int(lsoas["small_count"].sum())
    return (
        f"{few} of {len(lsoas)} neighbourhoods had fewer than {threshold} counted, so their "
        "raw rates are unstable; the map shows smoothed rates, pulled towards the authority's "
        "rate where numbers are small."
    )
