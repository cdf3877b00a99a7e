"""The page is made once per distinct request shape and never handed to someone it was not for."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request

from csc_inequalities.serving.page_cache import CachedPage, page_request

LA_CODES = ["E06000009", "E10000016"]


class PageApp:
    """A stand-in for Shiny's page: names the user and the link's authority; counts its calls."""

    def __init__(self, status: int = 200) -> None:
        self.calls = 0
        self.status = status

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        asked = page_request(Request(scope), LA_CODES)
        body = f"{asked.initial['la']} for {asked.signed_in} #{self.calls}".encode()
        headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def get(app, query: str = "", user: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    scope = {"type": "http", "method": method, "path": "/", "query_string": query[1:].encode()}
    scope["headers"] = [(b"x-forwarded-user", user.encode())] if user else []
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def cached(app: PageApp, kept: int = 16) -> CachedPage:
    return CachedPage(app, lambda request: page_request(request, LA_CODES), kept=kept)


def test_the_same_request_gets_the_page_made_for_the_first(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CSC_TRUST_PROXY_USER", "1")
    app = PageApp()
    page = cached(app)
    first = get(page, "?la=E10000016", "ann")
    assert first == (200, b"E10000016 for ann #1")
    assert get(page, "?la=E10000016", "ann") == first
    # An unknown setting falls back to the default, as the page itself would: the same page.
    assert get(page, "?la=E10000016&colour=red", "ann") == first
    assert app.calls == 1
    assert get(page, "?la=E10000016", method="HEAD", user="ann") == (200, b"")


def test_each_user_and_each_link_gets_its_own_page(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CSC_TRUST_PROXY_USER", "1")
    app = PageApp()
    page = cached(app)
    assert get(page, "", "ann")[1] == b"E06000009 for ann #1"
    assert get(page, "", "bob")[1] == b"E06000009 for bob #2"
    assert get(page, "?la=E10000016", "bob")[1] == b"E10000016 for bob #3"
    assert get(page, "", "ann")[1] == b"E06000009 for ann #1"
    monkeypatch.delenv("CSC_TRUST_PROXY_USER")
    assert get(page, "", "ann")[1] == b"E06000009 for None #4"  # names not trusted: nobody's


def test_only_whole_pages_are_kept_and_only_the_latest_few(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CSC_TRUST_PROXY_USER", "1")
    failing = PageApp(status=500)
    page = cached(failing)
    get(page, "", "ann")
    get(page, "", "ann")
    assert failing.calls == 2
    app = PageApp()
    page = cached(app, kept=2)
    get(page, method="HEAD", user="ann")  # a HEAD has no body to keep
    for user in ("ann", "bob", "carol", "bob", "ann"):
        get(page, "", user)
    # HEAD, ann, bob, carol (ann forgotten), bob kept, ann made again
    assert app.calls == 5
    assert list(page.pages) == [page_request_for("bob"), page_request_for("ann")]


def page_request_for(user: str):
    scope = {"type": "http", "headers": [(b"x-forwarded-user", user.encode())], "query_string": b""}
    return page_request(Request(scope), LA_CODES)
