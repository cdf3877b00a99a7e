"""Locality polygons, dissolved from an authority's LSOA polygons.

Districts and wards are public: their polygons are dissolved once per authority and kept for
the process. An uploaded scheme is the authority's own: it is dissolved for the session that
asks (which keeps it while the scheme is chosen), never kept where other sessions could reach.
"""

from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd
import shapely

from csc_inequalities.reference.store import load_store

PUBLIC_SCHEMES = ("district", "ward")


def dissolved_geojson(imd_year: int, la_code: str, assignment: pd.DataFrame) -> dict:
    """GeoJSON of the localities (feature id = locality name) of an LSOA-to-locality table."""
    boundaries = load_store().boundaries(imd_year, la_code)
    locality = assignment.set_index("lsoa_code")["locality"]
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


@lru_cache(maxsize=64)
def _public_geojson(imd_year: int, la_code: str, kind: str) -> dict:
    """A district or ward scheme's polygons, dissolved once per process."""
    from csc_inequalities.results.localities import scheme_for

    scheme = scheme_for(kind, load_store(), la_code, imd_year)
    return dissolved_geojson(imd_year, la_code, scheme.assignment)


def locality_geojson(imd_year: int, la_code: str, kind: str, assignment: pd.DataFrame) -> dict:
    """The scheme's polygons: cached for districts and wards, dissolved afresh for an upload."""
    if kind in PUBLIC_SCHEMES:
        return _public_geojson(imd_year, la_code, kind)
    return dissolved_geojson(imd_year, la_code, assignment)
