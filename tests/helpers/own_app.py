"""An app process of a test's own, for settings the shared app fixture does not have: a session
limit, an idle timeout, a temporary folder or debug logging, each from the environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tools.serve import free_port_block, start, stop, wait_until_healthy


@contextmanager
def own_app(env: dict[str, str], log: Path, options: Sequence[str] = ()) -> Iterator[str]:
    """Run `uvicorn app:app` with env added to the environment and its output in log; its URL."""
    port = free_port_block(1, start=41000, stop=50000)
    command = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1"]
    process = start([*command, "--port", str(port), *options], log, {**os.environ, **env})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, [process], [log])
        yield url
    finally:
        stop(process)
