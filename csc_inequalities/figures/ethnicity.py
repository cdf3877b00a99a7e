"""Charts of rates by ethnic group, overall and within national deprivation quintiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.gradient import RECORDS_SOURCE_LINE, Y_TITLE
from csc_inequalities.figures.style import (
    CATEGORY_COLOURS,
    MIN_CHILDREN_FOR_RATE,
    MUTED_COLOUR,
    TEXT_COLOUR,
    TOO_FEW_NOTE,
    axis_title,
    beyond_markers,
    chart_figure,
    chart_layout,
    estimate_range,
    reference_label,
    reference_line,
    tick_label,
)
from csc_inequalities.results.ethnicity import GROUP_NAMES, MAJOR_GROUPS, NOT_KNOWN

ETHNICITY_SOURCE_LINE = RECORDS_SOURCE_LINE.replace(
    "Census 2021.", "Census 2021 children aged 0-15 by ethnic group (Chinese counted as Asian)."
)
# Marker shapes as well as colours, so groups can be told apart without colour.
GROUP_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]
TICK_NAMES = {
    "White": "White",
    "Mixed": "Mixed or<br>Multiple",
    "Asian": "Asian or<br>Asian<br>British",
    "Black": "Black, African,<br>Caribbean or<br>Black British",
    "Other": "Other ethnic<br>group",
}


def group_ticks(groups: pd.DataFrame) -> list[str]:
    """Each group's axis label; a group with too few children for a rate says so under it."""
    return [
        TICK_NAMES[group]
        + ("<br><i>too few children</i>" if children < MIN_CHILDREN_FOR_RATE else "")
        for group, children in zip(groups["ethnic_group"], groups["children"], strict=True)
    ]


def _whiskers(
    rate: pd.Series | np.ndarray, lower: pd.Series | np.ndarray, upper: pd.Series | np.ndarray
) -> dict:
    """Error bars from 95% limits around the rates."""
    return {
        "type": "data",
        "array": upper - rate,
        "arrayminus": rate - lower,
        "color": TEXT_COLOUR,
        "thickness": 1.5,
    }


def ethnicity_chart(
    table: pd.DataFrame, overall_rate: float, measure_label: str, la_name: str
) -> tuple[go.Figure, str]:
    """Bars of the rate per major ethnic group with 95% intervals."""
    groups = table[table["ethnic_group"].isin(MAJOR_GROUPS)]
    not_known = table.loc[table["ethnic_group"] == NOT_KNOWN, "count"].sum()
    too_few = (groups["children"] < MIN_CHILDREN_FOR_RATE).tolist()
    ticks = group_ticks(groups)
    drawn = groups["rate_per_10000"].where(~groups["children"].lt(MIN_CHILDREN_FOR_RATE))
    y_range, above, _ = estimate_range(
        drawn.tolist(), groups["lower_95ci"].tolist(), groups["upper_95ci"].tolist()
    )
    bars = {
        "type": "bar",
        "x": ticks,
        "y": drawn,
        "marker": {"color": CATEGORY_COLOURS[: len(groups)]},
        "error_y": _whiskers(groups["rate_per_10000"], groups["lower_95ci"], groups["upper_95ci"]),
        "customdata": groups[["count", "children", "lower_95ci", "upper_95ci"]].to_numpy(),
        "hovertemplate": (
            "%{x}<br>Rate %{y:.1f} per 10,000 (95% CI %{customdata[2]:.1f} to "
            "%{customdata[3]:.1f})<br>%{customdata[0]:,.0f} counted among about "
            "%{customdata[1]:,.0f} children<extra></extra>"
        ),
        "name": "Rate with 95% confidence interval",
    }
    traces = [bars]
    if y_range and (marker := beyond_markers(ticks, above, y_range[1], TEXT_COLOUR)):
        traces.append(marker)
    shapes, notes = [], []
    if not math.isnan(overall_rate):
        shapes.append(
            reference_line(overall_rate, {"color": MUTED_COLOUR, "dash": "dash", "width": 2})
        )
        notes.append(reference_label(overall_rate, f"{la_name} overall: {overall_rate:.1f}"))
    subtitle = (
        f"{la_name}: rate by ethnic group. Ethnicity not known for {not_known:,.0f} "
        "counted (not shown)."
    )
    if any(too_few):
        subtitle += f" {TOO_FEW_NOTE}"
    layout = chart_layout(
        measure_label,
        subtitle,
        ETHNICITY_SOURCE_LINE,
        height=480,
        source_y=-0.3,
        notes=notes,
        shapes=shapes,
        xaxis={"title": {"text": ""}, "tickangle": 0, "tickfont": {"size": 12}},
        yaxis={"title": axis_title(Y_TITLE), "rangemode": "tozero"}
        | ({"range": y_range} if y_range else {}),
        showlegend=any(above),
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"b": 170},
    )
    fig = chart_figure(traces, layout)
    return fig, ethnicity_alt_text(groups, measure_label, la_name, not_known)


