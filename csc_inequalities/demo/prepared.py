"""The synthetic demonstration records of an authority, read through the same readers as uploads."""

from __future__ import annotations

import threading
from functools import lru_cache

from csc_inequalities.demo.files import DEFAULT_SEED, STANDARD_RETURN_FILES, demo_files
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.load import load_records
from csc_inequalities.reference.store import load_store
from csc_inequalities.serving.memory import release_freed_memory

# One generation at a time: sessions asking for the same authority wait for the first one
# instead of generating it again in parallel on a two-core server.
_GENERATING = threading.Lock()


def demo_records(la_code: str, seed: int = DEFAULT_SEED) -> LoadResult:
    """The authority's demo records, generated once per process and shared (they are synthetic)."""
    with _GENERATING:
        return _generated_records(la_code, seed)


@lru_cache(maxsize=8)
def _generated_records(la_code: str, seed: int) -> LoadResult:
    """Generate the authority's demo returns in memory and read them as an upload would be read.

    The case-system extract repeats the same spells in another layout, so it is left out here
    (it is there for people to try the column-mapping step).
    """
    store = load_store()
    files = demo_files(la_code, store, seed, names=STANDARD_RETURN_FILES)
    records = load_records(list(files.items()), la_code, store)
    release_freed_memory()
    return records


def preload_demo(
    la_code: str, start_after: threading.Event | None = None, wait_s: float = 5.0
) -> threading.Thread:
    """Generate an authority's demo in the background, e.g. the default one at start-up.

    With `start_after` it waits for that event (say, the first page sent) or `wait_s` seconds,
    so the generation does not compete with drawing the first page of a server just started.
    """

    def generate() -> None:
        if start_after is not None:
            start_after.wait(wait_s)
        demo_records(la_code)

    thread = threading.Thread(target=generate, daemon=True)
    thread.start()
    return thread
