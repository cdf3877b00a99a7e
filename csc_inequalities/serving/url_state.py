"""The chosen view as a link: settings to and from the page's query string (never any records)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from csc_inequalities.reference.store import GEOGRAPHY_BY_IMD_YEAR
from csc_inequalities.results.deprivation import DOMAINS
from csc_inequalities.results.population import AGE_BANDS, SEXES

DEFAULTS: dict[str, str] = {
    "la": "E06000009",
    "imd": "2025",
    "domain": "imd",
    "deciles": "national",
    "intervention": "CPP",
    "count": "at_date",
    "year": "",
    "view": "internal",
    "age": "all",
    "sex": "all",
}
ALLOWED: dict[str, tuple[str, ...]] = {
    "imd": tuple(str(year) for year in GEOGRAPHY_BY_IMD_YEAR),
    "domain": DOMAINS,
    "deciles": ("national", "local"),
    "intervention": ("CIN", "CPP", "CLA"),
    "count": ("at_date", "starts"),
    "view": ("internal", "publication"),
    "age": tuple(AGE_BANDS),
    "sex": tuple(SEXES),
}


def settings_from_query(query: Mapping[str, str], la_codes: Iterable[str]) -> dict[str, str]:
    """Settings named in a shared link, each checked; anything unknown falls back to the default."""
    known_las = set(la_codes)
    settings = dict(DEFAULTS)
    for key, value in query.items():
        if key in DEFAULTS and _is_valid(key, value, known_las):
            settings[key] = value
    return settings


def _is_valid(key: str, value: str, known_las: set[str]) -> bool:
    """Whether one query value names a real choice (links can be edited by hand)."""
    if key == "la":
        return value in known_las
    if key == "year":
        return value.isdigit() and len(value) == 4
    return value in ALLOWED.get(key, ())


# Left out of a link at their default, so links without an age or sex filter stay as they were.
OMITTED_AT_DEFAULT = ("age", "sex")


def query_from_settings(settings: Mapping[str, object]) -> str:
    """The query string for the current settings, in a fixed order so links are stable."""
    pairs = [
        (key, str(settings[key]))
        for key in DEFAULTS
        if settings.get(key) not in (None, "")
        and not (key in OMITTED_AT_DEFAULT and settings[key] == DEFAULTS[key])
    ]
    return "?" + urlencode(pairs)
