"""Map figures: one polygon per LSOA, offline basemap, hover facts, decile colours by class."""

from __future__ import annotations

import json

import pandas as pd

from csc_inequalities.figures.layers import layer_map
from csc_inequalities.figures.maps import decile_colourscale, decile_map, empty_world_topojson
from csc_inequalities.reference.maps_data import authority_geojson

BLACKPOOL = "E06000009"


def test_geojson_has_one_feature_per_lsoa_keyed_by_code(store) -> None:
    lsoas = store.lsoas(2019)
    expected = set(lsoas.loc[lsoas["la_code"] == BLACKPOOL, "lsoa_code"])
    geojson = authority_geojson(2019, BLACKPOOL)
    assert {feature["id"] for feature in geojson["features"]} == expected


def test_average_authority_geometry_is_light(store) -> None:
    sizes = [
        len(json.dumps(authority_geojson(2019, code)))
        for code in store.authorities["la_code"].head(40)
    ]
    assert sum(sizes) / len(sizes) < 150_000


def test_decile_map_colours_each_decile_with_one_colour(store) -> None:
    lsoas = store.lsoas(2025)
    lsoas = lsoas[lsoas["la_code"] == BLACKPOOL]
    fig = decile_map(authority_geojson(2025, BLACKPOOL), lsoas, "Blackpool")
    trace = fig.data[0]
    assert list(trace.locations) == sorted(lsoas["lsoa_code"])
    assert trace.zmin == 0.5 and trace.zmax == 10.5
    assert "most deprived" in trace.colorbar.ticktext[0]
    scale = decile_colourscale()
    assert len(scale) == 20 and scale[0][1] == scale[1][1] and scale[1][1] != scale[2][1]
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"


def test_empty_world_basemap_is_valid_topojson() -> None:
    topology = empty_world_topojson()
    assert topology["type"] == "Topology"
    assert all(layer["geometries"] == [] for layer in topology["objects"].values())


def test_thresholded_rate_layer_greys_small_counts() -> None:
    lsoas = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002"],
            "lsoa_name": ["A 001A", "A 001B"],
            "children": [400.0, 500.0],
            "count": [3.0, 25.0],
            "rate_per_10000": [75.0, 500.0],
            "smoothed_rate": [180.0, 450.0],
            "small_count": [True, False],
            "decile": [1, 2],
            "national_decile": [1, 2],
            "minority_share": [0.1, 0.3],
        }
    )
    geojson = {"type": "FeatureCollection", "features": []}
    fig, alt = layer_map(geojson, lsoas, "rate", "Somewhere", "Children looked after")
    grey, coloured = fig.data
    assert list(grey.locations) == ["E01000001"]
    assert list(coloured.locations) == ["E01000002"]
    assert "fewer than 10 events" in alt
