"""Arrow allocates with malloc in processes that read the store, so freed memory can go back."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa

CHILD = """
import pyarrow as pa
import csc_inequalities.store
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
