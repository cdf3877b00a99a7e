"""One look for every chart and map: colour-blind-safe palettes, fonts, titles and source lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"
MUTED_COLOUR = "#505a5f"
ACCENT_COLOUR = "#1d70b8"
REFERENCE_COLOUR = "#d4351c"

# Sequential, colour-blind-safe (ColorBrewer/viridis-like, dark = most deprived).
DECILE_COLOURS = [
    "#3b0f70",
    "#5a1a7a",
    "#7b2382",
    "#9c2e7f",
    "#bc3978",
    "#d8456c",
    "#ed5a5f",
    "#f8795d",
    "#fd9b6b",
    "#febf84",
]
QUINTILE_COLOURS = ["#3b0f70", "#8c2981", "#de4968", "#fe9f6d", "#fcfdbf"]
# Okabe-Ito, for categories such as ethnic groups.
CATEGORY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

SOURCE_LINE = (
    "Source: MHCLG English Indices of Deprivation; ONS boundaries, lookups and population "
    "estimates; Census 2021. Contains public sector information licensed under the Open "
    "Government Licence v3.0. Contains OS data © Crown copyright and database right 2011-2024."
)

SOURCE_ANNOTATION = "source"
DECILE_DIRECTION = "Decile 1 = most deprived 10% of neighbourhoods in England"


BASE_MARGIN = {"l": 70, "r": 30, "t": 90, "b": 110}

# The unit tests set this (tests/conftest.py): every chart they build is then checked by
# plotly's validators as well, which the app skips on every render.
CHECK_FIGURES = False


def chart_figure(data: Sequence[dict], layout: dict) -> go.Figure:
    """A figure from this package's plain trace and layout dicts, without plotly's validators.

    Validating every property was about half of building a chart, on every render. With
    CHECK_FIGURES (the unit tests) each figure is validated too, so an invalid property fails
    a test rather than reaching a browser.
    """
    fig = go.Figure(data=list(data), layout=layout, _validate=False)
    if CHECK_FIGURES:
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value
    return fig


def chart_layout(
    title: str,
    subtitle: str = "",
    source: str = SOURCE_LINE,
    height: int = 460,
    *,
    source_y: float = -0.2,
    notes: Sequence[dict] = (),
    **layout: Any,
) -> dict:
    """The shared layout as one dict, validated once by go.Figure, not per update_layout call."""
    title_text = f"<b>{title}</b>"
    if subtitle:
        title_text += f"<br><span style='font-size:13px;color:{MUTED_COLOUR}'>{subtitle}</span>"
    return {
        **layout,
        "title": {"text": title_text, "x": 0.0, "xanchor": "left", "y": 0.97, "yanchor": "top"},
        "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOUR},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "margin": BASE_MARGIN | layout.get("margin", {}),
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 14}},
        "meta": {"title": title, "subtitle": subtitle},
        "annotations": [*notes, source_annotation(source, source_y)] if source else list(notes),
    }


def source_annotation(source: str, y: float = -0.2) -> dict:
    """The source line under a chart, named so the screen version can drop it."""
    return {
        "text": _wrap(source, 150),
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": y,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "align": "left",
        "name": SOURCE_ANNOTATION,
        "font": {"size": 10, "color": MUTED_COLOUR},
    }


def reference_line(y: float, line: dict) -> dict:
    """A horizontal line across the plot: the shape fig.add_hline draws, without its cost."""
    return {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": line,
    }


def reference_label(y: float, text: str) -> dict:
    """A reference line's label at its right end, as add_hline(annotation_position="top right")."""
    return {
        "text": text,
        "showarrow": False,
        "xref": "x domain",
        "x": 1,
        "xanchor": "right",
        "yref": "y",
        "y": y,
        "yanchor": "bottom",
    }


