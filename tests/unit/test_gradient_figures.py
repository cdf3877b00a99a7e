"""Gradient, ethnicity and trend figure builders: labelled axes, overlays, text alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from csc_inequalities.figures.ethnicity import ethnicity_chart, ethnicity_deprivation_chart
from csc_inequalities.figures.gradient import gradient_chart
from csc_inequalities.figures.style import BEYOND_NAME, SOURCE_ANNOTATION
from csc_inequalities.figures.trend import quintile_trend_chart, sii_trend_chart
from csc_inequalities.publication.charts import mark_suppressed_groups, marked_for_view
from csc_inequalities.publication.disclosure import SUPPRESSED, View
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.gradient import CWIP_LABEL
from csc_inequalities.results.measures import default_measure
from tests.helpers.synthetic_store import synthetic_spells, synthetic_store

LA = "E06000009"


@pytest.fixture(scope="module")
def analysis():
    store = synthetic_store(LA, n_lsoas=120)
    records = LoadResult(spells=synthetic_spells(store.lsoas(2019), 3000))
    return run_analysis(records, store, LA, 2019, default_measure(records.spells, "CLA"))


def unwrapped(text: str) -> str:
    """An axis title as one line (titles are broken with <br> so they fit narrow charts)."""
    return text.replace("<br>", " ")


def test_gradient_chart_labels_direction_and_cwip(analysis):
    label = analysis.measure.label()
    fig, alt = gradient_chart(
        analysis.gradient, analysis.overall, label, analysis.la_name, cwip=analysis.cwip
    )
    axis = fig.layout.xaxis
    assert unwrapped(axis.title.text) == "National decile (1 = most deprived 10% in England)"
    assert (
        axis.ticktext[0] == "1<br>most<br>deprived"
        and axis.ticktext[-1] == "10<br>least<br>deprived"
    )
    assert unwrapped(fig.layout.yaxis.title.text) == "Rate per 10,000 children aged 0-17"
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
    assert unwrapped(fig.layout.xaxis.title.text) == (
        "Local quintile (1 = Testshire's most deprived 20%)"
    )


def test_ethnicity_and_trend_charts_build_with_text_alternatives(analysis):
    label = analysis.measure.label()
    figures = [
        ethnicity_chart(analysis.ethnicity, analysis.overall.rate_per_10000, label, "Testshire"),
        ethnicity_deprivation_chart(analysis.ethnicity_deprivation, label, "Testshire"),
        quintile_trend_chart(analysis.trend.gradient, analysis.measure.series_label(), "Testshire"),
        sii_trend_chart(analysis.trend.sii, analysis.measure.series_label(), "Testshire"),
    ]
    for fig, alt in figures:
        assert fig.data and "Testshire" in alt
    groups = [trace for trace in figures[1][0].data if trace.name != BEYOND_NAME]
    assert len(groups) == 5  # one trace per major ethnic group


def test_charts_keep_title_in_meta_the_overall_line_and_a_named_source_line(analysis):
    label, series = analysis.measure.label(), analysis.measure.series_label()
    rate = analysis.overall.rate_per_10000
    with_overall = [
        gradient_chart(analysis.gradient, analysis.overall, label, "Testshire"),
        ethnicity_chart(analysis.ethnicity, rate, label, "Testshire"),
    ]
    others = [
        ethnicity_deprivation_chart(analysis.ethnicity_deprivation, label, "Testshire"),
        quintile_trend_chart(analysis.trend.gradient, series, "Testshire"),
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


def quintile_table(children: dict[str, float], rates: dict[str, float]) -> pd.DataFrame:
    """An ethnicity-by-quintile table: every group in every quintile, with given children."""
    rows = []
    for quintile in range(1, 6):
        for group in ("White", "Mixed", "Asian", "Black", "Other"):
            rate = rates.get(group, 40.0) * (1.5 if quintile == 1 else 1.0)
            rows.append(
                {
                    "quintile": quintile,
                    "quintile_label": str(quintile),
                    "ethnic_group": group,
                    "children": children.get(group, 5000.0),
                    "count": rate * children.get(group, 5000.0) / 10_000,
                    "rate_per_10000": rate,
                    "lower_95ci": rate * 0.7,
                    "upper_95ci": rate * 1.3 if children.get(group, 5000.0) >= 200 else 14_000,
                }
            )
    return pd.DataFrame(rows)


def test_a_group_with_too_few_children_is_named_not_drawn_and_cannot_flatten_the_axis():
    table = quintile_table({"Black": 20.0}, {"Black": 500.0})
    fig, alt = ethnicity_deprivation_chart(table, "CPP", "Smallville")
    names = [trace.name for trace in fig.data]
    assert "Black, African, Caribbean or Black British" not in names
    top = fig.layout.yaxis.range[1]
    assert 60 <= top < 100  # White..Other rates 40-60 with intervals to 78, not 14,000
    assert "too few children" in alt
    assert "fewer than 200 children are not drawn" in fig.layout.meta["subtitle"]


def test_an_interval_far_beyond_the_estimates_is_cut_at_the_axis_and_marked():
    table = quintile_table({}, {})
    wide = (table["ethnic_group"] == "Asian") & (table["quintile"] == 5)
    table.loc[wide, "upper_95ci"] = 5_000.0
    fig, _ = ethnicity_deprivation_chart(table, "CPP", "Smallville")
    [marker] = [trace for trace in fig.data if trace.name == BEYOND_NAME]
    assert list(marker.x) == [5.0] and marker.y[0] == fig.layout.yaxis.range[1]
    assert fig.layout.yaxis.range[1] < 100


def test_a_quintile_with_no_children_has_no_legend_entry(analysis):
    gradient = analysis.trend.gradient.copy()
    gradient.loc[gradient["group"] == 5, ["children", "count", "rate_per_10000"]] = [
        0.0,
        0.0,
        np.nan,
    ]
    fig, _ = quintile_trend_chart(gradient, analysis.measure.series_label(), "Testshire")
    assert [trace.name for trace in fig.data if trace.name != BEYOND_NAME] == [
        "Quintile 1 most deprived",
        "Quintile 2",
        "Quintile 3",
        "Quintile 4",
    ]


LONG_NAME = "Bournemouth, Christchurch and Poole"


def test_axis_titles_are_broken_into_lines_that_fit_narrow_charts(analysis):
    label = analysis.measure.label()
    for fig, _ in (
        gradient_chart(
            analysis.gradient,
            analysis.overall,
            label,
            "Bournemouth, Christchurch and Poole",
            "local_decile",
        ),
        ethnicity_deprivation_chart(analysis.ethnicity_deprivation, label, "Testshire"),
        sii_trend_chart(analysis.trend.sii, analysis.measure.series_label(), "Testshire"),
    ):
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            lines = (axis.title.text or "").split("<br>")
            assert max(len(line) for line in lines) <= 40, axis.title.text
