"""Uploads are read on their own two threads, never on the pool every other read uses."""

from __future__ import annotations

import asyncio
import threading
import time

from csc_inequalities.serving import readers


def test_an_upload_is_read_on_an_upload_thread_with_its_arguments():
    def read(files, la_code, *, mapping=None):
        return threading.current_thread().name, files, la_code, mapping

    name, files, la_code, mapping = asyncio.run(
        readers.read_upload(read, ["a.csv"], "E06000009", mapping={"child_id": "ID"})
    )
    assert name.startswith("upload-reader")
    assert (files, la_code, mapping) == (["a.csv"], "E06000009", {"child_id": "ID"})


def test_a_burst_of_uploads_leaves_the_default_pool_free():
    started = threading.Barrier(readers.UPLOAD_READERS + 1, timeout=10)
    release = threading.Event()

    def slow_read():
        started.wait()
        release.wait(10)
        return threading.current_thread().name

    async def burst():
        uploads = [
            asyncio.create_task(readers.read_upload(slow_read))
            for _ in range(readers.UPLOAD_READERS)
        ]
        await asyncio.to_thread(started.wait)  # every upload thread is now busy
        waited = time.perf_counter()
        other = await asyncio.to_thread(threading.current_thread)  # e.g. a demo's read
        waited = time.perf_counter() - waited
        release.set()
        return waited, other.name, await asyncio.gather(*uploads)

    waited, other, names = asyncio.run(burst())
    assert waited < 1.0 and not other.startswith("upload-reader")
    assert len(set(names)) == readers.UPLOAD_READERS
