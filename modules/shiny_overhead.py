"""Per-session work Shiny does that a busy server can do once per process instead.

Shiny 1.8 labels every reactive, effect and output with its source location (for OpenTelemetry
spans) each time a session starts, reading and tokenising each function's source again: about
90 of the 120 ms a new session of this app cost its process, during which every other session
of the process waited. A function's source location does not change while the process runs,
so it is looked up once per function here.

It also names each `reactive.Value` made without a name by reading the source line of every
frame of the stack that made it (`inspect.stack()`): 40-90 ms of each new session, on the event
loop every session shares. The name depends only on the code and line of each frame of that
stack, the same for every session, so it is found once per stack here.

Every session's outputs are flushed whenever any session's are (one reactive flush per
process), and each flush sent every session a message even when it had nothing for it: with N
sessions, N messages per change, most of them empty. Under 25 users they kept each browser's
connection busy with other people's changes and cost the process a JSON encoding and a
compressed websocket frame each. An empty flush report changes nothing in the browser, so it is
not sent; any flush with an output, input update or error is sent as before.

And it asks, before each input change and extended task it traces, whether an OpenTelemetry SDK
is configured by trying to import one; where no SDK is installed, that failed import searched
the whole path each time. With no SDK installed tracing can never be on, so the answer is kept.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any

import shiny.otel._attributes as otel_attributes
import shiny.otel._core as otel_core
import shiny.otel._span_wrappers as span_wrappers
import shiny.reactive._extended_task as extended_task
import shiny.reactive._reactives as reactives
import shiny.session._session as session

# The modules that call extract_source_ref by the name they imported it under.
CALLERS = (otel_attributes, reactives, extended_task, session)
# The modules that call is_otel_tracing_enabled by the name they imported it under.
TRACING_CALLERS = (otel_core, span_wrappers, reactives, extended_task)
# More distinct stacks than an app has places that make values means something unexpected
# (e.g. recursion); past this, names are looked up the slow way rather than kept.
MAX_STACKS = 10_000
_ORIGINAL: Callable[[Callable[..., Any]], Any] = otel_attributes.extract_source_ref
_ORIGINAL_NAME: Callable[[reactives.Value[Any]], str | None] = reactives.Value._try_infer_name
_ORIGINAL_TRACING: Callable[[], bool] = otel_core.is_otel_tracing_enabled
_ORIGINAL_SEND = session.AppSession._send_message
# What AppSession._flush sends a browser when nothing changed for it.
EMPTY_FLUSH: dict[str, object] = {"values": {}, "inputMessages": [], "errors": {}}
_LOCATIONS: dict[CodeType, Any] = {}
_NAMES: dict[tuple[tuple[CodeType, int], ...], str | None] = {}


def source_location_once(func: Callable[..., Any]) -> Any:
    """Shiny's source attributes of a function, looked up once per code object."""
    try:
        code = inspect.unwrap(func).__code__
    except (AttributeError, ValueError):
        return _ORIGINAL(func)
    if code not in _LOCATIONS:
        _LOCATIONS[code] = _ORIGINAL(func)
    return dict(_LOCATIONS[code])


def value_name_once(value: reactives.Value[Any]) -> str | None:
    """Shiny's inferred name of a new reactive value, found once per stack that makes one."""
    # Frame 0 is this function, 1 Value.__init__, 2 the code making the value.
    frame: FrameType | None = sys._getframe(2)
    stack = []
    while frame is not None:
        stack.append((frame.f_code, frame.f_lineno))
        frame = frame.f_back
    key = tuple(stack)
    if key in _NAMES:
        return _NAMES[key]
    name = _ORIGINAL_NAME(value)
    if len(_NAMES) < MAX_STACKS:
        _NAMES[key] = name
    return name


async def send_unless_empty_flush(app_session: session.AppSession, message: dict) -> None:
    """Shiny's message to one browser, unless it is a flush report with nothing in it."""
    if message == EMPTY_FLUSH:
        return
    await _ORIGINAL_SEND(app_session, message)


def tracing_never_enabled() -> bool:
    """False: without an OpenTelemetry SDK installed, Shiny's tracing cannot be switched on."""
    return False


def _tracing_sdk_installed() -> bool:
    """Whether an OpenTelemetry SDK could be imported by this process."""
    try:
        return importlib.util.find_spec("opentelemetry.sdk") is not None
    except ModuleNotFoundError:
        return False


def lighten_shiny_session_work() -> None:
    """Make Shiny's per-session work cost once per process, and its flushes one message each."""
    for module in CALLERS:
        setattr(module, "extract_source_ref", source_location_once)  # noqa: B010
    setattr(reactives.Value, "_try_infer_name", value_name_once)  # noqa: B010
    setattr(session.AppSession, "_send_message", send_unless_empty_flush)  # noqa: B010
    if not _tracing_sdk_installed():
        for module in TRACING_CALLERS:
            setattr(module, "is_otel_tracing_enabled", tracing_never_enabled)  # noqa: B010
