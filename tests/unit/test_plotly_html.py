"""A chart's screen JSON: what plotly itself writes for the screen version, written faster."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

from csc_inequalities.figures.ethnicity import ethnicity_chart, ethnicity_deprivation_chart
from csc_inequalities.figures.gradient import gradient_chart
from csc_inequalities.figures.maps import decile_map
from csc_inequalities.figures.style import SOURCE_ANNOTATION, chart_layout
from csc_inequalities.figures.trend import quintile_trend_chart, sii_trend_chart
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.maps_data import authority_geojson
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.measures import default_measure
from modules.plotly_html import plotly_ui, screen_json
from tests.helpers.synthetic_store import synthetic_spells, synthetic_store

LA = "E06000009"


@pytest.fixture(scope="module")
def charts() -> list[go.Figure]:
    store = synthetic_store(LA, n_lsoas=120)
    records = LoadResult(spells=synthetic_spells(store.lsoas(2019), 3000))
    result = run_analysis(records, store, LA, 2019, default_measure(records.spells, "CLA"))
    label, series = result.measure.label(), result.measure.series_label()
    built = [
        gradient_chart(result.gradient, result.overall, label, "Testshire", cwip=result.cwip),
        ethnicity_chart(result.ethnicity, result.overall.rate_per_10000, label, "Testshire"),
        ethnicity_deprivation_chart(result.ethnicity_deprivation, label, "Testshire"),
        quintile_trend_chart(result.trend.gradient, series, "Testshire"),
        sii_trend_chart(result.trend.sii, series, "Testshire"),
    ]
    return [fig for fig, _ in built]


def plain(value: Any) -> Any:
    """JSON with plotly's typed arrays ({dtype, bdata}) as lists and NaN as null."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return plain(array.tolist())
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def plotly_screen_version(fig: go.Figure) -> dict:
    """The screen version made through plotly's public API, as the app used to make it."""
    screen = go.Figure(fig)
    bottom = screen.layout.margin.b if screen.layout.margin.b is not None else 110
    screen.update_layout(title=None, margin={"t": 30, "b": max(60, bottom - 50)})
    screen.layout.annotations = [
        a for a in screen.layout.annotations if a.name != SOURCE_ANNOTATION
    ]
    written = json.loads(screen.to_json())
    written["layout"].pop("title", None)
    return plain(written)


def test_screen_json_is_plotlys_screen_version_of_every_chart(charts, store):
    lsoas = store.lsoas(2025)
    lsoas = lsoas[lsoas["la_code"] == LA]
    figures = [*charts, decile_map(authority_geojson(2025, LA), lsoas, "Blackpool")]
    for fig in figures:
        before = fig.to_json()
        written = json.loads(screen_json(fig))
        assert plain(written) == plotly_screen_version(fig)
        assert "title" not in written["layout"]
        assert all(
            a.get("name") != SOURCE_ANNOTATION for a in written["layout"].get("annotations", [])
        )
        assert fig.to_json() == before  # the figure itself keeps its title and source line


def test_screen_json_margins_follow_the_printed_bottom_margin():
    tall = go.Figure(layout=chart_layout("T", margin={"b": 190}))
    default = go.Figure(layout={"title": {"text": "T"}})
    assert json.loads(screen_json(tall))["layout"]["margin"] == {
        "l": 70,
        "r": 30,
        "t": 30,
        "b": 140,
    }
    assert json.loads(screen_json(default))["layout"]["margin"] == {"t": 30, "b": 60}


def test_text_in_a_chart_cannot_end_the_script_it_is_drawn_by():
    attack = "</script><script>alert(1)</script>"
    fig = go.Figure(
        data=[{"type": "bar", "x": [1], "y": [2], "hovertext": [attack]}],
        layout=chart_layout(attack, attack),
    )
    html = str(plotly_ui(fig, "chart", "alt"))
    assert "alert(1)" in html and "</script><script>" not in html
    assert html.count("</script>") == 1
