"""The gradient chart: rate per 10,000 by deprivation group with 95% intervals, the authority's
overall rate, and England's 2015 CWIP gradient as a switchable overlay."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.style import (
    DECILE_COLOURS,
    MIN_CHILDREN_FOR_RATE,
    MUTED_COLOUR,
    QUINTILE_COLOURS,
    REFERENCE_COLOUR,
    SOURCE_LINE,
    TEXT_COLOUR,
    TOO_FEW_TEXT,
    axis_title,
    beyond_markers,
    chart_figure,
    chart_layout,
    estimate_range,
    reference_label,
    reference_line,
)
from csc_inequalities.results.deprivation import group_word
from csc_inequalities.results.gradient import CWIP_LABEL, OverallRate

RECORDS_SOURCE_LINE = SOURCE_LINE.replace("Source: ", "Source: the authority's own records; ", 1)
CWIP_SOURCE = "England 2015 gradient: Bywaters et al. (2020), Child Welfare Inequalities Project."
Y_TITLE = "Rate per 10,000 children aged 0-17"


def group_axis_title(scheme: str, la_name: str) -> str:
    """The x axis title, saying which end is most deprived and against what."""
    word = group_word(scheme)
    share = "10%" if word == "decile" else "20%"
    if scheme.startswith("local"):
        return f"Local {word} (1 = {la_name}'s most deprived {share})"
    return f"National {word} (1 = most deprived {share} in England)"


def _hover(table: pd.DataFrame) -> list[str]:
    """Hover text per group: rate, interval, count and children."""
    lines = []
    # zip over the columns, not itertuples, which copies every column of the table (~1 ms).
    rows = zip(
        table["group_label"],
        table["children"],
        table["count"],
        table["rate_per_10000"],
        table["lower_95ci"],
        table["upper_95ci"],
        table["ci_method"],
        strict=True,
    )
    for label, children, count, rate, lower, upper, method in rows:
        if children <= 0:
            lines.append(f"{label}: no neighbourhoods in this authority")
            continue
        if pd.isna(count):
            lines.append(f"{label}: count and rate suppressed (c) in this view")
            continue
        lines.append(
            f"{label}<br>Rate {rate:.1f} per 10,000 (95% CI {lower:.1f} to {upper:.1f}, {method})"
            f"<br>{count:,.0f} counted among {children:,.0f} children"
        )
    return lines


def gradient_chart(
    table: pd.DataFrame,
    overall: OverallRate,
    measure_label: str,
    la_name: str,
    scheme: str = "national_decile",
    cwip: pd.DataFrame | None = None,
    show_cwip: bool = True,
) -> tuple[go.Figure, str]:
    """Bars of the rate per group with interval whiskers, the overall rate and the CWIP line."""
    colours = DECILE_COLOURS if group_word(scheme) == "decile" else QUINTILE_COLOURS
    groups = table["group"].astype(int).tolist()
    too_few = table["children"].between(0, MIN_CHILDREN_FOR_RATE, inclusive="neither")
    drawn = table["rate_per_10000"].where(~too_few)
    y_range, above, _ = estimate_range(
        drawn.tolist(), table["lower_95ci"].tolist(), table["upper_95ci"].tolist()
    )
    traces = [
        {
            "type": "bar",
            "x": groups,
            "y": drawn,
            "name": "Rate with 95% confidence interval",
            "marker": {"color": colours[: len(groups)]},
            "error_y": {
                "type": "data",
                "array": table["upper_95ci"] - table["rate_per_10000"],
                "arrayminus": table["rate_per_10000"] - table["lower_95ci"],
                "color": TEXT_COLOUR,
                "thickness": 1.5,
            },
            "hovertext": _hover(table),
            "hoverinfo": "text",
        }
    ]
    empty = (table["children"] <= 0).tolist()
    labels = [
        "no LSOAs" if none else TOO_FEW_TEXT if few else ""
        for none, few in zip(empty, too_few.tolist(), strict=True)
    ]
    if any(labels):
        traces.append(
            {
                "type": "scatter",
                "x": [group for group, label in zip(groups, labels, strict=True) if label],
                "y": [0] * sum(map(bool, labels)),
                "mode": "text",
                "text": [label for label in labels if label],
                "textposition": "top center",
                "textfont": {"color": MUTED_COLOUR, "size": 11},
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    if y_range and (marker := beyond_markers(groups, above, y_range[1], TEXT_COLOUR)):
        traces.append(marker)
    shapes, notes = [], []
    if not math.isnan(overall.rate_per_10000):
        shapes.append(
            reference_line(
                overall.rate_per_10000, {"color": MUTED_COLOUR, "dash": "dash", "width": 2}
            )
        )
        notes.append(
            reference_label(
                overall.rate_per_10000, f"{la_name} overall: {overall.rate_per_10000:.1f}"
            )
        )
    cwip_line = cwip if scheme == "national_decile" else None
    if cwip_line is not None:
        traces.append(
            {
                "type": "scatter",
                "x": cwip_line["decile"],
                "y": cwip_line["rate_per_10000"],
                "name": CWIP_LABEL,
                "mode": "lines+markers",
                "line": {"color": REFERENCE_COLOUR, "width": 2, "dash": "dot"},
                "marker": {"symbol": "diamond", "size": 9},
                "visible": True if show_cwip else "legendonly",
                "hovertemplate": "England 2015, decile %{x}: %{y:.0f} per 10,000<extra></extra>",
            }
        )
    layout = chart_layout(
        measure_label,
        f"{la_name}: rate by deprivation {group_word(scheme)}",
        source=(
            f"{RECORDS_SOURCE_LINE} {CWIP_SOURCE}" if cwip_line is not None else RECORDS_SOURCE_LINE
        ),
        height=500,
        source_y=-0.45,
        notes=notes,
        shapes=shapes,
        showlegend=True,
        legend={"orientation": "h", "y": -0.3, "x": 0},
        xaxis={
            "title": axis_title(group_axis_title(scheme, la_name)),
            "tickvals": groups,
            "ticktext": [label.replace(" ", "<br>") for label in table["group_label"]],
            "tickangle": 0,
        },
        yaxis={"title": axis_title(Y_TITLE), "rangemode": "tozero"}
        | ({"range": y_range} if y_range else {}),
        margin={"b": 190},
    )
    fig = chart_figure(traces, layout)
    return fig, gradient_alt_text(table, overall, measure_label, la_name, scheme, cwip, show_cwip)


def gradient_alt_text(
    table: pd.DataFrame,
    overall: OverallRate,
    measure_label: str,
    la_name: str,
    scheme: str,
    cwip: pd.DataFrame | None = None,
    show_cwip: bool = True,
) -> str:
    """A text alternative giving the rates at both ends and the overall rate."""
    word = group_word(scheme)
    rates = ", ".join(
        f"{group} no LSOAs"
        if children <= 0
        else f"{group} too few children for a rate ({rate:.1f})"
        if children < MIN_CHILDREN_FOR_RATE
        else f"{group} {rate:.1f}"
        for group, rate, children in zip(
            table["group"], table["rate_per_10000"], table["children"], strict=True
        )
    )
    text = (
        f"{measure_label} in {la_name}: bar chart of the rate per 10,000 children aged 0-17 by "
        f"{'local' if scheme.startswith('local') else 'national'} deprivation {word}, "
        f"{word} 1 being the most deprived. Rates by {word}: {rates}. "
    )
    if not math.isnan(overall.rate_per_10000):
        text += f"The authority's overall rate is {overall.rate_per_10000:.1f}. "
    if cwip is not None and show_cwip and scheme == "national_decile":
        text += (
            f"A line shows {CWIP_LABEL}: {cwip['rate_per_10000'].iloc[0]:.0f} in decile 1 and "
            f"{cwip['rate_per_10000'].iloc[-1]:.0f} in decile 10."
        )
    return text.strip()
