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

# Sends the clicked map location (an LSOA code) to Shiny once plotly has drawn the figure.
_CLICK_SCRIPT = """
(function bind(tries) {{
  var gd = document.getElementById({element_id});
  if (gd && gd.on && window.Shiny && Shiny.setInputValue) {{
    gd.on('plotly_click', function (event) {{
      var point = event.points && event.points[0];
      if (point && point.location) {{
        Shiny.setInputValue({input_id}, point.location, {{priority: 'event'}});
      }}
    }});
  }} else if (tries < 50) {{
    setTimeout(function () {{ bind(tries + 1); }}, 100);
  }}
}})(0);
"""


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
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config=PLOTLY_CONFIG,
    )
    script = (
        ui.tags.script(
            _CLICK_SCRIPT.format(
                element_id=json.dumps(element_id), input_id=json.dumps(click_input)
            )
        )
        if click_input
        else None
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
        ui.HTML(html),
        script,
        ui.p(alt_text, class_="visually-hidden") if alt_text else None,
        role="figure",
        aria_label=alt_text or None,
        class_="plotly-figure",
    )
