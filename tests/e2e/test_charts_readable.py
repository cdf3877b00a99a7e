"""Charts stay readable for every kind of authority, from the smallest unitary to the largest
county: every axis title, legend and note fits inside its chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.helpers.browsing import open_app, open_tab

CHART_TABS = (
    "areas",
    "gradient",
    "ethnicity",
    "trend",
    "cascade",
    "age",
    "standardise",
    "localities",
    "context",
)
SAMPLE_SIZE = 20
# Every visible chart's titles, legend and notes that reach outside the chart's own box.
OUTSIDE = """
() => {
  const outside = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (plot.offsetParent === null) continue;
    const box = plot.getBoundingClientRect();
    const parts = plot.querySelectorAll(
      '.gtitle, .xtitle, .ytitle, .legend, .annotation-text, .xtick text, .ytick text'
    );
    for (const part of parts) {
      const r = part.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const inside = r.left >= box.left - 1 && r.right <= box.right + 1
        && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      if (!inside) {
        outside.push({chart: plot.id, part: part.getAttribute('class'),
                      text: (part.textContent || '').slice(0, 60)});
      }
    }
  }
  return outside;
}
"""
# The chart was drawn with the axis the estimates call for: no bar or point is flattened
# against the axis by another group's interval.
FLATTENED = """
() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(plot => plot.offsetParent !== null && plot._fullLayout.yaxis)
  .filter(plot => {
    const [low, high] = plot._fullLayout.yaxis.range;
    const values = plot._fullData
      .filter(trace => ['bar', 'scatter'].includes(trace.type) && trace.mode !== 'text'
                       && !String(trace.name).startsWith('95% interval'))
      // Array.from: values sent as typed arrays (plotly's base64) are not flattened otherwise.
      .flatMap(trace => Array.from(trace.y || []).filter(v => v !== null && Number.isFinite(v)));
    const top = Math.max(...values);
    return values.length && top > 0 && top < 0.2 * (high - Math.max(low, 0));
  })
  .map(plot => plot.id)
"""


def sample_of_authorities(store) -> list[str]:
    """Authorities spread over the whole range of sizes, the smallest and largest included."""
    by_size = store.authorities.sort_values("children_2021")["la_code"].tolist()
    step = (len(by_size) - 1) / (SAMPLE_SIZE - 1)
    return [by_size[round(i * step)] for i in range(SAMPLE_SIZE)]


@pytest.mark.parametrize("width", [1280])
def test_every_chart_fits_its_box_for_authorities_of_every_size(page: Page, app, store, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems: dict[str, list] = {}
    for la_code in sample_of_authorities(store):
        open_app(page, f"{app.url}?la={la_code}")
        for tab in CHART_TABS:
            open_tab(page, tab)
            outside = page.evaluate(OUTSIDE)
            flattened = page.evaluate(FLATTENED)
            if outside or flattened:
                problems[f"{la_code} {tab}"] = outside + flattened
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())
