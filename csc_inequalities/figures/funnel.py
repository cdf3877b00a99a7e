"""The funnel plot: each locality's standardised ratio against its expected count, with the 95%
and 99.8% control limits around a ratio of 1.

Points outside the limits differ in colour and in shape (triangles up or down), so the chart
does not rest on colour alone; the y axis follows the points, and limit lines beyond it are cut.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.gradient import RECORDS_SOURCE_LINE
from csc_inequalities.figures.style import (
    MUTED_COLOUR,
    TEXT_COLOUR,
    axis_title,
    chart_figure,
    chart_layout,
    reference_label,
    reference_line,
)
from csc_inequalities.stats import funnel

POSITION_STYLE = {
    funnel.HIGH_998: ("Above the 99.8% limit", "#D55E00", "triangle-up"),
    funnel.HIGH_95: ("Above the 95% limit", "#E69F00", "triangle-up-open"),
    funnel.WITHIN: ("Within the limits", MUTED_COLOUR, "circle"),
    funnel.LOW_95: ("Below the 95% limit", "#56B4E9", "triangle-down-open"),
    funnel.LOW_998: ("Below the 99.8% limit", "#0072B2", "triangle-down"),
}
LIMIT_STYLE = {"95": ("95% limits", "dash"), "998": ("99.8% limits", "dot")}
MAX_LABELS = 12
X_TITLE = "Expected count (the authority's own rates by decile)"
Y_TITLE = "Standardised ratio (observed / expected)"


def _limit_traces(largest: float) -> list[dict]:
    """The four control-limit lines over the range of expected counts."""
    grid = np.unique(np.concatenate([np.geomspace(0.05, largest, 160), [largest]]))
    traces = []
    for tag, (name, dash) in LIMIT_STYLE.items():
        lower, upper = funnel.ratio_limits(grid, 0.95 if tag == "95" else 0.998)
        for i, values in enumerate((upper, lower)):
            traces.append(
                {
                    "type": "scatter",
                    "x": grid,
                    "y": values,
                    "mode": "lines",
                    "line": {"color": TEXT_COLOUR, "width": 1.2, "dash": dash},
                    "name": name,
                    "legendgroup": name,
                    "showlegend": i == 0,
                    "hoverinfo": "skip",
                }
            )
    return traces


def _hover(points: pd.DataFrame) -> list[str]:
    """Hover text per locality."""
    return [
        f"<b>{name}</b><br>{count:,.0f} counted, {expected:,.1f} expected<br>"
        f"Ratio {ratio:.2f} (95% CI {lower:.2f} to {upper:.2f})"
        for name, count, expected, ratio, lower, upper in zip(
            points["locality"],
            points["count"],
            points["expected"],
            points["ratio"],
            points["ratio_lower"],
            points["ratio_upper"],
            strict=True,
        )
    ]


def funnel_chart(
    table: pd.DataFrame, measure_label: str, la_name: str, scheme_label: str, noun: str
) -> tuple[go.Figure, str]:
    """Funnel plot of the localities' ratios (suppressed ones, NaN here, are left out)."""
    compared = table[table["in_scheme"]]
    points = compared[(compared["expected"] > 0) & compared["ratio"].notna()]
    largest = max(float(points["expected"].max()) if len(points) else 1.0, 1.0) * 1.08
    traces = _limit_traces(largest)
    labelled = points[points["position"] != funnel.WITHIN]
    label_outliers = len(labelled) <= MAX_LABELS
    for position, (name, colour, symbol) in POSITION_STYLE.items():
        group = points[points["position"] == position]
        if group.empty:
            continue
        texts = group["locality"].tolist() if label_outliers and position != funnel.WITHIN else []
        within = position == funnel.WITHIN
        traces.append(
            {
                "type": "scatter",
                "x": group["expected"],
                "y": group["ratio"],
                "mode": "markers+text" if texts else "markers",
                "text": texts,
                # Labels run away from the nearer side, so none is cut at the chart's edge.
                "textposition": [
                    "top right" if x < largest / 2 else "top left" for x in group["expected"]
                ],
                "textfont": {"size": 11, "color": TEXT_COLOUR},
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": 7 if within else 11,
                    "opacity": 0.75 if within else 1.0,
                    "line": {"color": colour, "width": 1.5},
                },
                "name": name,
                "hovertext": _hover(group),
                "hoverinfo": "text",
            }
        )
    ratios = points["ratio"].to_numpy(float)
    # The axis holds every point and the 95% funnel over most of the range of expected counts.
    typical = float(np.median(points["expected"])) if len(points) else largest
    funnel_top = float(funnel.ratio_limits(typical, 0.95)[1][0]) * 1.1
    top = max(1.6, funnel_top, float(ratios.max()) * 1.15 if len(ratios) else 0.0)
    layout = chart_layout(
        measure_label,
        f"{la_name}: {scheme_label.lower()} against the authority's own rates for their "
        "deprivation",
        source=RECORDS_SOURCE_LINE,
        height=520,
        source_y=-0.5,
        notes=[reference_label(1.0, "ratio 1: as predicted")],
        shapes=[reference_line(1.0, {"color": MUTED_COLOUR, "width": 1.5})],
        showlegend=True,
        legend={"orientation": "h", "y": -0.28, "x": 0},
        xaxis={"title": axis_title(X_TITLE, 44), "range": [0, largest], "rangemode": "tozero"},
        yaxis={"title": axis_title(Y_TITLE), "range": [0, top]},
        margin={"b": 210},
    )
    return chart_figure(traces, layout), funnel_alt_text(table, measure_label, la_name, noun)


def funnel_alt_text(table: pd.DataFrame, measure_label: str, la_name: str, noun: str) -> str:
    """The funnel plot in words: how many localities lie where, naming those outside."""
    compared = table[table["in_scheme"]]
    drawn = compared[compared["ratio"].notna() & (compared["expected"] > 0)]
    text = (
        f"{measure_label}: funnel plot of {len(drawn)} {noun}s in {la_name}, each {noun}'s "
        "standardised ratio (observed over expected from the authority's own rates by "
        "deprivation decile) against its expected count, with 95% and 99.8% control limits "
        "around a ratio of 1."
    )
    for position, (name, _, _) in POSITION_STYLE.items():
        names = drawn.loc[drawn["position"] == position, "locality"].tolist()
        if names and position != funnel.WITHIN:
            text += f" {name}: {'; '.join(names)}."
    within = int((drawn["position"] == funnel.WITHIN).sum())
    text += f" {within} within the limits."
    left_out = len(compared) - len(drawn)
    if left_out:
        text += f" {left_out} not drawn (suppressed, or nothing expected)."
    return text
