"""The funnel plot, the decomposition chart and the locality map: what they draw and say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csc_inequalities.figures.decomposition import decomposition_chart
from csc_inequalities.figures.funnel import POSITION_STYLE, funnel_chart
from csc_inequalities.figures.locality_map import locality_map
from csc_inequalities.stats import funnel


def localities_table(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """A locality table from (name, count, expected): ratios, limits and positions as computed."""
    names, counts, expected = (list(column) for column in zip(*rows, strict=True))
    counts, expected = np.array(counts, float), np.array(expected, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, counts / expected, np.nan)
    return pd.DataFrame(
        {
            "locality": names,
            "count": counts,
            "expected": expected,
            "ratio": ratio,
            "ratio_lower": ratio * 0.8,
            "ratio_upper": ratio * 1.2,
            "position": funnel.funnel_position(counts, expected),
            "in_scheme": True,
        }
    )


def markers(fig) -> dict[str, list]:
    """Points drawn per legend name."""
    return {t.name: list(t.x) for t in fig.data if t.mode and "markers" in t.mode}


def test_the_funnel_draws_each_position_with_its_own_shape_and_names_outliers():
    table = localities_table(
        [("Low town", 40, 80.0), ("Middle", 50, 50.0), ("High ward", 90, 40.0), ("Even", 9, 9.5)]
    )
    fig, alt = funnel_chart(table, "Children on a plan", "Testshire", "Districts", "district")
    drawn = markers(fig)
    assert drawn[POSITION_STYLE[funnel.HIGH_998][0]] == [40.0]
    assert drawn[POSITION_STYLE[funnel.LOW_998][0]] == [80.0]
    assert sorted(drawn[POSITION_STYLE[funnel.WITHIN][0]]) == [9.5, 50.0]
    symbols = {t.name: t.marker.symbol for t in fig.data if t.mode and "markers" in t.mode}
    assert len(set(symbols.values())) == 3  # not colour alone
    assert "Above the 99.8% limit: High ward." in alt and "Below the 99.8% limit: Low town." in alt
    high = next(t for t in fig.data if t.name == POSITION_STYLE[funnel.HIGH_998][0])
    assert list(high.text) == ["High ward"]
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines if t.showlegend] == ["95% limits", "99.8% limits"]


@pytest.mark.parametrize(
    "rows",
    [
        # The smallest authorities: localities expecting less than one event each.
        [("North", 1, 0.4), ("South", 0, 0.6), ("Centre", 2, 0.5)],
        # The largest: hundreds of events expected.
        [("A", 1400, 1300.0), ("B", 1150, 1200.0), ("C", 980, 1000.0), ("D", 2100, 2050.0)],
    ],
    ids=["smallest", "largest"],
)
def test_the_funnel_axes_hold_every_point_and_the_funnel_for_any_size(rows):
    table = localities_table(rows)
    fig, _ = funnel_chart(table, "Children on a plan", "Testshire", "Wards", "ward")
    x_range, y_range = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert x_range[0] == 0 and x_range[1] >= table["expected"].max()
    assert y_range[0] == 0 and y_range[1] > table["ratio"].max()
    typical = table["expected"].median()
    assert y_range[1] >= funnel.ratio_limits(typical, 0.95)[1][0]
    # The axis is not stretched far beyond what is drawn: the largest authority's funnel is
    # narrow, so its axis stays within a few times the points' spread.
    assert y_range[1] <= max(1.6, funnel.ratio_limits(typical, 0.95)[1][0] * 1.1 + 1e-9,
                             table["ratio"].max() * 1.15 + 1e-9)  # fmt: skip


def test_suppressed_localities_are_left_out_and_said_so():
    table = localities_table([("A", 30, 28.0), ("B", 20, 22.0), ("C", 3, 2.5)])
    table.loc[2, ["count", "ratio", "ratio_lower", "ratio_upper", "position"]] = [
        np.nan, np.nan, np.nan, np.nan, None
    ]  # fmt: skip
    fig, alt = funnel_chart(table, "Children on a plan", "Testshire", "Wards", "ward")
    assert sum(len(x) for x in markers(fig).values()) == 2
    assert "funnel plot of 2 wards" in alt and "1 not drawn (suppressed" in alt
    geojson = {"type": "FeatureCollection", "features": []}
    fig, alt = locality_map(geojson, table, "Children on a plan", "Testshire", "Wards")
    grey, coloured = fig.data
    assert list(grey.locations) == ["C"] and list(coloured.locations) == ["A", "B"]
    assert "1 grey (suppressed or not compared)" in alt


def test_the_map_colours_each_funnel_position():
    table = localities_table([("Low", 40, 80.0), ("Mid", 50, 50.0), ("High", 90, 40.0)])
    fig, alt = locality_map(
        {"type": "FeatureCollection", "features": []}, table, "CPP", "T", "Wards"
    )
    (trace,) = fig.data
    order = list(POSITION_STYLE)
    assert list(trace.z) == [order.index(p) for p in table["position"]]
    assert list(trace.colorbar.ticktext) == [POSITION_STYLE[p][0] for p in order]
    assert "1 above the 99.8% limit: High" in alt


def test_the_decomposition_steps_add_up_from_england_to_the_authority():
    fig, alt = decomposition_chart(
        47.0, "England (estimated)", 69.0, "Testshire", "CPP", 33.0, -11.0
    )
    (bars,) = fig.data
    assert list(bars.base) == [0.0, 47.0, 80.0, 0.0]
    assert list(bars.y) == [47.0, 33.0, -11.0, 69.0]
    assert bars.base[2] + bars.y[2] == bars.y[3]
    assert list(bars.text) == ["47.0", "+33.0", "\u221211.0", "69.0"]
    assert "accounts for +33.0 per 10,000" in alt
    assert fig.layout.yaxis.range[1] > 80.0
    fig, alt = decomposition_chart(
        47.0, "England (estimated)", 69.0, "Testshire", "CPP", None, None
    )
    assert len(fig.data[0].y) == 2 and alt.endswith("withheld.")
