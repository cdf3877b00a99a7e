"""Maps of an authority's neighbourhoods (LSOAs) that need no tile server and no internet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.style import (
    DECILE_COLOURS,
    DECILE_DIRECTION,
    chart_figure,
    chart_layout,
)
from csc_inequalities.results.deprivation import DOMAIN_NAMES

# plotly's geo subplot always asks for a world basemap file; the app serves an empty one
# (see empty_world_topojson) from this folder, so nothing is fetched from a CDN.
TOPOJSON_FOLDER = "topojson/"

DECILE_TICK_LABELS = [f"{d} most deprived" if d == 1 else str(d) for d in range(1, 10)] + [
    "10 least deprived"
]
# On axes the end labels wrap under the number, so narrow charts need no rotated text.
DECILE_AXIS_LABELS = [label.replace(" ", "<br>") for label in DECILE_TICK_LABELS]
# Fit the map to the authority and hide the (empty) world basemap; maps are not dragged.
MAP_LAYOUT: dict[str, Any] = {
    "geo": {
        "fitbounds": "locations",
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "white",
    },
    "dragmode": False,
}


def decile_colourscale(n: int = 10, colours: Sequence[str] = DECILE_COLOURS) -> list:
    """A stepped colourscale so each whole-number class gets exactly one colour."""
    scale = []
    for i, colour in enumerate(colours[:n]):
        scale.append([i / n, colour])
        scale.append([(i + 1) / n, colour])
    return scale


def decile_map(
    geojson: dict | str,
    lsoas: pd.DataFrame,
    title: str,
    subtitle: str = "",
    decile_column: str = "imd_decile",
    rank_column: str = "imd_rank",
) -> go.Figure:
    """Neighbourhoods coloured by national deprivation decile, with hover details."""
    frame = lsoas.sort_values("lsoa_code")
    customdata = frame[["lsoa_name", "lsoa_code", decile_column, rank_column, "children_0_17"]]
    trace = {
        "type": "choropleth",
        "geojson": geojson,
        "locations": frame["lsoa_code"],
        "featureidkey": "id",
        "z": frame[decile_column],
        "zmin": 0.5,
        "zmax": 10.5,
        "colorscale": decile_colourscale(),
        "marker": {"line": {"color": "white", "width": 0.4}},
        "customdata": customdata.to_numpy(),
        "hovertemplate": (
            "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            "National IMD decile: %{customdata[2]} (1 = most deprived)<br>"
            "National IMD rank: %{customdata[3]:,}<br>"
            "Children aged 0-17: %{customdata[4]:,.0f}<extra></extra>"
        ),
        "colorbar": {
            "title": {"text": "National<br>IMD decile", "font": {"size": 13}},
            "tickvals": list(range(1, 11)),
            "ticktext": DECILE_TICK_LABELS,
            "len": 0.9,
            "thickness": 16,
        },
    }
    layout = chart_layout(title, subtitle or DECILE_DIRECTION, height=620, **MAP_LAYOUT)
    return chart_figure([trace], layout)


def authority_decile_map(
    geojson: dict | str, lsoas: pd.DataFrame, la_name: str, imd_year: int, domain: str
) -> tuple[go.Figure, str]:
    """An authority's neighbourhoods by national decile of one domain, with its alt text."""
    name = DOMAIN_NAMES[domain]
    fig = decile_map(
        geojson,
        lsoas,
        title=f"{la_name}: neighbourhoods by national deprivation decile",
        subtitle=f"{name}, IMD {imd_year}; decile 1 = most deprived 10% of neighbourhoods "
        "in England",
        decile_column=f"{domain}_decile",
        rank_column=f"{domain}_rank",
    )
    most = int((lsoas[f"{domain}_decile"] == 1).sum())
    alt = (
        f"Map of {la_name}'s {len(lsoas)} neighbourhoods (LSOAs) coloured by national "
        f"{name} decile, from 1 (most deprived 10% in England) to 10 (least deprived). "
        f"{most} of them are in decile 1."
    )
    return fig, alt


def value_map(
    geojson: dict | str,
    frame: pd.DataFrame,
    value_column: str,
    value_label: str,
    title: str,
    subtitle: str,
    hover_columns: dict[str, str],
    colourscale: str = "Viridis",
    reverse: bool = True,
) -> go.Figure:
    """Neighbourhoods coloured by a continuous value (a rate or a share); grey where missing."""
    frame = frame.sort_values("lsoa_code")
    labels = list(hover_columns.values())
    customdata = frame[["lsoa_name", "lsoa_code", *hover_columns.keys()]].to_numpy()
    hover_lines = "".join(
        f"{label}: %{{customdata[{i + 2}]}}<br>" for i, label in enumerate(labels)
    )
    shown = frame[frame[value_column].notna()]
    missing = frame[frame[value_column].isna()]
    traces = []
    if len(missing):
        traces.append(
            {
                "type": "choropleth",
                "geojson": geojson,
                "locations": missing["lsoa_code"],
                "featureidkey": "id",
                "z": [0] * len(missing),
                "colorscale": [[0, "#d9d9d9"], [1, "#d9d9d9"]],
                "showscale": False,
                "marker": {"line": {"color": "white", "width": 0.4}},
                "customdata": customdata[frame[value_column].isna().to_numpy()],
                "hovertemplate": f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>"
                f"{hover_lines}Not shown: too few events<extra></extra>",
                "name": "not shown",
            }
        )
    traces.append(
        {
            "type": "choropleth",
            "geojson": geojson,
            "locations": shown["lsoa_code"],
            "featureidkey": "id",
            "z": shown[value_column],
            "colorscale": colourscale,
            "reversescale": reverse,
            "marker": {"line": {"color": "white", "width": 0.4}},
            "customdata": customdata[frame[value_column].notna().to_numpy()],
            "hovertemplate": f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>"
            f"{hover_lines}<extra></extra>",
            "colorbar": {"title": {"text": value_label, "font": {"size": 13}}, "thickness": 16},
        }
    )
    return chart_figure(traces, chart_layout(title, subtitle, height=620, **MAP_LAYOUT))


def empty_world_topojson() -> dict:
    """The world basemap plotly's geo subplot loads, with no features: our maps hide it anyway."""
    layers = ["coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits"]
    return {
        "type": "Topology",
        "objects": {name: {"type": "GeometryCollection", "geometries": []} for name in layers},
        "arcs": [],
        "bbox": [-180, -90, 180, 90],
    }
