"""ASGI middleware around Shiny: counts its sessions, turns new visitors away when the process
is full, ends sessions idle too long, keeps each session's uploads and downloads to the browser
that opened it, and frees what a session held once it has ended.

Shiny keeps a session for as long as its websocket (/websocket/) is open, so one open websocket
is one session. A new visitor is someone asking for the page (GET /): while the process holds
its limit they get a short page with HTTP 503 and Retry-After, and the sessions already open
carry on untouched.

Shiny serves a session's uploads and downloads at /session/<id>/... to anyone who has the id,
and the id travels in addresses (access logs, the page's links). The page therefore gives each
browser a random key in a cookie; a session belongs to the key its websocket came with, and a
/session/ request without that key gets the same 404 as an unknown session.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from csc_inequalities.reference.memory import release_freed_memory
from csc_inequalities.serving.capacity import (
    RETRY_AFTER_S,
    IdleClock,
    SessionCount,
    busy_page,
    session_ended_message,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WEBSOCKET_PATH = "/websocket/"
PAGE_PATH = "/"
SESSION_PREFIX = "/session/"
KEY_COOKIE = "csc_session_key"
NOT_FOUND = b'{"detail":"Not Found"}'
ENDED_MESSAGE = "csc-session-ended"
# Shiny tears a session down as its websocket handler returns; what it held is collected and
# handed back to the operating system a little later, once for sessions ending meanwhile. A full
# collection pauses every session of the process (0.1-0.15 s with 50 open), so while others are
# still open it waits longer: Python's own collections run meanwhile, as the open sessions
# allocate, and the last session's end brings the release forward.
RELEASE_AFTER_S = 10.0
RELEASE_WHILE_OPEN_S = 60.0


class SessionGate:
    """Count Shiny's sessions, keep the page from new visitors when full, end idle sessions."""

    def __init__(
        self,
        app: ASGIApp,
        count: SessionCount,
        idle_s: float,
        title: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.count = count
        self.idle_s = idle_s
        self.busy_html = busy_page(title).encode()
        self.clock = clock
        self.owners: dict[str, str | None] = {}  # Shiny session id -> the key that opened it
        self._release: asyncio.TimerHandle | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == WEBSOCKET_PATH:
            await self.session(scope, receive, send)
        elif scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] == PAGE_PATH and scope["method"] in ("GET", "HEAD"):
            if self.count.admit_page(self.clock()):
                await self.app(scope, receive, with_key_cookie(scope, send))
            else:
                await self.busy(scope, send)
        elif scope["path"].startswith(SESSION_PREFIX) and not self.owns(scope):
            await not_found(send)
        else:
            await self.app(scope, receive, send)

    def owns(self, scope: Scope) -> bool:
        """Whether a /session/<id>/ request comes from the browser that opened that session."""
        session_id = scope["path"][len(SESSION_PREFIX) :].split("/", 1)[0]
        key = key_of(scope)
        return key is not None and self.owners.get(session_id, None) == key

    async def busy(self, scope: Scope, send: Send) -> None:
        """HTTP 503 with Retry-After and a short page saying to try again in a few minutes."""
        body = b"" if scope["method"] == "HEAD" else self.busy_html
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(self.busy_html)).encode()),
                    (b"retry-after", str(RETRY_AFTER_S).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def session(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One Shiny session, counted while it lasts and ended if its browser goes quiet."""
        clock = IdleClock(self.idle_s, self.clock())
        ended = asyncio.Event()
        waiting: asyncio.Future | None = None
        key, session_id = key_of(scope), None

        async def from_browser() -> Message:
            # Every message the browser sends restarts the idle clock; once the session has
            # been ended for idleness, Shiny is told the browser has gone.
            nonlocal waiting
            if waiting is None:
                waiting = asyncio.ensure_future(receive())
            stop = asyncio.ensure_future(ended.wait())
            try:
                await asyncio.wait({waiting, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
            if not waiting.done():
                return {"type": "websocket.disconnect", "code": 1000}
            message, waiting = waiting.result(), None
            if message["type"] == "websocket.receive":
                clock.touch(self.clock())
            return message

        async def to_browser(message: Message) -> None:
            # Shiny's first message names the session: it now belongs to this browser's key.
            nonlocal session_id
            if session_id is None and message.get("type") == "websocket.send":
                session_id = shiny_session_id(message.get("text") or "")
                if session_id is not None:
                    self.owners[session_id] = key
            if not ended.is_set():
                await send(message)

        async def end_when_idle() -> None:
            while not clock.expired(self.clock()):
                await asyncio.sleep(clock.remaining(self.clock()))
            custom = {"custom": {ENDED_MESSAGE: session_ended_message(self.idle_s)}}
            with contextlib.suppress(Exception):  # the browser may have gone meanwhile
                await send({"type": "websocket.send", "text": json.dumps(custom)})
                await send({"type": "websocket.close", "code": 1000})
            ended.set()

        self.count.session_opened(self.clock())
        watcher = asyncio.create_task(end_when_idle())
        try:
            await self.app(scope, from_browser, to_browser)
        finally:
            watcher.cancel()
            if waiting is not None:
                waiting.cancel()
            self.owners.pop(session_id or "", None)
            self.count.session_closed()
            self.release_soon()

    def release_soon(self) -> None:
        """Collect what ended sessions held and hand the memory back, once for a burst of ends."""
        loop = asyncio.get_running_loop()
        due = loop.time() + (RELEASE_AFTER_S if self.count.open == 0 else RELEASE_WHILE_OPEN_S)
        if self._release is not None:
            if self._release.when() <= due:
                return
            self._release.cancel()
        self._release = loop.call_at(due, self.release)

    @property
    def release_in_s(self) -> float | None:
        """Seconds until ended sessions' memory is collected, None when nothing waits for it."""
        if self._release is None:
            return None
        return self._release.when() - asyncio.get_running_loop().time()

    def release(self) -> None:
        self._release = None
        gc.collect()
        release_freed_memory()


def key_of(scope: Scope) -> str | None:
    """The browser's key from its cookie, if it sent one."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                cookies = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = cookies.get(KEY_COOKIE)
            return morsel.value if morsel is not None and morsel.value else None
    return None


def with_key_cookie(scope: Scope, send: Send) -> Send:
    """The page's response with a new key cookie for a browser that has none yet."""
    if key_of(scope) is not None:
        return send
    secure = "; Secure" if forwarded_https(scope) else ""
    cookie = f"{KEY_COOKIE}={secrets.token_urlsafe(32)}; Path=/; HttpOnly; SameSite=Strict{secure}"

    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
        await send(message)

    return send_with_cookie


def forwarded_https(scope: Scope) -> bool:
    """Whether the browser reached us over HTTPS (directly or through a proxy saying so)."""
    headers = dict(scope.get("headers", []))
    return scope.get("scheme") == "https" or headers.get(b"x-forwarded-proto") == b"https"


def shiny_session_id(text: str) -> str | None:
    """The session id in Shiny's first message ({"config": {"sessionId": ...}}), if it is one."""
    if '"sessionId"' not in text:
        return None
    try:
        config = json.loads(text).get("config")
    except (ValueError, AttributeError):
        return None
    session_id = config.get("sessionId") if isinstance(config, dict) else None
    return session_id if isinstance(session_id, str) else None


async def not_found(send: Send) -> None:
    """The answer Shiny gives for a session it does not hold."""
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": NOT_FOUND})
