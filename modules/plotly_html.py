"""Plotly figures as light HTML fragments; plotly.js itself is served once as a static asset."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from shiny import ui

from csc_inequalities.figures.maps import TOPOJSON_FOLDER
from csc_inequalities.figures.style import SOURCE_ANNOTATION

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "topojsonURL": TOPOJSON_FOLDER,
}


def screen_json(fig: go.Figure) -> str:
    """The figure's JSON without its printed title and source line, with margins to match.

    Written from the figure's validated properties without plotly's deep copy and typed-array
    pass (``fig.to_json``): they were most of a chart's rendering time, and the figure is
    left as it was. tests/unit/test_plotly_html.py checks this equals plotly's own JSON.
    """
    layout = dict(fig._layout)  # noqa: SLF001 (plotly 7's validated layout; see the test)
    layout.pop("title", None)
    margin = dict(layout.get("margin") or {})
    bottom = margin.get("b")
    margin.update(t=30, b=max(60, (110 if bottom is None else bottom) - 50))
    layout["margin"] = margin
    notes = [a for a in layout.pop("annotations", ()) if a.get("name") != SOURCE_ANNOTATION]
    if notes:
        layout["annotations"] = notes
    data = [{k: v for k, v in trace.items() if k != "uid"} for trace in fig._data]  # noqa: SLF001
    return to_json_plotly({"data": data, "layout": layout})


def plotly_ui(
    fig: go.Figure, element_id: str, alt_text: str = "", click_input: str | None = None
) -> ui.Tag:
    """A figure as an HTML fragment with a text alternative; optionally report map clicks.

    On screen the title and subtitle are HTML above the chart (they wrap on narrow screens)
    and the source line is on the About page; exported images keep all three.
    """
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    height = f"{fig.layout.height}px" if fig.layout.height else "100%"
    # www/app.js draws the figure once plotly.js, which loads without blocking the page, is
    # ready; plotly's JSON writer escapes "<", so the figure cannot end the script early.
    arguments = [json.dumps(element_id), screen_json(fig), json.dumps(PLOTLY_CONFIG)]
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
