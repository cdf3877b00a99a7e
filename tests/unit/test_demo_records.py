"""The default demo is made in the background, after the first page or a few seconds."""

from __future__ import annotations

import threading
import time

from csc_inequalities.demo import prepared as module


def test_preloading_waits_for_the_first_page_then_generates(monkeypatch):
    made: list[tuple[str, float]] = []
    monkeypatch.setattr(module, "demo_records", lambda la: made.append((la, time.monotonic())))
    first_page = threading.Event()
    started = time.monotonic()
    thread = module.preload_demo("E06000009", start_after=first_page, wait_s=30)
    time.sleep(0.2)
    assert made == []
    first_page.set()
    thread.join(timeout=5)
    assert [la for la, _ in made] == ["E06000009"]
    assert made[0][1] - started >= 0.2


def test_preloading_goes_ahead_when_no_page_comes(monkeypatch):
    made: list[str] = []
    monkeypatch.setattr(module, "demo_records", made.append)
    thread = module.preload_demo("E10000016", start_after=threading.Event(), wait_s=0.1)
    thread.join(timeout=5)
    assert made == ["E10000016"]
