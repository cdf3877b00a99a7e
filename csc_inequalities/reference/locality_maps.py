"""Locality polygons, dissolved from an authority's LSOA polygons once per authority and scheme."""

from __future__ import annotations

import json
from functools import lru_cache

import shapely

from csc_inequalities.reference.store import load_store


@lru_cache(maxsize=64)
def locality_geojson(
    imd_year: int, la_code: str, scheme_key: str, pairs: tuple[tuple[str, str], ...]
) -> dict:
    """GeoJSON of the localities (feature id = locality name), from (LSOA, locality) pairs.

    Cached on the authority, index year and scheme: a scheme's key changes with its content,
    so an uploaded scheme is dissolved once however often the map is drawn.
    """
    boundaries = load_store().boundaries(imd_year, la_code)
    locality = dict(pairs)
    boundaries = boundaries.assign(locality=boundaries["lsoa_code"].map(locality))
    boundaries = boundaries.dropna(subset=["locality"])
    features = [
        {
            "type": "Feature",
            "id": name,
            "properties": {"locality": name},
            "geometry": json.loads(shapely.to_geojson(shapely.union_all(group.to_numpy()))),
        }
        for name, group in boundaries.groupby("locality", sort=True)["geometry"]
    ]
    return {"type": "FeatureCollection", "features": features}
