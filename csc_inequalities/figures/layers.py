"""Map layers of an analysis' per-LSOA table: smoothed or thresholded rates, minority share."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.figures.maps import value_map
from csc_inequalities.stats.smoothing import SMALL_COUNT_THRESHOLD

LAYERS = {
    "decile": "Deprivation decile (national)",
    "smoothed": "Rate per 10,000, smoothed",
    "rate": f"Rate per 10,000, areas under {SMALL_COUNT_THRESHOLD} events hidden",
    "minority": "Residents from minority ethnic groups (%)",
}
RATE_LAYERS = ("smoothed", "rate")


def layer_map(
    geojson: dict | str, lsoas: pd.DataFrame, layer: str, name: str, label: str
) -> tuple[go.Figure, str]:
    """A rate or minority-share map of the analysis' per-LSOA table, with its alt text."""
    frame = lsoas.copy()
    frame["minority_percent"] = (frame["minority_share"] * 100).round(1)
    frame["rate_shown"] = frame["rate_per_10000"].where(~frame["small_count"])
    frame["rate_text"] = frame["rate_per_10000"].round(1)
    frame["smoothed_text"] = frame["smoothed_rate"].round(1)
    hover = {
        "national_decile": "National decile (1 = most deprived)",
        "children": "Children aged 0-17",
        "count": "Count",
        "rate_text": "Rate per 10,000",
        "smoothed_text": "Smoothed rate per 10,000",
    }
    if layer == "minority":
        fig = value_map(
            geojson,
            frame,
            "minority_percent",
            "% minority<br>ethnic groups",
            f"{name}: residents from minority ethnic groups",
            "Census 2021, all usual residents; groups other than White",
            {"national_decile": hover["national_decile"], "minority_percent": "% minority"},
        )
        alt = f"Map of the share of {name}'s residents from minority ethnic groups by LSOA."
        return fig, alt
    column = "smoothed_rate" if layer == "smoothed" else "rate_shown"
    subtitle = (
        "Empirical Bayes rate, shrunk towards the authority rate where events are few"
        if layer == "smoothed"
        else f"Neighbourhoods with fewer than {SMALL_COUNT_THRESHOLD} events shown grey"
    )
    fig = value_map(
        geojson,
        frame,
        column,
        "Rate per<br>10,000",
        f"{name}: {label[0].lower()}{label[1:]}, rate per 10,000 children",
        subtitle,
        hover,
    )
    alt = (
        f"Map of {name}'s neighbourhoods coloured by the rate per 10,000 children "
        f"({subtitle.lower()}). The neighbourhoods table in the exports has the same figures."
    )
    return fig, alt
