"""The authority-in-context charts: official trend against comparators, and the adjusted scatter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.context.adjusted import (
    PREDICTOR_LABELS,
    AdjustedComparison,
    adjusted_sentence,
)
from csc_inequalities.context.dfe_values import status_label
from csc_inequalities.context.official_measures import official_measure
from csc_inequalities.figures.style import (
    ACCENT_COLOUR,
    CATEGORY_COLOURS,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    TEXT_COLOUR,
    chart_figure,
    chart_layout,
)

DFE_SOURCE_LINE = (
    "Source: Department for Education, Children in need and Children looked after in England "
    "statistics; DfE statistical neighbours (2025 model); ONS mid-year estimates of children "
    "aged 0-17. Contains public sector information licensed under the Open Government Licence "
    "v3.0."
)
ADJUSTED_SOURCE_LINE = DFE_SOURCE_LINE.replace(
    "Source: ", "Source: MHCLG English Indices of Deprivation; "
)

# Each comparator has its own colour, line dash and marker symbol, so none relies on colour.
TREND_STYLES = {
    "authority": (ACCENT_COLOUR, "solid", "circle"),
    "neighbours": (MUTED_COLOUR, "dash", "square"),
    "region": (CATEGORY_COLOURS[2], "dot", "diamond"),
    "england": (REFERENCE_COLOUR, "dashdot", "triangle-up"),
}

END_LABELS = {"neighbours": "Neighbours"}


def official_trend_chart(
    trend: pd.DataFrame, measure_key: str, la_name: str, region_name: str
) -> tuple[go.Figure, str]:
    """Lines of the authority's official rate by year beside its neighbours, region and England."""
    measure = official_measure(measure_key)
    series = {
        "authority": (la_name, trend["authority_rate"], trend["authority_status"]),
        "neighbours": (
            "Statistical neighbours' average",
            trend["neighbours_average"],
            pd.Series("", index=trend.index),
        ),
        "region": (region_name, trend["region_rate"], trend["region_status"]),
        "england": ("England", trend["england_rate"], trend["england_status"]),
    }
    traces = []
    for key, (name, rates, statuses) in series.items():
        colour, dash, symbol = TREND_STYLES[key]
        shown = rates.where(statuses.fillna("") == "")
        hover = [
            f"{name}, {year}: " + (f"{rate:,.1f}" if pd.notna(rate) else status_label(s or "x"))
            for year, rate, s in zip(trend["year"], shown, statuses.fillna(""), strict=True)
        ]
        last = shown.last_valid_index()
        traces.append(
            {
                "type": "scatter",
                "x": trend["year"],
                "y": shown,
                "name": name,
                "mode": "lines+markers+text",
                "line": {"color": colour, "dash": dash, "width": 3 if key == "authority" else 2},
                "marker": {"symbol": symbol, "size": 9 if key == "authority" else 7},
                "text": [END_LABELS.get(key, name) if i == last else "" for i in trend.index],
                "textposition": "middle right",
                "textfont": {"color": TEXT_COLOUR},
                "cliponaxis": False,
                "hovertext": hover,
                "hoverinfo": "text",
                "connectgaps": False,
            }
        )
    missing = _missing_years_note(trend)
    layout = chart_layout(
        f"{la_name}: {_lower_first(measure.label)}, rate per 10,000 children",
        missing or measure.rate_source,
        source=DFE_SOURCE_LINE,
        height=500,
        source_y=-0.4,
        xaxis={"title": {"text": "Year ending 31 March"}, "dtick": 1, "range": _year_range(trend)},
        yaxis={"title": {"text": "Rate per 10,000 children aged 0-17"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25, "x": 0},
        margin={"b": 150, "r": 170},
    )
    fig = chart_figure(traces, layout)
    return fig, trend_alt_text(trend, measure_key, la_name, region_name)


def _lower_first(text: str) -> str:
    """'Children looked after at 31 March' -> 'children looked after at 31 March'."""
    return text[:1].lower() + text[1:]


def _year_range(trend: pd.DataFrame) -> list[float]:
    """Years on the axis with a little room for the end labels."""
    return [trend["year"].min() - 0.3, trend["year"].max() + 0.3]


def _missing_years_note(trend: pd.DataFrame) -> str:
    """Which of the authority's years have no published figure, and why."""
    gaps = trend[trend["authority_status"] != ""]
    if gaps.empty:
        return ""
    parts = [
        f"{_year_span(group['year'].tolist())}: {status_label(status)}"
        for status, group in gaps.groupby("authority_status", sort=False)
    ]
    return "No figure for the authority in " + "; ".join(parts)


def _year_span(years: list[int]) -> str:
    """2013, 2014, 2015 -> '2013-2015'; non-consecutive years listed."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def trend_alt_text(trend: pd.DataFrame, measure_key: str, la_name: str, region_name: str) -> str:
    """A text alternative giving first and latest published rates against England."""
    measure = official_measure(measure_key)
    published = trend[trend["authority_status"] == ""]
    text = f"Line chart of {_lower_first(measure.label)} per 10,000 children, {la_name}, "
    text += f"{region_name}, England and the statistical neighbours' average, "
    text += f"{trend['year'].min()} to {trend['year'].max()}."
    if not published.empty:
        first, latest = published.iloc[0], published.iloc[-1]
        text += (
            f" {la_name}: {first['authority_rate']:,.1f} in {first['year']}, "
            f"{latest['authority_rate']:,.1f} in {latest['year']} (England "
            f"{latest['england_rate']:,.1f}, neighbours' average "
            f"{latest['neighbours_average']:,.1f})."
        )
    missing = _missing_years_note(trend)
    return f"{text} {missing}." if missing else text


def adjusted_scatter(comparison: AdjustedComparison) -> tuple[go.Figure, str]:
    """Every authority's rate against its deprivation on a log scale, with the fitted line."""
    measure = official_measure(comparison.measure_key)
    points = comparison.points[comparison.points["in_fit"]]
    x_line = np.linspace(points["x"].min(), points["x"].max(), 60)
    traces = [
        {
            "type": "scatter",
            "x": x_line,
            "y": comparison.fit.predict(x_line),
            "name": "Typical rate for the level of deprivation (fitted line)",
            "mode": "lines",
            "line": {"color": TEXT_COLOUR, "dash": "dash", "width": 2},
            "hoverinfo": "skip",
        }
    ]
    roles = (
        ("other", "Other English authorities", MUTED_COLOUR, "circle-open", 7, False),
        ("neighbour", "Statistical neighbours", CATEGORY_COLOURS[1], "diamond", 11, True),
        ("chosen", comparison.la_name, ACCENT_COLOUR, "star", 18, True),
    )
    for role, name, colour, symbol, size, labelled in roles:
        part = points[points["role"] == role]
        if part.empty:
            continue
        labels = (
            {"text": part["la_name"], "textposition": _label_positions(part)} if labelled else {}
        )
        traces.append(
            {
                "type": "scatter",
                "x": part["x"],
                "y": part["rate"],
                "name": name,
                "mode": "markers+text" if labelled else "markers",
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"color": TEXT_COLOUR, "width": 1},
                },
                **labels,
                "textfont": {"color": TEXT_COLOUR, "size": 13 if role == "chosen" else 11},
                "customdata": np.column_stack([part["la_name"], part["ratio"] * 100 - 100]),
                "hovertemplate": (
                    "%{customdata[0]}: %{y:,.1f} per 10,000; %{customdata[1]:+.0f}% against "
                    "the typical rate for its deprivation<extra></extra>"
                ),
            }
        )
    x_title = PREDICTOR_LABELS[comparison.predictor]
    x_axis: dict[str, object] = {"title": {"text": x_title}}
    if comparison.predictor == "mean_imd_rank":
        x_axis = {
            "title": {"text": x_title + " (more deprived to the right)"},
            "autorange": "reversed",
        }
    layout = chart_layout(
        f"{measure.label}: rates against deprivation, {comparison.year}",
        adjusted_sentence(comparison),
        source=ADJUSTED_SOURCE_LINE,
        height=560,
        source_y=-0.4,
        xaxis=x_axis,
        yaxis={"title": {"text": "Rate per 10,000 children (log scale)"}, "type": "log"},
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"b": 200},
    )
    fig = chart_figure(traces, layout)
    return fig, adjusted_alt_text(comparison)


def _label_positions(points: pd.DataFrame) -> list[str]:
    """Alternate label sides in order of rate, so neighbouring labels overlap less."""
    cycle = ["top center", "bottom center", "middle right", "middle left"]
    order = points["rate"].rank(method="first").astype(int) - 1
    return [cycle[i % len(cycle)] for i in order]


def adjusted_alt_text(comparison: AdjustedComparison) -> str:
    """A text alternative stating the slope's direction and the authority's position."""
    direction = "rise" if comparison.fit.slope > 0 else "fall"
    if comparison.predictor == "mean_imd_rank":
        direction = "fall" if comparison.fit.slope > 0 else "rise"
    n = int(comparison.points["in_fit"].sum())
    return (
        f"Scatter chart of {n} English authorities' rates against deprivation, with a fitted "
        f"line: rates {direction} with deprivation. {comparison.la_name} is marked with a star "
        "and its statistical neighbours with diamonds, each labelled by name. "
        + adjusted_sentence(comparison)
    )
