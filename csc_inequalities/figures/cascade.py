"""Charts of the decision cascade and of the age and sex breakdowns (pure plotly builders).

The cascade chart puts the decisions across, from referral to care, and draws one line per
deprivation quintile on a logarithmic axis: rates fall about twentyfold from referral to care,
and on a log axis the distance between two lines is their ratio, so lines that spread apart
show the gap widening. Groups with too few children for a rate are named, not drawn.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.gradient import RECORDS_SOURCE_LINE
from csc_inequalities.figures.style import (
    MIN_CHILDREN_FOR_RATE,
    MUTED_COLOUR,
    QUINTILE_COLOURS,
    TEXT_COLOUR,
    TOO_FEW_NOTE,
    axis_title,
    beyond_markers,
    chart_figure,
    chart_layout,
    estimate_range,
)
from csc_inequalities.results.deprivation import labels_for_size

# The lightest quintile colour is too pale on white for a line: dark grey instead (as trend).
LINE_COLOURS = [*QUINTILE_COLOURS[:4], MUTED_COLOUR]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]
STEP_TICKS = {
    "referral": "Referral",
    "assessment": "Assess-<br>ment",
    "s47": "Section<br>47",
    "icpc": "Confer-<br>ence",
    "plan": "Plan",
    "care": "Care",
}
STEP_WORDS = {
    "referral": "referral",
    "assessment": "assessment completed",
    "s47": "section 47 enquiry",
    "icpc": "initial conference",
    "plan": "plan started",
    "care": "started to be looked after",
}
LOG_TICKS = [v * 10**p for p in range(-1, 5) for v in (1, 2, 5)]
CONVERSION_TICKS = {
    "s47_per_referral": "Section 47 enquiries<br>per 100 referrals",
    "icpc_per_s47": "Conferences per 100<br>section 47 enquiries",
    "plan_per_icpc": "Plans per 100<br>conferences",
    "care_per_plan": "Care starts per<br>100 plans",
}


def _quintile_name(group: int) -> str:
    """'Quintile 1 most deprived', 'Quintile 3'."""
    return f"Quintile {labels_for_size(5)[group - 1]}"


def _number(value: float, decimals: int = 1) -> str:
    """A figure for alt text, 'suppressed' where the view hid it."""
    return "suppressed" if value is None or math.isnan(value) else f"{value:,.{decimals}f}"


def _where(scheme: str, la_name: str) -> str:
    """Which end quintile 1 is, in words."""
    if scheme.startswith("local"):
        return f"1 = the most deprived fifth of {la_name}'s neighbourhoods"
    return "1 = most deprived 20% of neighbourhoods in England"


def cascade_chart(
    stages: pd.DataFrame, la_name: str, title: str, period: str, people: str, scheme: str
) -> tuple[go.Figure, str]:
    """Decisions across, one line per deprivation quintile, rates on a log axis."""
    present = set(stages["stage"])
    steps = [s for s in STEP_TICKS if s in present]
    # Rows come stage by stage, quintiles 1-5 within each: read them as stage x quintile arrays.
    order = list(dict.fromkeys(stages["stage"]))
    rows = [order.index(s) for s in steps]

    def grid(column: str) -> np.ndarray:
        return stages[column].to_numpy(dtype=float).reshape(len(order), 5)[rows]

    rates, lower, upper, children = (
        grid(c) for c in ("rate_per_10000", "lower_95ci", "upper_95ci", "children")
    )
    ticks = [STEP_TICKS[s] for s in steps]
    traces, described, too_few = [], [], []
    for group in range(1, 6):
        rate = rates[:, group - 1]
        people_here = children[0, group - 1] if len(steps) else 0.0
        if people_here <= 0:
            continue
        if people_here < MIN_CHILDREN_FOR_RATE:
            too_few.append(str(group))
            continue
        drawn = np.where(rate > 0, rate, np.nan)  # a log axis cannot show none counted
        if np.isnan(drawn).all():
            described.append(f"{_quintile_name(group).lower()}: none drawn")
            continue
        traces.append(
            {
                "type": "scatter",
                "x": ticks,
                "y": drawn,
                "name": _quintile_name(group),
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": LINE_COLOURS[group - 1], "dash": DASHES[group - 1], "width": 2.5},
                "marker": {"symbol": SYMBOLS[group - 1], "size": 9},
                "error_y": {
                    "type": "data",
                    "array": upper[:, group - 1] - drawn,
                    "arrayminus": drawn - lower[:, group - 1],
                    "thickness": 1,
                },
                "hovertemplate": f"{_quintile_name(group)}, %{{x}}: %{{y:.1f}} per 10,000"
                "<extra></extra>",
            }
        )
        values = ", ".join(
            f"{STEP_WORDS[s]} {_number(r)}" for s, r in zip(steps, rate.tolist(), strict=True)
        )
        described.append(f"{_quintile_name(group).lower()}: {values}")
    subtitle = (
        f"{la_name}: rate per 10,000 {people} by deprivation quintile "
        f"({_where(scheme, la_name)}), {period}"
    )
    if too_few:
        subtitle += f". {TOO_FEW_NOTE} (quintile {', '.join(too_few)})"
    layout = chart_layout(
        title,
        subtitle,
        RECORDS_SOURCE_LINE,
        height=520,
        source_y=-0.42,
        xaxis={
            "title": {"text": "Decision, in the order a case meets them"},
            "tickangle": 0,
            "tickfont": {"size": 12},
        },
        yaxis={
            "title": axis_title(f"Rate per 10,000 {people} (log scale)", 26),
            "type": "log",
            "tickvals": LOG_TICKS,
            "ticktext": [f"{v:g}" for v in LOG_TICKS],
        },
        legend={"orientation": "h", "y": -0.28, "x": 0},
        margin={"b": 180},
    )
    fig = chart_figure(traces, layout)
    alt = (
        f"Line chart of decisions in {la_name}, {period}, from referral to care, with one line "
        f"per deprivation quintile ({_where(scheme, la_name)}) on a logarithmic scale, so the "
        "vertical distance between lines is the ratio of their rates. Rates per 10,000: "
        + ("; ".join(described) if described else "none drawn")
        + (f". Too few children to draw quintile {', '.join(too_few)}" if too_few else "")
        + "."
    )
    return fig, alt


def conversions_chart(
    conversions: pd.DataFrame, la_name: str, title: str, period: str, scheme: str
) -> tuple[go.Figure, str]:
    """Each conversion per 100 by quintile, grouped bars with 95% Wilson intervals."""
    # Rows come conversion by conversion: quintiles 1-5, then the whole authority (group 0).
    order = list(dict.fromkeys(conversions["conversion"]))
    keys = [k for k in CONVERSION_TICKS if k in order]
    picked = [order.index(k) for k in keys]

    def grid(column: str) -> np.ndarray:
        return conversions[column].to_numpy(dtype=float).reshape(len(order), 6)[picked, :5] * 100

    values, lowers, uppers = (grid(c) for c in ("proportion", "lower_95ci", "upper_95ci"))
    ticks = [CONVERSION_TICKS[k] for k in keys]
    traces, described = [], []
    for group in range(1, 6):
        value, lower, upper = values[:, group - 1], lowers[:, group - 1], uppers[:, group - 1]
        traces.append(
            {
                "type": "bar",
                "x": ticks,
                "y": value,
                "name": _quintile_name(group),
                "marker": {"color": QUINTILE_COLOURS[group - 1],
                           "line": {"color": TEXT_COLOUR, "width": 0.5}},
                "error_y": {"type": "data", "array": upper - value, "arrayminus": value - lower,
                            "color": TEXT_COLOUR, "thickness": 1},
                "hovertemplate": f"{_quintile_name(group)}: %{{y:.0f}} %{{x}}<extra></extra>",
            }
        )  # fmt: skip
        described.append(
            f"{_quintile_name(group).lower()}: "
            + ", ".join(
                f"{tick.replace('<br>', ' ')} {_number(v, 0)}"
                for tick, v in zip(ticks, value.tolist(), strict=True)
            )
        )
    # The axis follows the estimates, as on every chart (a wide interval of a small authority's
    # few decisions is cut and marked, not left to flatten every bar), but never past what
    # per 100 can reach: 100, or a ratio above 1 (which has no interval).
    highest = float(np.nanmax(values, initial=0.0))
    full_scale = max(105.0, highest * 1.06)
    y_range, above, _ = estimate_range(
        values.ravel().tolist(), lowers.ravel().tolist(), uppers.ravel().tolist()
    )
    top = full_scale if y_range is None else min(full_scale, y_range[1])
    cut_rows = np.flatnonzero(np.reshape(np.array(above), values.shape).any(axis=1))
    cut = [ticks[row] for row in cut_rows]
    if top < full_scale and (marker := beyond_markers(cut, [True] * len(cut), top, TEXT_COLOUR)):
        traces.append(marker)
    layout = chart_layout(
        title,
        f"{la_name}: each decision per 100 of the one before, by deprivation quintile "
        f"({_where(scheme, la_name)}), {period}",
        RECORDS_SOURCE_LINE,
        height=500,
        source_y=-0.45,
        barmode="group",
        xaxis={"title": {"text": "Conversion (counts in the same year)"}, "tickangle": 0},
        yaxis={
            "title": axis_title("Per 100 of the earlier decision", 26),
            "range": [0, top],
        },
        legend={"orientation": "h", "y": -0.32, "x": 0},
        margin={"b": 190},
    )
    alt = (
        f"Bar chart of conversions between decisions in {la_name}, {period}, per 100 of the "
        f"earlier decision, by deprivation quintile ({_where(scheme, la_name)}), with 95% "
        f"Wilson intervals. {'; '.join(described)}."
    )
    return chart_figure(traces, layout), alt


def codes_chart(
    table: pd.DataFrame, la_name: str, title: str, subtitle: str, what: str
) -> tuple[go.Figure, str]:
    """A dot plot: each code's share of the quintile's events, one marker per quintile."""
    codes = list(dict.fromkeys(table["description"]))
    traces, described = [], []
    for group in range(1, 6):
        part = table[table["quintile"] == group].set_index("description").reindex(codes)
        share = part["share"].astype(float) * 100
        traces.append(
            {
                "type": "scatter",
                "x": share.tolist(),
                "y": codes,
                "mode": "markers",
                "name": _quintile_name(group),
                "marker": {"symbol": SYMBOLS[group - 1], "size": 11,
                           "color": LINE_COLOURS[group - 1],
                           "line": {"color": TEXT_COLOUR, "width": 0.5}},
                "hovertemplate": f"{_quintile_name(group)}: %{{y}} %{{x:.0f}}%<extra></extra>",
            }
        )  # fmt: skip
    for code in codes:
        rows = table[table["description"] == code]
        values = ", ".join(
            f"{g} {_number(s * 100 if s == s else s, 0)}%"
            for g, s in zip(rows["quintile"], rows["share"].astype(float), strict=True)
        )
        described.append(f"{code}: {values}")
    layout = chart_layout(
        title,
        subtitle,
        RECORDS_SOURCE_LINE,
        height=200 + 28 * len(codes),
        source_y=-0.12 - 40 / (200 + 28 * len(codes)),
        xaxis={"title": {"text": f"Share of the quintile's {what} (%)"}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"},
        margin={"t": 120, "b": 110, "l": 40},
    )
    alt = (
        f"Dot plot of {what} in {la_name} by code, showing each code's share of the "
        f"quintile's {what} for each deprivation quintile (1 = most deprived). "
        + "; ".join(described)
        + "."
    )
    return chart_figure(traces, layout), alt


def quintile_lines_chart(
    table: pd.DataFrame, label: str, title: str, subtitle: str, y_title: str
) -> tuple[go.Figure, str]:
    """One line per category (age band, sex) across deprivation quintiles, with intervals."""
    traces, described, too_few = [], [], []
    # Rows come category by category, quintiles 1-5 within each: read them as arrays.
    names = table[label].astype(str).to_numpy()[::5]
    rate_grid, lower_grid, upper_grid, children_grid = (
        table[c].to_numpy(dtype=float).reshape(-1, 5)
        for c in ("rate_per_10000", "lower_95ci", "upper_95ci", "children")
    )
    groups = [1, 2, 3, 4, 5]
    rates = []
    for number, name in enumerate(names):
        enough = children_grid[number] >= MIN_CHILDREN_FOR_RATE
        if not enough.any():
            too_few.append(name)
            continue
        rate = np.where(enough, rate_grid[number], np.nan)
        lower, upper = lower_grid[number], upper_grid[number]
        rates.append((rate, lower, upper))
        traces.append(
            {
                "type": "scatter",
                "x": groups,
                "y": rate,
                "name": name,
                "mode": "lines+markers",
                "line": {"color": LINE_COLOURS[number % 5], "dash": DASHES[number % 5]},
                "marker": {"symbol": SYMBOLS[number % 5], "size": 9},
                "error_y": {
                    "type": "data",
                    "array": upper - rate,
                    "arrayminus": rate - lower,
                    "thickness": 1,
                },
                "hovertemplate": f"{name}, quintile %{{x}}: %{{y:.1f}} per 10,000<extra></extra>",
            }
        )
        described.append(
            f"{name}: " + ", ".join(f"{g} {_number(r)}" for g, r in zip(groups, rate, strict=True))
        )
    all_rates = [v for r, _, _ in rates for v in r.tolist()]
    y_range, above, _ = estimate_range(
        all_rates,
        [v for _, lo, _ in rates for v in lo.tolist()],
        [v for _, _, hi in rates for v in hi.tolist()],
    )
    if y_range:
        marker = beyond_markers(
            [g for r, _, _ in rates for g in range(1, len(r) + 1)], above, y_range[1], TEXT_COLOUR
        )
        if marker:
            traces.append(marker)
    if too_few:
        subtitle += f". {TOO_FEW_NOTE} ({', '.join(too_few)})"
    layout = chart_layout(
        title,
        subtitle,
        RECORDS_SOURCE_LINE,
        height=500,
        source_y=-0.45,
        xaxis={
            "title": {"text": "Deprivation quintile (1 = most deprived)"},
            "tickvals": [1, 2, 3, 4, 5],
            "ticktext": [t.replace(" ", "<br>", 1) for t in labels_for_size(5)],
        },
        yaxis={"title": axis_title(y_title, 26), "rangemode": "tozero"}
        | ({"range": y_range} if y_range else {}),
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"b": 180},
    )
    alt = (
        f"Line chart of {title[0].lower()}{title[1:]}, one line per group across deprivation "
        f"quintiles (1 = most deprived). Rates per 10,000: {'; '.join(described) or 'none'}"
        + (f". Too few children to draw: {', '.join(too_few)}" if too_few else "")
        + "."
    )
    return chart_figure(traces, layout), alt


def infants_chart(infants: pd.DataFrame, la_name: str, title: str) -> tuple[go.Figure, str]:
    """Bars of babies starting care per 10,000 aged under 1, by quintile: first year, first week."""
    traces, described = [], []
    colours = {"under_1": QUINTILE_COLOURS[1], "first_week": QUINTILE_COLOURS[3]}
    groups, rates, lowers, uppers = [], [], [], []
    for kind in ("under_1", "first_week"):
        part = infants[infants["kind"] == kind]
        rate = part["rate_per_10000"].astype(float)
        groups += part["group"].astype(int).tolist()
        rates += rate.tolist()
        lowers += part["lower_95ci"].astype(float).tolist()
        uppers += part["upper_95ci"].astype(float).tolist()
        traces.append(
            {
                "type": "bar",
                "x": part["group"].astype(int).tolist(),
                "y": rate.tolist(),
                "name": str(part["kind_label"].iloc[0]),
                "marker": {"color": colours[kind], "line": {"color": TEXT_COLOUR, "width": 0.5}},
                "error_y": {
                    "type": "data",
                    "array": (part["upper_95ci"].astype(float) - rate).tolist(),
                    "arrayminus": (rate - part["lower_95ci"].astype(float)).tolist(),
                    "color": TEXT_COLOUR,
                    "thickness": 1,
                },
                "hovertemplate": "Quintile %{x}: %{y:.1f} per 10,000<extra></extra>",
            }
        )
        described.append(
            f"{part['kind_label'].iloc[0].lower()}: "
            + ", ".join(f"{g} {_number(r)}" for g, r in zip(part["group"], rate, strict=True))
        )
    # Few babies in a quintile give a wide interval: the axis follows the estimates and an arrow
    # marks an interval that runs on beyond it, so no bar is flattened by another's interval.
    y_range, above, _ = estimate_range(rates, lowers, uppers)
    if y_range:
        marker = beyond_markers(groups, above, y_range[1], TEXT_COLOUR)
        if marker:
            traces.append(marker)
    layout = chart_layout(
        title,
        f"{la_name}: per 10,000 children aged under 1, by deprivation quintile",
        RECORDS_SOURCE_LINE,
        height=480,
        source_y=-0.45,
        barmode="group",
        xaxis={
            "title": {"text": "Deprivation quintile (1 = most deprived)"},
            "tickvals": [1, 2, 3, 4, 5],
            "ticktext": [t.replace(" ", "<br>", 1) for t in labels_for_size(5)],
        },
        yaxis={
            "title": axis_title("Per 10,000 children aged under 1", 26),
            **({"range": y_range} if y_range else {"rangemode": "tozero"}),
        },
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"b": 180},
    )
    alt = (
        f"Bar chart of babies starting to be looked after in {la_name} per 10,000 children "
        f"aged under 1, by deprivation quintile (1 = most deprived). {'; '.join(described)}."
    )
    return chart_figure(traces, layout), alt
