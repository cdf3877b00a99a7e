"""Gradient, ethnicity and trend figure builders: labelled axes, overlays, text alternatives."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from csc_inequalities.figures.ethnicity import ethnicity_chart, ethnicity_deprivation_chart
from csc_inequalities.figures.gradient import gradient_chart
from csc_inequalities.figures.style import SOURCE_ANNOTATION
from csc_inequalities.figures.trend import sii_trend_chart, trend_chart
from csc_inequalities.publication.charts import mark_suppressed_groups, marked_for_view
from csc_inequalities.publication.disclosure import SUPPRESSED, View
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.gradient import CWIP_LABEL
from csc_inequalities.results.measures import default_measure
from tests.unit.synthetic_store import synthetic_spells, synthetic_store

LA = "E06000009"


@pytest.fixture(scope="module")
def analysis():
    store = synthetic_store(LA, n_lsoas=120)
    records = LoadResult(spells=synthetic_spells(store.lsoas(2019), 3000))
    return run_analysis(records, store, LA, 2019, default_measure(records.spells, "CLA"))


def test_gradient_chart_labels_direction_and_cwip(analysis):
    label = analysis.measure.label()
    fig, alt = gradient_chart(
        analysis.gradient, analysis.overall, label, analysis.la_name, cwip=analysis.cwip
    )
    axis = fig.layout.xaxis
    assert axis.title.text == "National decile (1 = most deprived 10% in England)"
    assert (
        axis.ticktext[0] == "1<br>most<br>deprived"
        and axis.ticktext[-1] == "10<br>least<br>deprived"
    )
    assert fig.layout.yaxis.title.text == "Rate per 10,000 children aged 0-17"
    cwip = [trace for trace in fig.data if trace.name == CWIP_LABEL]
    assert len(cwip) == 1 and cwip[0].visible is True
    assert "decile 1 being the most deprived" in alt and CWIP_LABEL in alt
    hidden, hidden_alt = gradient_chart(
        analysis.gradient, analysis.overall, label, analysis.la_name, cwip=analysis.cwip,
        show_cwip=False,
    )  # fmt: skip
    assert [t.visible for t in hidden.data if t.name == CWIP_LABEL] == ["legendonly"]
    assert CWIP_LABEL not in hidden_alt


def test_local_quintile_chart_says_local(analysis):
    fig, _ = gradient_chart(
        analysis.gradient_quintiles, analysis.overall, "x", "Testshire", "local_quintile"
    )
    assert fig.layout.xaxis.title.text == "Local quintile (1 = Testshire's most deprived 20%)"


def test_ethnicity_and_trend_charts_build_with_text_alternatives(analysis):
    label = analysis.measure.label()
    figures = [
        ethnicity_chart(analysis.ethnicity, analysis.overall.rate_per_10000, label, "Testshire"),
        ethnicity_deprivation_chart(analysis.ethnicity_deprivation, label, "Testshire"),
        trend_chart(analysis.trend.gradient, analysis.measure.series_label(), "Testshire"),
        sii_trend_chart(analysis.trend.sii, analysis.measure.series_label(), "Testshire"),
    ]
    for fig, alt in figures:
        assert fig.data and "Testshire" in alt
    assert len(figures[1][0].data) == 5  # one trace per major ethnic group


def test_charts_keep_title_in_meta_the_overall_line_and_a_named_source_line(analysis):
    label, series = analysis.measure.label(), analysis.measure.series_label()
    rate = analysis.overall.rate_per_10000
    with_overall = [
        gradient_chart(analysis.gradient, analysis.overall, label, "Testshire"),
        ethnicity_chart(analysis.ethnicity, rate, label, "Testshire"),
    ]
    others = [
        ethnicity_deprivation_chart(analysis.ethnicity_deprivation, label, "Testshire"),
        trend_chart(analysis.trend.gradient, series, "Testshire"),
        sii_trend_chart(analysis.trend.sii, series, "Testshire"),
    ]
    for fig, _ in with_overall + others:
        assert fig.layout.meta["title"] in (label, series)
        assert fig.layout.meta["subtitle"].startswith("Testshire: ")
        # The screen drops the source line by this name; exports keep it.
        source = fig.layout.annotations[-1]
        assert source.name == SOURCE_ANNOTATION
        assert source.text.startswith("Source: the authority's own records")
    for fig, _ in with_overall:
        overall = [a for a in fig.layout.annotations if a.text == f"Testshire overall: {rate:.1f}"]
        assert len(overall) == 1 and fig.layout.shapes[0].y0 == rate


def test_published_charts_mark_suppressed_bars_and_say_so_in_their_alt_text():
    frame = pd.DataFrame({"group": ["1", "2", "3"], "count": ["12", SUPPRESSED, "30"]})
    alt = "Decile 1: 40.0 per 10,000; decile 2: nan per 10,000; decile 3: 55.0 per 10,000."

    internal = go.Figure(go.Bar(x=frame["group"], y=[40.0, None, 55.0]))
    assert marked_for_view(internal, alt, frame, View.INTERNAL, mark_suppressed_groups) == alt
    assert len(internal.data) == 1

    published = go.Figure(go.Bar(x=frame["group"], y=[40.0, None, 55.0]))
    said = marked_for_view(published, alt, frame, View.PUBLICATION, mark_suppressed_groups)
    assert said == alt.replace("nan", "suppressed")
    assert list(published.data[-1].x) == ["2"] and list(published.data[-1].text) == [SUPPRESSED]
