"""Plotly figures as light HTML fragments; plotly.js itself is served once as a static asset."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from shiny import ui

from csc_inequalities.figures.maps import TOPOJSON_FOLDER

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


def plotly_ui(
    fig: go.Figure, element_id: str, alt_text: str = "", click_input: str | None = None
) -> ui.Tag:
    """A figure as an HTML fragment with a text alternative; optionally report map clicks."""
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
    return ui.div(
        ui.HTML(html),
        script,
        ui.p(alt_text, class_="visually-hidden") if alt_text else None,
        role="figure",
        aria_label=alt_text or None,
        class_="plotly-figure",
    )
