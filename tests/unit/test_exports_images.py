"""Chart images: print resolution, SVG that parses, titles that say measure, authority and view."""

from __future__ import annotations

import os
import shutil

import plotly.graph_objects as go
import pytest
from defusedxml import ElementTree

from csc_inequalities.exports.images import (
    PNG_MIN_WIDTH_PX,
    export_image,
    figure_image,
    png_size,
    print_ready,
)
from csc_inequalities.figures.style import DECILE_DIRECTION, apply_layout
from csc_inequalities.publication.view_context import view_context
from tests.helpers.exports_analysis import synthetic_analysis

needs_browser = pytest.mark.skipif(
    shutil.which("chromium") is None and "BROWSER_PATH" not in os.environ,
    reason="kaleido needs Chromium",
)


def bar_chart(analysis) -> go.Figure:
    fig = go.Figure(
        go.Bar(x=analysis.gradient["group_label"], y=analysis.gradient["rate_per_10000"])
    )
    fig.update_layout(xaxis_title="Deprivation decile", yaxis_title="Rate per 10,000 children")
    return apply_layout(fig, "Screen title", "screen subtitle")


def svg_text(content: bytes) -> str:
    root = ElementTree.fromstring(content)
    return " ".join(t for element in root.iter() for t in [element.text] if t)


def test_a4_text_width_at_300_dpi_is_1890_pixels():
    assert PNG_MIN_WIDTH_PX == 1890


def test_print_ready_title_subtitle_and_a_single_source_line():
    analysis, _ = synthetic_analysis()
    ready = print_ready(bar_chart(analysis), view_context(analysis, "internal"), "Rate by decile")
    title = ready.layout.title.text
    assert "Rate by decile (internal: not for publication)" in title
    assert "31 March 2024" in title and "Testborough (E09000099)" in title
    assert DECILE_DIRECTION in title
    sources = [a for a in ready.layout.annotations if "Source:" in a.text]
    assert len(sources) == 1 and "Open Government Licence" in sources[0].text


@needs_browser
def test_png_is_300_dpi_at_a4_text_width():
    analysis, _ = synthetic_analysis()
    image = export_image(
        bar_chart(analysis),
        view_context(analysis, "publication"),
        "gradient",
        "Rate by decile",
        "Bar chart: rates fall from decile 1 to decile 10.",
        "png",
    )
    width, height = png_size(image.content)
    assert width >= PNG_MIN_WIDTH_PX and height > 1000
    assert image.media_type == "image/png"
    assert image.filename.endswith("-gradient-publication.png")
    assert image.alt_text.startswith("Bar chart")
    assert os.environ.get("BROWSER_PATH")


@needs_browser
def test_svg_parses_and_carries_title_view_axes_and_source():
    analysis, _ = synthetic_analysis()
    image = export_image(
        bar_chart(analysis),
        view_context(analysis, "publication"),
        "gradient",
        "Rate by decile",
        "alt",
        "svg",
    )
    text = svg_text(image.content)
    for expected in (
        "Rate by decile",
        "Publication: disclosure control applied",
        "Testborough (E09000099)",
        "Rate per 10,000 children",
        "Deprivation decile",
        "Decile 1 = most deprived",
        "Source:",
    ):
        assert expected in text, expected
    assert image.filename.endswith(".svg")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png or svg"):
        figure_image(go.Figure(), "gif")


def test_png_size_refuses_other_files():
    with pytest.raises(ValueError):
        png_size(b"<svg/>")
