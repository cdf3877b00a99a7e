"""The address valid at each spell's start: the interval join against a brute-force oracle."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csc_inequalities.records.address import addresses_at_start

DAY = pd.Timestamp("2024-01-01")


def oracle(spells_raw: list, addresses_raw: list) -> list[tuple[int | None, bool]]:
    """For each spell: the address chosen by pairing every spell with every address (in days).

    Valid on the start date first, the most recently begun of those; else the nearest in time,
    the most recently begun on a tie; then the first in the file.
    """
    chosen = []
    for child, start in spells_raw:
        best, best_key = None, None
        for row, (address_child, begins, ends) in enumerate(addresses_raw):
            if address_child != child:
                continue
            low = begins if begins is not None else -(10**9)
            high = ends if ends is not None else 10**9
            valid = low <= start <= high
            gap = max(low - start, 0) + max(start - high, 0)
            key = (not valid, gap, -low, row)
            if best_key is None or key < best_key:
                best, best_key = row, key
        chosen.append((best, bool(best_key and best_key[0])))
    return chosen


def frames(spells_raw: list, addresses_raw: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spells and addresses as the readers give them, from (child, day) tuples."""

    def day(offset: int | None) -> pd.Timestamp:
        return DAY + pd.Timedelta(days=offset) if offset is not None else pd.NaT

    spells = pd.DataFrame(
        {
            "child_id": [f"C{child}" for child, _ in spells_raw],
            "start_date": pd.to_datetime([day(start) for _, start in spells_raw]),
        }
    )
    addresses = pd.DataFrame(
        {
            "child_id": [f"C{child}" for child, _, _ in addresses_raw],
            "postcode": [f"P{i}" for i in range(len(addresses_raw))],
            "lsoa_code": [None] * len(addresses_raw),
            "from_date": pd.to_datetime([day(begins) for _, begins, _ in addresses_raw]),
            "to_date": pd.to_datetime([day(ends) for _, _, ends in addresses_raw]),
        }
    )
    return spells, addresses


days = st.integers(0, 60)
optional_days = st.one_of(st.none(), days)


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(
        st.lists(st.tuples(st.integers(0, 3), days), max_size=12),
        st.lists(
            st.tuples(st.integers(0, 3), optional_days, optional_days).filter(
                lambda a: a[1] is None or a[2] is None or a[1] <= a[2]
            ),
            max_size=12,
        ),
    )
)
def test_the_sweep_chooses_what_pairing_every_spell_with_every_address_would(data):
    spells, addresses = frames(*data)
    placed = addresses_at_start(spells, addresses)
    expected = oracle(*data)
    postcodes = [
        addresses["postcode"].iloc[row] if row is not None else None for row, _ in expected
    ]
    assert placed["postcode"].tolist() == postcodes
    assert placed["has_address"].tolist() == [row is not None for row, _ in expected]
    assert placed["address_fallback"].tolist() == [fallback for _, fallback in expected]


def test_one_child_repeated_across_a_large_file_is_joined_in_linear_time():
    rng = np.random.default_rng(1)
    n = 200_000
    starts = DAY + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    spells = pd.DataFrame({"child_id": "SAME", "start_date": starts})
    begins = DAY + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    addresses = pd.DataFrame(
        {
            "child_id": "SAME",
            "postcode": "AB1 2CD",
            "lsoa_code": None,
            "from_date": begins,
            "to_date": begins + pd.Timedelta(days=5),
        }
    )
    began = time.perf_counter()
    placed = addresses_at_start(spells, addresses)
    # A pairing join would build 40 billion pairs; the sweep takes about a second.
    assert time.perf_counter() - began < 20
    assert placed["has_address"].all()
