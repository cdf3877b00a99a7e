"""Charts of the gradient over time: quintile rates by year, and the SII by year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.gradient import RECORDS_SOURCE_LINE, Y_TITLE
from csc_inequalities.figures.style import (
    ACCENT_COLOUR,
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
    reference_line,
)
from csc_inequalities.results.deprivation import group_labels

QUINTILE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash"]
QUINTILE_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]
# The lightest quintile colour is too pale on white for a line; draw it in a dark grey.
LINE_COLOURS = [*QUINTILE_COLOURS[:4], MUTED_COLOUR]


def quintile_trend_chart(
    gradient: pd.DataFrame, series_label: str, la_name: str, locality: str = "national"
) -> tuple[go.Figure, str]:
    """One line per deprivation quintile across reporting years, with 95% intervals."""
    labels = group_labels(f"{locality}_quintile")
    # The columns once as arrays: filtering the whole frame per quintile cost more than plotting.
    group, year = gradient["group"].to_numpy(), gradient["year"].to_numpy()
    rate = gradient["rate_per_10000"].to_numpy()
    lower, upper = gradient["lower_95ci"].to_numpy(), gradient["upper_95ci"].to_numpy()
    enough = gradient["children"].to_numpy() >= MIN_CHILDREN_FOR_RATE
    rate = np.where(enough, rate.astype(float), np.nan)
    y_range, above, _ = estimate_range(rate.tolist(), lower.tolist(), upper.tolist())
    traces = []
    for quintile in range(1, 6):
        rows = (group == quintile) & ~np.isnan(rate)
        if not rows.any():
            continue  # a quintile with no neighbourhoods (or too few children) has no entry
        traces.append(
            {
                "type": "scatter",
                "x": year[rows],
                "y": rate[rows],
                "name": f"Quintile {labels[quintile - 1]}",
                "mode": "lines+markers",
                "line": {
                    "color": LINE_COLOURS[quintile - 1],
                    "dash": QUINTILE_DASHES[quintile - 1],
                },
                "marker": {"symbol": QUINTILE_SYMBOLS[quintile - 1], "size": 8},
                "error_y": {
                    "type": "data",
                    "array": upper[rows] - rate[rows],
                    "arrayminus": rate[rows] - lower[rows],
                    "thickness": 1,
                },
                "hovertemplate": (
                    f"Quintile {labels[quintile - 1]}, 31 March %{{x}}: %{{y:.1f}} per 10,000"
                    "<extra></extra>"
                ),
            }
        )
    if y_range and (marker := beyond_markers(year, above, y_range[1], TEXT_COLOUR)):
        traces.append(marker)
    where = "in England" if locality == "national" else f"of {la_name}'s neighbourhoods"
    subtitle = f"{la_name}: rate by deprivation quintile (1 = most deprived 20% {where})"
    if (~enough & (gradient["children"].to_numpy() > 0)).any():
        subtitle += f". {TOO_FEW_NOTE}"
    layout = chart_layout(
        series_label,
        subtitle,
        RECORDS_SOURCE_LINE,
        height=500,
        source_y=-0.45,
        xaxis={"title": {"text": "Year ending 31 March"}, "dtick": 1},
        yaxis={"title": axis_title(Y_TITLE), "rangemode": "tozero"}
        | ({"range": y_range} if y_range else {}),
        legend={"orientation": "h", "y": -0.3, "x": 0},
        margin={"b": 170},
    )
    fig = chart_figure(traces, layout)
    return fig, trend_alt_text(gradient, la_name, labels)


def trend_alt_text(gradient: pd.DataFrame, la_name: str, labels: list[str]) -> str:
    """A text alternative giving the first and last year's rate for both end quintiles."""
    if gradient.empty:
        return f"No reporting years with records for {la_name}."
    years = sorted(gradient["year"].unique())
    keys = zip(gradient["year"], gradient["group"], strict=True)
    rate = dict(zip(keys, gradient["rate_per_10000"], strict=True))
    parts = [
        f"quintile {labels[q - 1]}: {rate.get((years[0], q), math.nan):.1f} in {years[0]} and "
        f"{rate.get((years[-1], q), math.nan):.1f} in {years[-1]}"
        for q in (1, 5)
    ]
    return (
        f"Line chart of rates per 10,000 children by deprivation quintile in {la_name}, "
        f"years ending 31 March {years[0]} to {years[-1]}. {'; '.join(parts)}."
    )


def sii_trend_chart(sii: pd.DataFrame, series_label: str, la_name: str) -> tuple[go.Figure, str]:
    """The slope index of inequality by year with its simulated 95% interval."""
    y_range, above, below = estimate_range(
        sii["sii"].tolist(), sii["sii_lower"].tolist(), sii["sii_upper"].tolist(), floor=None
    )
    line = {
        "type": "scatter",
        "x": sii["year"],
        "y": sii["sii"],
        "mode": "lines+markers",
        "name": "Slope index of inequality (95% interval)",
        "line": {"color": ACCENT_COLOUR},
        "marker": {"size": 9},
        "error_y": {
            "type": "data",
            "array": sii["sii_upper"] - sii["sii"],
            "arrayminus": sii["sii"] - sii["sii_lower"],
            "color": TEXT_COLOUR,
        },
        "hovertemplate": "31 March %{x}: SII %{y:.1f} per 10,000<extra></extra>",
    }
    traces = [line]
    if y_range:
        years = sii["year"].tolist()
        traces += [
            marker
            for marker in (
                beyond_markers(years, above, y_range[1], TEXT_COLOUR),
                beyond_markers(years, below, y_range[0], TEXT_COLOUR, up=False),
            )
            if marker
        ]
    layout = chart_layout(
        series_label,
        f"{la_name}: slope index of inequality by year (negative when rates are higher in "
        "more deprived neighbourhoods)",
        RECORDS_SOURCE_LINE,
        shapes=[reference_line(0, {"color": MUTED_COLOUR, "width": 1})],
        xaxis={"title": {"text": "Year ending 31 March"}, "dtick": 1},
        yaxis={"title": axis_title("Slope index of inequality, per 10,000", 24)}
        | ({"range": y_range} if y_range else {}),
        showlegend=len(traces) > 1,
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )
    fig = chart_figure(traces, layout)
    return fig, sii_alt_text(sii, la_name)


def sii_alt_text(sii: pd.DataFrame, la_name: str) -> str:
    """A text alternative listing the SII for each year."""
    values = "; ".join(
        f"{row.year}: {row.sii:.1f}" if not math.isnan(row.sii) else f"{row.year}: not computed"
        for row in sii.itertuples()
    )
    return (
        f"Line chart of the slope index of inequality in {la_name} by year ending 31 March, "
        f"negative when rates are higher in more deprived neighbourhoods. {values}."
    )
