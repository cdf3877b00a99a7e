"""The decomposition chart: from England's rate to the authority's, in two steps.

A bridge of bars: the reference rate, the part of the difference due to the authority's mix
of neighbourhoods, the part due to different rates within deciles, and the authority's rate.
The two middle bars float from where the previous one ends, so the steps add up by eye.
"""

from __future__ import annotations

import plotly.graph_objects as go

from csc_inequalities.figures.gradient import RECORDS_SOURCE_LINE, Y_TITLE
from csc_inequalities.figures.style import (
    ACCENT_COLOUR,
    CATEGORY_COLOURS,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    axis_title,
    chart_figure,
    chart_layout,
)

CWIP_SOURCE = "England estimate: CWIP 2015 gradient (Bywaters et al. 2020) scaled to DfE's rate."
STEP_LABELS = ("Deprivation mix", "Rates within deciles")


def _number(value: float) -> str:
    """A rate or a signed step for a bar label."""
    return f"{value:,.1f}"


def _signed(value: float) -> str:
    """A step with its sign (a real minus sign, which screen readers say)."""
    return f"{value:+,.1f}".replace("-", "\u2212")


def decomposition_chart(
    reference_rate: float,
    reference_label: str,
    rate: float,
    la_name: str,
    measure_label: str,
    composition: float | None,
    rate_effect: float | None,
    estimate: bool = True,
) -> tuple[go.Figure, str]:
    """Bars from the reference rate through the two effects to the authority's rate.

    With the effects withheld (None) only the two rates are drawn.
    """
    steps = composition is not None and rate_effect is not None
    names = [reference_label, *(STEP_LABELS if steps else ()), la_name]
    bottoms = [0.0]
    heights = [reference_rate]
    colours = [REFERENCE_COLOUR]
    texts = [_number(reference_rate)]
    if composition is not None and rate_effect is not None:
        bottoms += [reference_rate, reference_rate + composition]
        heights += [composition, rate_effect]
        colours += [CATEGORY_COLOURS[1], CATEGORY_COLOURS[2]]
        texts += [_signed(composition), _signed(rate_effect)]
    bottoms.append(0.0)
    heights.append(rate)
    colours.append(ACCENT_COLOUR)
    texts.append(_number(rate))
    tops = [b + h for b, h in zip(bottoms, heights, strict=True)]
    trace = {
        "type": "bar",
        "x": list(range(len(names))),
        "y": heights,
        "base": bottoms,
        "marker": {"color": colours},
        "text": texts,
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": [f"{n}: {t}" for n, t in zip(names, texts, strict=True)],
        "hoverinfo": "text",
        "showlegend": False,
    }
    top = max(max(tops), max(bottoms), 1.0)
    layout = chart_layout(
        measure_label,
        f"{la_name} against {reference_label}: rate per 10,000 and what makes up the gap",
        source=f"{RECORDS_SOURCE_LINE} {CWIP_SOURCE}" if estimate else RECORDS_SOURCE_LINE,
        height=460,
        source_y=-0.32,
        xaxis={
            "tickvals": list(range(len(names))),
            "ticktext": [axis_title(n, 12)["text"] for n in names],
            "tickangle": 0,
        },
        yaxis={"title": axis_title(Y_TITLE), "range": [0, top * 1.18]},
        margin={"b": 150},
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "y",
                "x0": i + 0.4,
                "x1": i + 0.6,
                "y0": tops[i],
                "y1": tops[i],
                "line": {"color": MUTED_COLOUR, "width": 1, "dash": "dot"},
            }
            for i in range(len(names) - 1)
        ],
    )
    return chart_figure([trace], layout), decomposition_alt_text(
        reference_rate, reference_label, rate, la_name, measure_label, composition, rate_effect
    )


def decomposition_alt_text(
    reference_rate: float,
    reference_label: str,
    rate: float,
    la_name: str,
    measure_label: str,
    composition: float | None,
    rate_effect: float | None,
) -> str:
    """What the chart shows, in words."""
    text = (
        f"{measure_label}: bar chart from {reference_label}'s rate of "
        f"{_number(reference_rate)} per 10,000 children to {la_name}'s rate of {_number(rate)}."
    )
    if composition is None or rate_effect is None:
        return f"{text} The split of the difference is withheld."
    return (
        f"{text} The deprivation mix of {la_name}'s neighbourhoods accounts for "
        f"{_signed(composition)} per 10,000 and different rates within deciles for "
        f"{_signed(rate_effect)}."
    )
