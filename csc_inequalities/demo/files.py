"""Synthetic demonstration records for any authority, in the formats authorities hold."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.demo import days as d
from csc_inequalities.demo.area import AuthorityArea, authority_area
from csc_inequalities.demo.care_episodes import care_episodes
from csc_inequalities.demo.cases import draw_cases
from csc_inequalities.demo.cin_details import add_cin_details
from csc_inequalities.demo.cin_xml import cin_census_xml
from csc_inequalities.demo.extracts import address_csv, case_extract_csv, counted_spells
from csc_inequalities.demo.parameters import (
    POSTCODE_NOT_KNOWN,
    SHARE_HOME_OUTSIDE,
    SHARE_HOME_UNKNOWN,
)
from csc_inequalities.demo.people import describe_children
from csc_inequalities.demo.ssda903 import episodes_csv, header_csv
from csc_inequalities.demo.targets import open_targets
from csc_inequalities.demo.timeline import Timeline

if TYPE_CHECKING:
    from csc_inequalities.reference.store import ReferenceStore

DEFAULT_SEED = 2025
DEFAULT_YEARS = 3
HEADER_FILE = "demo_903_header.csv"
EPISODES_FILE = "demo_903_episodes.csv"
CIN_FILE = "demo_cin_census.xml"
ADDRESS_FILE = "demo_cin_addresses.csv"
CASE_FILE = "demo_case_extract.csv"
DEMO_FILE_NAMES = (HEADER_FILE, EPISODES_FILE, CIN_FILE, ADDRESS_FILE, CASE_FILE)
# The statutory returns and the address extract: one complete route, without the case extract.
STANDARD_RETURN_FILES = (HEADER_FILE, EPISODES_FILE, CIN_FILE, ADDRESS_FILE)
DEMO_LABEL = "Synthetic demonstration data"
DEMO_NOTES = (
    f"{DEMO_LABEL}: made-up children (ids starting DEMO) placed at real postcodes of the "
    "authority, with volumes near the authority's published DfE rates, England's social "
    "gradient by deprivation decile (CWIP) and the authority's ethnic mix (Census 2021). "
    "No real child is described.",
    "The SSDA903 tables and the CIN census with its address extract describe the same children; "
    "the case-system extract repeats the same spells in another layout. Load one route or the "
    "other, not both.",
    f"On purpose, about {SHARE_HOME_OUTSIDE:.0%} of children have a home postcode in another "
    f"authority and about {SHARE_HOME_UNKNOWN:.0%} an unknown one (blank, or the pseudo-postcode "
    f"{POSTCODE_NOT_KNOWN}), so the validation summary shows real cases. The 903 episodes also "
    "hold V3/V4 short breaks, which are not counted as looked after.",
)


@dataclass(frozen=True)
class DemoData:
    """Everything drawn for one authority and seed: cases (one per child) and 903 episodes."""

    area: AuthorityArea
    timeline: Timeline
    cases: pd.DataFrame
    episodes: pd.DataFrame


def demo_data(
    la_code: str, store: ReferenceStore, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS
) -> DemoData:
    """Draw the demo's children and spells; the same authority and seed give the same data."""
    timeline = Timeline.ending(count=years)
    area = authority_area(store, la_code)
    rng = np.random.default_rng([seed, zlib.crc32(area.la_code.encode("utf-8"))])
    targets = open_targets(store, area.la_code, timeline.years, area.children)
    cases = draw_cases(rng, targets, timeline)
    cases = describe_children(rng, cases, area, timeline)
    cases, episodes = care_episodes(rng, cases, area, timeline)
    cases = add_cin_details(rng, cases, int(d.day_number(timeline.extract_date)))
    return DemoData(area, timeline, cases, episodes)


def demo_files(
    la_code: str,
    store: ReferenceStore,
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    names: tuple[str, ...] = DEMO_FILE_NAMES,
) -> dict[str, bytes]:
    """The demo files for an authority, in memory, keyed by file name (only those asked for)."""
    unknown = set(names) - set(DEMO_FILE_NAMES)
    if unknown:
        raise ValueError(f"No demo file called {', '.join(sorted(unknown))}.")
    data = demo_data(la_code, store, seed, years)
    extract = int(d.day_number(data.timeline.extract_date))
    area = data.area
    writers = {
        HEADER_FILE: lambda: header_csv(data.cases, data.episodes, area.dfe_la_number, extract),
        EPISODES_FILE: lambda: episodes_csv(data.episodes),
        CIN_FILE: lambda: cin_census_xml(
            data.cases, area.dfe_la_number, area.la_name, data.timeline.years[-1], extract
        ),
        ADDRESS_FILE: lambda: address_csv(data.cases),
        CASE_FILE: lambda: case_extract_csv(_spells_for_extract(data.cases)),
    }
    return {name: writers[name]() for name in names}


def demo_spells(
    la_code: str, store: ReferenceStore, seed: int = DEFAULT_SEED, years: int = DEFAULT_YEARS
) -> pd.DataFrame:
    """The spells the demo files encode, with where each child lives, to check readers against."""
    spells = counted_spells(demo_data(la_code, store, seed, years).cases)
    spells["start_date"] = pd.to_datetime(d.as_dates(spells.pop("start")))
    spells["end_date"] = pd.to_datetime(d.as_dates(spells.pop("end")))
    spells["date_of_birth"] = pd.to_datetime(spells.pop("dob").to_numpy().astype("datetime64[D]"))
    return spells


def _spells_for_extract(cases: pd.DataFrame) -> pd.DataFrame:
    """Spells a case system would list: referrals that ended in no further action are not."""
    spells = counted_spells(cases)
    return spells[~spells["cin_nfa"]]