def apply_layout(
    fig: go.Figure,
    title: str,
    subtitle: str = "",
    source: str = SOURCE_LINE,
    height: int = 460,
) -> go.Figure:
    """Give an existing figure the shared title, subtitle, source line and accessible fonts."""
    layout = chart_layout(title, subtitle, source=source, height=height)
    notes = layout.pop("annotations")
    fig.update_layout(layout, annotations=[*fig.layout.annotations, *notes])
    return fig


def _wrap(text: str, width: int) -> str:
    """Break a long line for plotly annotations, which do not wrap by themselves."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + len(word) + 1 > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return "<br>".join(lines)


# A rate over fewer children than this moves by 50 per 10,000 or more with a single child:
# such groups are named "too few children" on charts rather than drawn (tables keep them).
MIN_CHILDREN_FOR_RATE = 200
TOO_FEW_TEXT = "too few<br>children"
TOO_FEW_NOTE = (
    f"Groups with fewer than {MIN_CHILDREN_FOR_RATE} children are not drawn: one child would "
    "move their rate by 50 per 10,000 or more."
)
# The axis follows the estimates: an interval reaching beyond twice the largest estimate is cut
# at the axis and marked, so one wide interval of a small group cannot flatten every bar.
INTERVAL_REACH = 2.0
BEYOND_NAME = "95% interval continues beyond the axis"


def axis_title(text: str, width: int = 34) -> dict:
    """An axis title broken into short lines: plotly does not wrap, and a cut title misleads."""
    return {"text": _wrap(text, width)}


def tick_label(label: str) -> str:
    """'1 most deprived' as '1<br>most deprived', so end labels of narrow charts do not collide."""
    number, _, words = label.partition(" ")
    return f"{number}<br>{words}" if words else number


def estimate_range(
    rates: Sequence[float], lower: Sequence[float], upper: Sequence[float], floor: float | None = 0
) -> tuple[list[float] | None, list[bool], list[bool]]:
    """An axis range that follows the estimates, and which intervals reach beyond it.

    Returns None (let plotly choose) when there is no estimate. The range holds every estimate
    and every interval that stays within INTERVAL_REACH times the estimates' span.
    """
    points = [
        (r, lo, hi)
        for r, lo, hi in zip(rates, lower, upper, strict=True)
        if r is not None and r == r
    ]
    if not points:
        return None, [False] * len(rates), [False] * len(rates)
    high = max(r for r, _, _ in points)
    low = min(r for r, _, _ in points) if floor is None else floor
    # With every estimate at the floor (nothing counted), the narrowest interval sets the scale.
    narrowest = min((hi - low for _, _, hi in points if hi == hi and hi > low), default=1.0)
    span = max(high - low, abs(high)) or narrowest
    ceiling = high + (INTERVAL_REACH - 1) * span if floor is not None else high + span
    bottom = floor if floor is not None else low - span
    top = max([high, *[hi for _, _, hi in points if hi == hi and hi <= ceiling]])
    if floor is None:
        bottom = min([low, *[lo for _, lo, _ in points if lo == lo and lo >= bottom]])
    pad = 0.06 * (top - bottom or 1.0)
    shown = [bottom if floor is not None else bottom - pad, top + pad]
    above = [hi == hi and r == r and hi > shown[1] for r, hi in zip(rates, upper, strict=True)]
    below = [
        floor is None and lo == lo and r == r and lo < shown[0]
        for r, lo in zip(rates, lower, strict=True)
    ]
    return shown, above, below


def beyond_markers(
    x: Sequence[Any], flags: Sequence[bool], y: float, colour: str, up: bool = True
) -> dict | None:
    """Arrow markers at the axis edge where an interval runs on beyond it (None if none does)."""
    xs = [value for value, flag in zip(x, flags, strict=True) if flag]
    if not xs:
        return None
    return {
        "type": "scatter",
        "x": xs,
        "y": [y] * len(xs),
        "mode": "markers",
        "marker": {"symbol": "triangle-up" if up else "triangle-down", "size": 10, "color": colour},
        "name": BEYOND_NAME,
        "cliponaxis": False,
        "hovertemplate": "The 95% interval continues beyond the axis<extra></extra>",
    }
