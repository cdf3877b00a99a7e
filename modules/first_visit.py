"""Panels whose server starts the first time their tab is opened, not with every session.

A session's reactive graph is most of its memory: each output brings its own effects, closures
and bookkeeping. Half of the app's 98 outputs sit on tabs most visitors never open (the
analyses under "Where it widens", "In context", "Export"); starting those panels on the first
visit keeps them out of sessions that never look. A panel started late starts exactly as it
would have at the beginning: it reads the inputs as they are then, and its tab's own inputs
(files, buttons) cannot have been used before the tab was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from shiny import reactive

T = TypeVar("T")


class PanelServer(Generic[T]):
    """A panel's module server, run once: on its tab's first visit or when another needs it."""

    def __init__(self, start: Callable[[], T]) -> None:
        self._start = start
        self._started: list[T] = []

    @property
    def started(self) -> bool:
        """Whether the panel's server has run."""
        return bool(self._started)

    def ensure(self) -> T:
        """Run the panel's server if it has not run yet: what it returns (e.g. its result calc)."""
        if not self._started:
            with reactive.isolate():
                self._started.append(self._start())
        return self._started[0]


def start_on_first_visit(
    page: Callable[[], str | None], tab: str, start: Callable[[], T]
) -> PanelServer[T]:
    """Run ``start`` (a module server call) the first time ``page()`` is ``tab``."""
    panel = PanelServer(start)

    @reactive.effect
    def _start_when_shown() -> None:
        if page() == tab:
            panel.ensure()
        if panel.started:
            _start_when_shown.destroy()

    return panel
