"""Plotly figures as light HTML fragments; plotly.js itself is served once as a static asset."""

from __future__ import annotations

import plotly.graph_objects as go
from shiny import ui

from csc_inequalities.figures.maps import TOPOJSON_FOLDER

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "topojsonURL": TOPOJSON_FOLDER,
}


def plotly_ui(fig: go.Figure, element_id: str, alt_text: str = "") -> ui.Tag:
    """A figure as an HTML fragment with a text alternative for screen readers."""
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config=PLOTLY_CONFIG,
    )
    return ui.div(
        ui.HTML(html),
        ui.p(alt_text, class_="visually-hidden") if alt_text else None,
        role="figure",
        aria_label=alt_text or None,
        class_="plotly-figure",
    )
