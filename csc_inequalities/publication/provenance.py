"""The official sources every figure rests on, as named in exports and the about page."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from csc_inequalities.reference.paths import manifest_path


@dataclass(frozen=True)
class Source:
    """One official source the figures rest on."""

    title: str
    publisher: str
    url: str
    licence: str


@lru_cache(maxsize=1)
def official_sources() -> tuple[Source, ...]:
    """Every official source in the data manifest, for sources sections and metadata sheets."""
    with manifest_path().open("rb") as handle:
        manifest = tomllib.load(handle)
    licences = manifest.get("licences", {})
    return tuple(
        Source(
            title=entry["title"],
            publisher=entry["publisher"],
            url=entry["official_url"],
            licence=licences.get(entry.get("licence", ""), entry.get("licence", "")).split(",")[0],
        )
        for entry in manifest.get("sources", {}).values()
    )
