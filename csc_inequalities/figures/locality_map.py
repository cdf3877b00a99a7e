"""A map of the authority's localities, coloured by where each lies on the funnel plot.

Colour shows the funnel position, not the ratio itself: a ratio from a few children moves a
long way by chance, and the position already allows for that. Suppressed localities are grey.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.funnel import POSITION_STYLE
from csc_inequalities.figures.maps import MAP_LAYOUT
from csc_inequalities.figures.style import chart_figure, chart_layout
from csc_inequalities.stats import funnel

GREY = "#d9d9d9"
ORDER = list(POSITION_STYLE)


def _hover(frame: pd.DataFrame) -> list[str]:
    """Hover text per locality: the figures the view allows."""
    lines = []
    for name, count, expected, ratio, position in zip(
        frame["locality"],
        frame["count"],
        frame["expected"],
        frame["ratio"],
        frame["position"],
        strict=True,
    ):
        if pd.isna(ratio):
            lines.append(f"<b>{name}</b><br>Count suppressed, or nothing expected")
            continue
        label = POSITION_STYLE[position][0] if position in POSITION_STYLE else ""
        lines.append(
            f"<b>{name}</b><br>{count:,.0f} counted, {expected:,.1f} expected<br>"
            f"Ratio {ratio:.2f}: {label.lower()}"
        )
    return lines


def locality_map(
    geojson: dict, table: pd.DataFrame, measure_label: str, la_name: str, scheme_label: str
) -> tuple[go.Figure, str]:
    """Localities coloured by funnel position (suppressed or not compared: grey)."""
    compared = table[table["in_scheme"]]
    placed = compared["position"].isin(ORDER) & compared["ratio"].notna()
    shown, grey = compared[placed], compared[~placed]
    n = len(ORDER)
    scale = []
    for i, position in enumerate(ORDER):
        scale += [[i / n, POSITION_STYLE[position][1]], [(i + 1) / n, POSITION_STYLE[position][1]]]
    traces = []
    if len(grey):
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson,
                "locations": grey["locality"],
                "featureidkey": "id",
                "z": [0] * len(grey),
                "colorscale": [[0, GREY], [1, GREY]],
                "showscale": False,
                "marker": {"line": {"color": "white", "width": 1}},
                "hovertext": _hover(grey),
                "hoverinfo": "text",
            }
        )
    if len(shown):
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson,
                "locations": shown["locality"],
                "featureidkey": "id",
                "z": shown["position"].map(ORDER.index).astype(int),
                "zmin": -0.5,
                "zmax": n - 0.5,
                "colorscale": scale,
                "marker": {"line": {"color": "white", "width": 1}},
                "hovertext": _hover(shown),
                "hoverinfo": "text",
                "colorbar": {
                    "title": {"text": "Against the<br>funnel limits", "font": {"size": 13}},
                    "tickvals": list(range(n)),
                    "ticktext": [POSITION_STYLE[p][0] for p in ORDER],
                    "len": 0.9,
                    "thickness": 16,
                },
            }
        )
    layout = chart_layout(
        f"{la_name}: {scheme_label.lower()}",
        f"{measure_label}: where each lies on the funnel plot (grey: suppressed or not compared)",
        height=560,
        **MAP_LAYOUT,
    )
    return chart_figure(traces, layout), locality_map_alt_text(compared, la_name, scheme_label)


def locality_map_alt_text(compared: pd.DataFrame, la_name: str, scheme_label: str) -> str:
    """The map in words: how many localities in each funnel position."""
    parts = []
    for position in ORDER:
        names = compared.loc[compared["position"] == position, "locality"].tolist()
        if not names:
            continue
        label = POSITION_STYLE[position][0].lower()
        listed = f": {'; '.join(names)}" if position != funnel.WITHIN else ""
        parts.append(f"{len(names)} {label}{listed}")
    grey = int((~compared["position"].isin(ORDER) | compared["ratio"].isna()).sum())
    if grey:
        parts.append(f"{grey} grey (suppressed or not compared)")
    return (
        f"Map of {la_name}'s {len(compared)} {scheme_label.lower()}, coloured by where each "
        f"lies against the funnel plot's control limits. " + "; ".join(parts) + "."
    )
