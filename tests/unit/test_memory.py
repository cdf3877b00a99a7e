"""The server process: Arrow allocates with malloc, and garbage collection keeps out of renders."""

from __future__ import annotations

import gc
import subprocess
import sys

import pyarrow as pa

from csc_inequalities.reference.memory import GC_THRESHOLDS, tune_garbage_collection

CHILD = """
import pyarrow as pa

from csc_inequalities.reference.memory import GC_THRESHOLDS, tune_garbage_collection
import csc_inequalities.reference.store
print(pa.default_memory_pool().backend_name)
"""


def run_child(env: dict[str, str]) -> str:
    """The Arrow pool a fresh process uses once the store module is imported."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_importing_the_store_switches_arrow_to_malloc():
    assert run_child({"PATH": "/usr/bin:/bin"}) == "system"


def test_an_explicit_arrow_pool_setting_is_respected():
    chosen = pa.mimalloc_memory_pool().backend_name
    assert run_child({"PATH": "/usr/bin:/bin", "ARROW_DEFAULT_MEMORY_POOL": chosen}) == chosen


def test_the_server_freezes_what_it_has_loaded_and_collects_less_often():
    before = gc.get_threshold()
    try:
        tune_garbage_collection()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
