"""The shared chart layout: plain dicts that give the same figure as plotly's helper calls."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from csc_inequalities.figures import style
from csc_inequalities.figures.style import (
    BASE_MARGIN,
    SOURCE_ANNOTATION,
    apply_layout,
    chart_figure,
    chart_layout,
    reference_label,
    reference_line,
)


def test_reference_line_and_label_are_what_add_hline_draws():
    line = {"color": "#505a5f", "dash": "dash", "width": 2}
    drawn = go.Figure(go.Bar(x=[1, 2], y=[3, 4]))
    drawn.add_hline(
        y=3.5, line=line, annotation_text="Overall: 3.5", annotation_position="top right"
    )
    layout = {
        "shapes": [reference_line(3.5, line)],
        "annotations": [reference_label(3.5, "Overall: 3.5")],
    }
    built = go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout=layout)
    assert built.layout.shapes == drawn.layout.shapes
    assert built.layout.annotations == drawn.layout.annotations


def test_chart_layout_keeps_title_in_meta_and_the_named_source_line_last():
    layout = chart_layout(
        "Title",
        "Subtitle",
        source="Source: somewhere.",
        source_y=-0.45,
        notes=[reference_label(10, "England")],
        margin={"b": 170},
    )
    fig = go.Figure(layout=layout)
    assert fig.layout.meta == {"title": "Title", "subtitle": "Subtitle"}
    assert [a.text for a in fig.layout.annotations] == ["England", "Source: somewhere."]
    source = fig.layout.annotations[-1]
    assert source.name == SOURCE_ANNOTATION and source.y == -0.45
    assert fig.layout.margin.to_plotly_json() == BASE_MARGIN | {"b": 170}


def test_apply_layout_gives_an_existing_figure_the_same_layout():
    fig = go.Figure(go.Bar(x=[1], y=[2]), layout={"annotations": [reference_label(2, "Two")]})
    applied = apply_layout(fig, "Title", "Subtitle", height=500)
    built = go.Figure(
        go.Bar(x=[1], y=[2]),
        layout=chart_layout("Title", "Subtitle", height=500, notes=[reference_label(2, "Two")]),
    )
    assert applied.layout == built.layout


def test_charts_skip_plotlys_validators_but_the_tests_check_every_one():
    traces, layout = [{"type": "bar", "x": [1], "y": [2]}], chart_layout("Title")
    fig = chart_figure(traces, layout)
    assert fig.to_dict()["data"][0]["y"] == [2]
    # An invalid property is refused while the tests run (tests/conftest.py)...
    with pytest.raises(ValueError, match="colour"):
        chart_figure([{"type": "bar", "x": [1], "y": [2], "colour": "red"}], layout)
    with pytest.raises(ValueError):
        chart_figure(traces, {**layout, "height": "tall"})
    # ...and passes unchecked in the app, where the check costs every render its time.
    style.CHECK_FIGURES = False
    try:
        unchecked = chart_figure([{"type": "bar", "x": [1], "y": [2], "colour": "red"}], layout)
    finally:
        style.CHECK_FIGURES = True
    assert unchecked.to_dict()["data"][0]["colour"] == "red"
