"""How many sessions a process holds, whether a new visitor may start one, when one is idle.

Pure bookkeeping (no clock of its own, no server): serving/session_gate.py applies it to the
ASGI traffic and /healthz reports it, so a balancer or an orchestrator can act on it.
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from csc_inequalities.settings import number_setting

# A page just sent holds a place this long, so visitors arriving together cannot all be let in
# before their websockets connect and are counted.
RESERVATION_S = 30.0
RETRY_AFTER_S = 120


def max_sessions_from_env(environ: Mapping[str, str] | None = None) -> int:
    """Sessions one process takes before turning new visitors away (CSC_MAX_SESSIONS)."""
    return int(number_setting("CSC_MAX_SESSIONS", environ))


def idle_seconds_from_env(environ: Mapping[str, str] | None = None) -> float:
    """Seconds without a message from the browser before a session ends (CSC_IDLE_MINUTES)."""
    return 60.0 * number_setting("CSC_IDLE_MINUTES", environ)


@dataclass
class SessionCount:
    """Open sessions and places held for pages just sent, against the process's limit."""

    limit: int
    reservation_s: float = RESERVATION_S
    open: int = 0
    _held: deque[float] = field(default_factory=deque)

    def held(self, now: float) -> int:
        """Places still held for pages sent in the last reservation_s seconds."""
        while self._held and now - self._held[0] >= self.reservation_s:
            self._held.popleft()
        return len(self._held)

    def admit_page(self, now: float) -> bool:
        """Whether a new visitor gets the app (a place is then held for it) or the busy page."""
        if self.open + self.held(now) >= self.limit:
            return False
        self._held.append(now)
        return True

    def session_opened(self, now: float) -> None:
        """A websocket connected: it takes the place its page held, if any is still held."""
        if self.held(now):
            self._held.popleft()
        self.open += 1

    def session_closed(self) -> None:
        """A session ended (closed by the browser, or for idleness)."""
        self.open = max(0, self.open - 1)

    def accepting(self, now: float) -> bool:
        """Whether a new visitor would be let in now."""
        return self.open + self.held(now) < self.limit


@dataclass
class IdleClock:
    """When a session last heard from its browser, and whether it has been idle too long."""

    timeout_s: float
    last: float

    def touch(self, now: float) -> None:
        """The browser sent something: the idle time starts again."""
        self.last = now

    def remaining(self, now: float) -> float:
        """Seconds left before the session counts as idle (0 once it does)."""
        return max(0.0, self.last + self.timeout_s - now)

    def expired(self, now: float) -> bool:
        """Whether the session has been idle for its whole timeout."""
        return self.remaining(now) == 0.0


def duration_words(seconds: float) -> str:
    """A length of time as people say it: '30 minutes', '1 minute', '45 seconds'."""
    if seconds < 60:
        count, unit = round(seconds), "second"
    else:
        count, unit = round(seconds / 60), "minute"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def session_ended_message(idle_s: float) -> dict[str, str]:
    """What the page says when a session is ended for idleness (shown by www/app.js)."""
    return {
        "heading": "Your session has ended",
        "text": (
            f"This session ended after {duration_words(idle_s)} without activity. The records "
            "it held, including any files you uploaded, have been cleared from the server's "
            "memory. Start a new session to carry on; you will need to choose your files again."
        ),
        "action": "Start a new session",
    }


def busy_page(title: str, retry_after_s: int = RETRY_AFTER_S) -> str:
    """The short page a visitor gets while every place in this process is taken (HTTP 503)."""
    wait = duration_words(retry_after_s)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Busy: {html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto;
  padding: 0 1rem; line-height: 1.5; color: #1b1b1b; background: #fff; }}
a {{ color: #0b57d0; }}
</style>
</head>
<body>
<main>
<h1>The service is busy</h1>
<p>{html.escape(title)} is serving as many people as it can at the moment, so it cannot
start a session for you now. Nothing has been lost: no data was sent.</p>
<p>Please try again in a few minutes (in about {wait}).
<a href="./">Try again</a>.</p>
</main>
</body>
</html>
"""
