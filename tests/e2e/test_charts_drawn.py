"""Every chart on every tab is drawn by the app's own plotly.js bundle, with no trace left out."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.helpers.browsing import open_app, open_tab

CHART_TABS = ("areas", "gradient", "ethnicity", "trend", "context")
# For each drawn figure: its id, the trace types it asked for and the types plotly.js drew
# (a bundle without a type draws such traces as something else, or not at all).
DRAWN_TRACES = """
() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(plot => plot.offsetParent !== null)
  .map(plot => ({
    id: plot.id,
    asked: plot.data.map(trace => trace.type || 'scatter'),
    drawn: plot._fullData.map(trace => trace.type),
  }))
"""


def test_every_chart_is_drawn_with_all_its_traces(page: Page, app) -> None:
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    open_app(page, app.url)
    seen: dict[str, list[str]] = {}
    for tab in CHART_TABS:
        open_tab(page, tab)
        for plot in page.evaluate(DRAWN_TRACES):
            assert plot["drawn"] == plot["asked"] != [], plot
            seen[plot["id"]] = plot["asked"]
    assert {"deprivation-map", "profile-chart", "gradient-plot", "ethnicity-chart"} <= set(seen)
    assert {"trend-chart", "context-trend-chart", "context-adjusted-scatter"} <= set(seen)
    assert {kind for kinds in seen.values() for kind in kinds} == {"bar", "scatter", "choropleth"}
    assert not [text for text in warnings if "trace type" in text.lower()]
