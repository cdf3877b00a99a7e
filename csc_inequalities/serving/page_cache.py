"""The page, made once for each distinct request that shapes it and then sent as it was made.

Building and rendering the page takes the interpreter about 75 ms per visit (the whole tag tree
of every panel, then its HTML), the same work for every visitor who asks for the same settings.
Under load that is time taken from every open session. The page depends only on what the
request's key says (the settings its query string names and who is signed in), so the bytes are
kept for the latest few keys. Nothing of a session is in the page: sessions start afterwards,
over the websocket.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from csc_inequalities.serving.proxy_user import proxy_user_trusted, signed_in_user
from csc_inequalities.serving.session_gate import ASGIApp, Message, Receive, Scope, Send
from csc_inequalities.serving.url_state import settings_from_query

# Pages kept (one per distinct key); a page is about 110 KB.
PAGES_KEPT = 16


@dataclass(frozen=True)
class PageRequest:
    """All of a request that the page depends on: the settings its link names, who signed in."""

    settings: tuple[tuple[str, str], ...]
    signed_in: str | None

    @property
    def initial(self) -> dict[str, str]:
        """The settings the page starts from."""
        return dict(self.settings)


def page_request(request: Request, la_codes: Iterable[str]) -> PageRequest:
    """What the page is built from; the page is kept and shared by this, so it is all it reads."""
    settings = settings_from_query(request.query_params, la_codes)
    return PageRequest(
        tuple(sorted(settings.items())), signed_in_user(request.headers, proxy_user_trusted())
    )


@dataclass(frozen=True)
class MadePage:
    """One response as the app sent it: status, headers and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class CachedPage:
    """Serve GET / from the pages kept by key, asking the app only for a key not seen lately."""

    def __init__(
        self, app: ASGIApp, key_of: Callable[[Request], Hashable], kept: int = PAGES_KEPT
    ) -> None:
        self.app = app
        self.key_of = key_of
        self.kept = kept
        self.pages: OrderedDict[Hashable, MadePage] = OrderedDict()
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        key = self.key_of(Request(scope))
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
        if page is None:
            await self.make_and_keep(key, scope, receive, send)
            return
        await send({"type": "http.response.start", "status": page.status, "headers": page.headers})
        body = b"" if scope["method"] == "HEAD" else page.body
        await send({"type": "http.response.body", "body": body})

    async def make_and_keep(
        self, key: Hashable, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Let the app answer, and keep a whole page it sent in answer to a GET."""
        start: MutableMapping[str, Any] = {}
        chunks: list[bytes] = []

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, send_and_keep)
        if scope["method"] == "GET" and start.get("status") == 200:
            self.keep(key, MadePage(200, tuple(start.get("headers", ())), b"".join(chunks)))

    def keep(self, key: Hashable, page: MadePage) -> None:
        """Keep a page, forgetting the least recently asked for beyond the limit."""
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.kept:
                self.pages.popitem(last=False)
