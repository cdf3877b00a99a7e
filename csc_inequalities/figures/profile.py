"""The deprivation profile chart: an authority's neighbourhoods and children by national decile."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.maps import DECILE_AXIS_LABELS
from csc_inequalities.figures.style import (
    ACCENT_COLOUR,
    DECILE_DIRECTION,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    axis_title,
    chart_figure,
    chart_layout,
    reference_label,
    reference_line,
)


def profile_chart(profile: pd.DataFrame, title: str, subtitle: str = "") -> tuple[go.Figure, str]:
    """Bars of the share of LSOAs and of children per national decile, against England's 10%."""
    deciles = profile["decile"].astype(int).tolist()
    traces = [
        {
            "type": "bar",
            "x": deciles,
            "y": profile["share_of_lsoas"] * 100,
            "name": "LSOAs",
            "marker": {"color": MUTED_COLOUR, "pattern": {"shape": "/"}},
            "hovertemplate": "Decile %{x}: %{y:.1f}% of LSOAs<extra></extra>",
        },
        {
            "type": "bar",
            "x": deciles,
            "y": profile["share_of_children"] * 100,
            "name": "Children aged 0-17",
            "marker": {"color": ACCENT_COLOUR},
            "hovertemplate": "Decile %{x}: %{y:.1f}% of children<extra></extra>",
        },
    ]
    layout = chart_layout(
        title,
        subtitle or DECILE_DIRECTION,
        height=480,
        source_y=-0.42,
        notes=[reference_label(10, "England: 10% in each decile")],
        shapes=[reference_line(10, {"color": REFERENCE_COLOUR, "dash": "dash", "width": 2})],
        barmode="group",
        legend={
            "orientation": "h",
            "y": -0.3,
            "x": 0,
            "title": {"text": "Share of the authority's", "side": "top"},
        },
        xaxis={
            "title": axis_title("National decile (1 = most deprived)", 24),
            "tickvals": list(range(1, 11)),
            "ticktext": DECILE_AXIS_LABELS,
            "tickangle": 0,
        },
        yaxis={
            "title": {"text": "Per cent of the authority"},
            "ticksuffix": "%",
            "rangemode": "tozero",
        },
        margin={"b": 170},
    )
    fig = chart_figure(traces, layout)
    return fig, profile_alt_text(profile, title)


def profile_alt_text(profile: pd.DataFrame, title: str) -> str:
    """A text alternative naming the shares in the most and least deprived deciles."""
    share = profile.set_index("decile")["share_of_children"] * 100
    most = share.get(1, 0.0) + share.get(2, 0.0)
    least = share.get(9, 0.0) + share.get(10, 0.0)
    return (
        f"{title}. Bar chart of the share of the authority's LSOAs and children in each national "
        f"deprivation decile. {most:.1f}% of its children live in the two most deprived deciles "
        f"(England: 20%) and {least:.1f}% in the two least deprived (England: 20%)."
    )
