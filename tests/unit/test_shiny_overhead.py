"""Shiny's per-session work is done once per process; a flush sends only what changed."""

from __future__ import annotations

import asyncio

import pytest
from shiny import reactive
from shiny.session._session import AppSession

from modules import shiny_overhead


def make_reactive(n):
    def rendered():
        return n

    return rendered


@pytest.fixture
def shinys_own(monkeypatch):
    """Shiny's own functions in place, put back as they were after the test."""
    monkeypatch.setattr(shiny_overhead, "_LOCATIONS", {})
    monkeypatch.setattr(shiny_overhead, "_NAMES", {})
    for module in shiny_overhead.CALLERS:
        monkeypatch.setattr(module, "extract_source_ref", shiny_overhead._ORIGINAL)
    for module in shiny_overhead.TRACING_CALLERS:
        monkeypatch.setattr(module, "is_otel_tracing_enabled", shiny_overhead._ORIGINAL_TRACING)
    monkeypatch.setattr(reactive.Value, "_try_infer_name", shiny_overhead._ORIGINAL_NAME)
    monkeypatch.setattr(AppSession, "_send_message", shiny_overhead._ORIGINAL_SEND)
    return monkeypatch


def test_every_shiny_caller_uses_the_lookup_made_once(shinys_own):
    shiny_overhead.lighten_shiny_session_work()
    assert all(
        module.extract_source_ref is shiny_overhead.source_location_once
        for module in shiny_overhead.CALLERS
    )
    assert reactive.Value._try_infer_name is shiny_overhead.value_name_once
    assert AppSession._send_message is shiny_overhead.send_unless_empty_flush


def test_a_function_made_again_for_each_session_is_looked_up_once(monkeypatch):
    looked_up = []

    def original(func):
        looked_up.append(func)
        return {"code.function.name": func.__name__, "code.line.number": 1}

    monkeypatch.setattr(shiny_overhead, "_ORIGINAL", original)
    monkeypatch.setattr(shiny_overhead, "_LOCATIONS", {})
    first, second = make_reactive(1), make_reactive(2)  # two sessions' closures, one source
    assert shiny_overhead.source_location_once(first) == original(first)
    assert shiny_overhead.source_location_once(second) == original(second)
    assert len(looked_up) == 3  # one lookup for both closures, plus the two calls above
    attributes = shiny_overhead.source_location_once(first)
    attributes["changed"] = True  # callers may add to the attributes without spoiling them
    assert "changed" not in shiny_overhead.source_location_once(second)


def test_the_attributes_are_shinys_own(monkeypatch):
    monkeypatch.setattr(shiny_overhead, "_LOCATIONS", {})
    assert shiny_overhead.source_location_once(make_reactive) == shiny_overhead._ORIGINAL(
        make_reactive
    )


def make_values(session_number):
    """What a module server does for each session: values named by their assignment."""
    counter = reactive.Value(session_number)
    chosen: reactive.Value[str] = reactive.value("a")
    unnamed = [reactive.Value(n) for n in range(2)]
    return counter, chosen, unnamed


def test_reactive_values_keep_the_names_shiny_would_give(shinys_own):
    expected = [v._name for v in flatten(make_values(1))]
    shinys_own.setattr(reactive.Value, "_try_infer_name", shiny_overhead.value_name_once)
    assert [v._name for v in flatten(make_values(2))] == expected
    assert expected[:2] == ["counter", "chosen"]
    assert [v._name for v in flatten(make_values(3))] == expected  # from the kept names


def test_a_value_made_again_for_each_session_is_named_once(shinys_own):
    looked_up = []

    def original(value):
        looked_up.append(value)
        return "named"

    shinys_own.setattr(shiny_overhead, "_ORIGINAL_NAME", original)
    shinys_own.setattr(reactive.Value, "_try_infer_name", shiny_overhead.value_name_once)
    for session_number in range(5):
        make_values(session_number)
    assert len(looked_up) == 3  # counter, chosen, and the one line making the unnamed list


def test_tracing_is_asked_about_only_when_an_sdk_could_turn_it_on(shinys_own):
    shinys_own.setattr(shiny_overhead, "_tracing_sdk_installed", lambda: True)
    shiny_overhead.lighten_shiny_session_work()
    assert all(
        module.is_otel_tracing_enabled is not shiny_overhead.tracing_never_enabled
        for module in shiny_overhead.TRACING_CALLERS
    )
    shinys_own.setattr(shiny_overhead, "_tracing_sdk_installed", lambda: False)
    shiny_overhead.lighten_shiny_session_work()
    assert all(
        module.is_otel_tracing_enabled is shiny_overhead.tracing_never_enabled
        for module in shiny_overhead.TRACING_CALLERS
    )


def flatten(made):
    counter, chosen, unnamed = made
    return [counter, chosen, *unnamed]


def test_a_flush_with_nothing_for_the_browser_is_not_sent_and_every_other_message_is(shinys_own):
    sent = []

    async def original(app_session, message):
        sent.append(message)

    shinys_own.setattr(shiny_overhead, "_ORIGINAL_SEND", original)
    messages = [
        {"values": {}, "inputMessages": [], "errors": {}},  # another session's change
        {"values": {"gradient-chart": {"html": "<div></div>"}}, "inputMessages": [], "errors": {}},
        {"values": {}, "inputMessages": [{"id": "controls-year", "message": {}}], "errors": {}},
        {"values": {}, "inputMessages": [], "errors": {"gradient-chart": {"message": "x"}}},
        {"busy": "idle"},
        {"custom": {"csc-set-query": {"query": "?la=E06000009"}}},
    ]

    async def send_all():
        for message in messages:
            await shiny_overhead.send_unless_empty_flush(None, message)

    asyncio.run(send_all())
    assert sent == messages[1:]
