"""Build step: every authority's demonstration records, made once so serving only reads them."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from csc_inequalities.build.context import BuildContext
from csc_inequalities.demo.files import DEFAULT_SEED
from csc_inequalities.demo.prepared import (
    DEMO_FOLDER,
    demo_folder,
    prepare_demo,
    write_demo,
    write_demo_state,
)
from csc_inequalities.reference.store import ReferenceStore

# Each worker holds the store's tables and one authority's demo at a time (about 0.5 GB).
MAX_WORKERS = 4
_worker_store: ReferenceStore | None = None


def demo_step(ctx: BuildContext) -> None:
    """Generate and store each authority's demo records, largest authorities first."""
    authorities = ctx.frames["authorities"].sort_values("children_2021", ascending=False)
    codes = authorities["la_code"].tolist()
    workers = max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)), len(codes)))
    # Spawned (not forked) workers: the build process holds threads and large frames.
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open_store,
        initargs=(ctx.out_dir,),
    ) as pool:
        spells = sum(pool.map(_store_demo, codes, [ctx.out_dir] * len(codes)))
    write_demo_state(ctx.out_dir, DEFAULT_SEED)
    ctx.tables[f"{DEMO_FOLDER} spells"] = spells
    ctx.notes[DEMO_FOLDER] = (
        f"synthetic records of {len(codes)} authorities (seed {DEFAULT_SEED}), {workers} worker(s)"
    )


def _open_store(store_dir: Path) -> None:
    """Read the store's tables once per worker (the steps before this one wrote them)."""
    global _worker_store
    _worker_store = ReferenceStore(store_dir)


def _store_demo(la_code: str, store_dir: Path) -> int:
    """Make one authority's demo records and write them; the number of spells."""
    if _worker_store is None:
        raise RuntimeError("the demo worker's store was not opened")
    records = prepare_demo(la_code, _worker_store)
    write_demo(records, demo_folder(store_dir, la_code))
    return len(records.spells)
