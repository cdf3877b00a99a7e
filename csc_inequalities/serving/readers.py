"""Uploads are read on two threads of their own, so a burst of them cannot stall the rest.

Reading an upload is mostly Python holding the interpreter lock (about 0.2 s of CPU for an
authority's SSDA903 year, seconds for a 50 MB extract). On the default pool (six threads on two
cores) a burst of uploads took every thread: reads of a picked authority's demo and of its map
polygons queued behind them, and six readers shared the lock with the event loop that serves
every session. Two readers keep one large upload from holding up the next, and leave the
default pool and most of the lock to everyone else.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

UPLOAD_READERS = 2
_P = ParamSpec("_P")
_T = TypeVar("_T")


@functools.cache
def upload_pool() -> ThreadPoolExecutor:
    """The process's threads for reading uploads (made on first use)."""
    return ThreadPoolExecutor(max_workers=UPLOAD_READERS, thread_name_prefix="upload-reader")


async def read_upload(read: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run one upload's reading on the upload threads and wait for it without blocking."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(upload_pool(), functools.partial(read, *args, **kwargs))
