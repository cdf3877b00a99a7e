"""Plotly figures as light HTML fragments; plotly.js itself is served once as a static asset."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from shiny import ui

from csc_inequalities.figures.maps import TOPOJSON_FOLDER
from csc_inequalities.figures.style import SOURCE_ANNOTATION

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "topojsonURL": TOPOJSON_FOLDER,
}


def screen_version(fig: go.Figure) -> go.Figure:
    """The figure without its printed title and source line, with margins to match.

    Changes the figure in place (each render builds its own), which saves copying a map's
    GeoJSON through plotly's validators.
    """
    screen = fig
    bottom = screen.layout.margin.b if screen.layout.margin.b is not None else 110
    screen.update_layout(title=None, margin={"t": 30, "b": max(60, bottom - 50)})
    screen.layout.annotations = [
        a for a in screen.layout.annotations if a.name != SOURCE_ANNOTATION
    ]
    return screen


def plotly_ui(
    fig: go.Figure, element_id: str, alt_text: str = "", click_input: str | None = None
) -> ui.Tag:
    """A figure as an HTML fragment with a text alternative; optionally report map clicks.

    On screen the title and subtitle are HTML above the chart (they wrap on narrow screens)
    and the source line is on the About page; exported images keep all three.
    """
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    fig = screen_version(fig)
    height = f"{fig.layout.height}px" if fig.layout.height else "100%"
    # www/app.js draws the figure once plotly.js, which loads without blocking the page, is
    # ready; plotly's JSON writer escapes "<", so the figure cannot end the script early.
    arguments = [json.dumps(element_id), fig.to_json(), json.dumps(PLOTLY_CONFIG)]
    draw = f"cscPlot({', '.join(arguments)}, {json.dumps(click_input)});"
    plot = ui.div(
        ui.div(id=element_id, class_="plotly-graph-div", style=f"height:{height}; width:100%;"),
        ui.tags.script(ui.HTML(draw)),
    )
    heading = (
        ui.p(
            ui.strong(meta.get("title", "")),
            ui.br(),
            ui.span(meta.get("subtitle", ""), class_="text-body-secondary small"),
            class_="chart-title mb-1",
        )
        if meta.get("title")
        else None
    )
    return ui.div(
        heading,
        plot,
        ui.p(alt_text, class_="visually-hidden") if alt_text else None,
        role="figure",
        aria_label=alt_text or None,
        class_="plotly-figure",
    )
