"""Shiny looks up each function's source location once per process, not once per session."""

from __future__ import annotations

from modules import shiny_overhead


def make_reactive(n):
    def rendered():
        return n

    return rendered


def test_every_shiny_caller_uses_the_lookup_made_once(monkeypatch):
    monkeypatch.setattr(shiny_overhead, "_LOCATIONS", {})
    for module in shiny_overhead.CALLERS:
        monkeypatch.setattr(module, "extract_source_ref", shiny_overhead._ORIGINAL)
    shiny_overhead.look_up_source_locations_once()
    assert all(
        module.extract_source_ref is shiny_overhead.source_location_once
        for module in shiny_overhead.CALLERS
    )


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