def ethnicity_alt_text(
    groups: pd.DataFrame, measure_label: str, la_name: str, not_known: float
) -> str:
    """A text alternative listing each group's rate."""
    rates = "; ".join(
        f"{name} no rate (no children estimated)"
        if math.isnan(rate)
        else f"{name} too few children for a rate ({rate:.1f})"
        if children < MIN_CHILDREN_FOR_RATE
        else f"{name} {rate:.1f}"
        for name, rate, children in zip(
            groups["group_name"], groups["rate_per_10000"], groups["children"], strict=True
        )
    )
    return (
        f"{measure_label} in {la_name}: bar chart of the rate per 10,000 children aged 0-17 by "
        f"major ethnic group. {rates}. Ethnicity was not known for {not_known:,.0f} counted."
    )


def ethnicity_deprivation_chart(
    table: pd.DataFrame, measure_label: str, la_name: str
) -> tuple[go.Figure, str]:
    """Points with intervals for each ethnic group within each national deprivation quintile."""
    offsets = [-0.24, -0.12, 0.0, 0.12, 0.24]
    # The columns once as arrays: filtering the whole frame per group cost more than plotting.
    ethnic_group = table["ethnic_group"].to_numpy()
    quintile = table["quintile"].to_numpy()
    enough = table["children"].to_numpy() >= MIN_CHILDREN_FOR_RATE
    rate = np.where(enough, table["rate_per_10000"].to_numpy(dtype=float), np.nan)
    lower, upper = table["lower_95ci"].to_numpy(), table["upper_95ci"].to_numpy()
    customdata = table[["quintile_label", "count", "children"]].to_numpy()
    y_range, above_flags, _ = estimate_range(rate.tolist(), lower.tolist(), upper.tolist())
    above = np.array(above_flags, dtype=bool)
    traces, beyond_x = [], []
    for position, group in enumerate(MAJOR_GROUPS):
        rows = (ethnic_group == group) & ~np.isnan(rate)
        if not rows.any():
            continue  # no quintile has enough children of this group: no empty legend entry
        beyond_x += list(quintile[rows & above] + offsets[position])
        traces.append(
            {
                "type": "scatter",
                "x": quintile[rows] + offsets[position],
                "y": rate[rows],
                "mode": "markers",
                "name": GROUP_NAMES[group],
                "marker": {
                    "color": CATEGORY_COLOURS[position],
                    "symbol": GROUP_SYMBOLS[position],
                    "size": 10,
                },
                "error_y": _whiskers(rate[rows], lower[rows], upper[rows])
                | {"color": CATEGORY_COLOURS[position]},
                "customdata": customdata[rows],
                "hovertemplate": (
                    f"{GROUP_NAMES[group]}, quintile %{{customdata[0]}}<br>Rate %{{y:.1f}} per "
                    "10,000<br>%{customdata[1]:,.0f} counted among about %{customdata[2]:,.0f} "
                    "children<extra></extra>"
                ),
            }
        )
    if y_range and (
        marker := beyond_markers(beyond_x, [True] * len(beyond_x), y_range[1], TEXT_COLOUR)
    ):
        traces.append(marker)
    hidden = int((~enough & table["ethnic_group"].isin(MAJOR_GROUPS).to_numpy()).sum())
    subtitle = (
        f"{la_name}: rate by ethnic group within deprivation quintiles (denominators estimated)"
    )
    if hidden:
        subtitle += f". {TOO_FEW_NOTE}"
    layout = chart_layout(
        measure_label,
        subtitle,
        ETHNICITY_SOURCE_LINE,
        height=580,
        source_y=-0.55,
        xaxis={
            "title": axis_title("Deprivation quintile (1 = most deprived 20% in England)"),
            "tickvals": sorted(table["quintile"].unique()),
            "ticktext": [
                tick_label(label) for label in table.drop_duplicates("quintile")["quintile_label"]
            ],
            "tickangle": 0,
        },
        yaxis={"title": axis_title(Y_TITLE), "rangemode": "tozero"}
        | ({"range": y_range} if y_range else {}),
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"b": 230},
    )
    fig = chart_figure(traces, layout)
    return fig, ethnicity_deprivation_alt_text(table, measure_label, la_name)


def ethnicity_deprivation_alt_text(table: pd.DataFrame, measure_label: str, la_name: str) -> str:
    """A text alternative giving each group's rate in the most and least deprived quintiles."""
    keys = list(zip(table["ethnic_group"], table["quintile"], strict=True))
    rates = dict(zip(keys, table["rate_per_10000"], strict=True))
    children = dict(zip(keys, table["children"], strict=True))
    parts = []
    for group in MAJOR_GROUPS:
        ends = [
            "no estimate"
            if math.isnan(rate)
            else "too few children"
            if children.get((group, q), 0) < MIN_CHILDREN_FOR_RATE
            else f"{rate:.1f}"
            for q, rate in ((q, rates.get((group, q), math.nan)) for q in (1, 5))
        ]
        parts.append(f"{GROUP_NAMES[group]}: {ends[0]} in quintile 1, {ends[1]} in quintile 5")
    return (
        f"{measure_label} in {la_name}: chart of the rate per 10,000 children by ethnic group "
        f"within national deprivation quintiles (1 = most deprived). {'; '.join(parts)}."
    )
