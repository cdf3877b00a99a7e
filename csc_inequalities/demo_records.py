"""The synthetic demonstration records of an authority, read through the same readers as uploads."""

from __future__ import annotations

from functools import lru_cache

from csc_inequalities.demo import demo_files
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.load import load_records
from csc_inequalities.store import load_store

DEMO_SEED = 2025
DEMO_LABEL = "Synthetic demonstration data"


@lru_cache(maxsize=16)
def demo_records(la_code: str, seed: int = DEMO_SEED) -> LoadResult:
    """Generate the authority's demo files in memory and read them as an upload would be read."""
    store = load_store()
    files = demo_files(la_code, store, seed)
    return load_records(list(files.items()), la_code, store)
