"""Per-session work Shiny does that a busy server can do once per process instead.

Shiny 1.8 labels every reactive, effect and output with its source location (for OpenTelemetry
spans) each time a session starts, reading and tokenising each function's source again: about
90 of the 120 ms a new session of this app cost its process, during which every other session
of the process waited. A function's source location does not change while the process runs,
so it is looked up once per function here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import CodeType
from typing import Any

import shiny.otel._attributes as otel_attributes
import shiny.reactive._extended_task as extended_task
import shiny.reactive._reactives as reactives
import shiny.session._session as session

# The modules that call extract_source_ref by the name they imported it under.
CALLERS = (otel_attributes, reactives, extended_task, session)
_ORIGINAL: Callable[[Callable[..., Any]], Any] = otel_attributes.extract_source_ref
_LOCATIONS: dict[CodeType, Any] = {}


def source_location_once(func: Callable[..., Any]) -> Any:
    """Shiny's source attributes of a function, looked up once per code object."""
    try:
        code = inspect.unwrap(func).__code__
    except (AttributeError, ValueError):
        return _ORIGINAL(func)
    if code not in _LOCATIONS:
        _LOCATIONS[code] = _ORIGINAL(func)
    return dict(_LOCATIONS[code])


def look_up_source_locations_once() -> None:
    """Make Shiny look up each function's source location once per process, not per session."""
    for module in CALLERS:
        setattr(module, "extract_source_ref", source_location_once)  # noqa: B010
