"""Security at the door: headers on every response, foreign websockets refused, proxy user."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request

from csc_inequalities.serving.page_cache import page_request
from csc_inequalities.serving.proxy_user import proxy_user_trusted, signed_in_user
from csc_inequalities.serving.security import (
    SECURITY_HEADERS,
    SecurityHeaders,
    allowed_origins_from_env,
    normalise_origin,
    same_host,
)
from modules.signed_in import signed_in_ui


def http_scope(path: str) -> dict:
    """A GET request's ASGI scope."""
    return {"type": "http", "method": "GET", "path": path, "headers": []}


def websocket_scope(headers: dict[str, str]) -> dict:
    """A websocket handshake's ASGI scope with the given request headers."""
    encoded = [(name.encode(), value.encode()) for name, value in headers.items()]
    return {"type": "websocket", "path": "/websocket/", "headers": encoded}


def response_headers(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The headers a client receives when the wrapped app answers with these."""

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeaders(inner, frozenset())(http_scope(path), receive, send))
    start = sent[0]
    assert [name for name, _ in start["headers"]].count(b"cache-control") <= 1
    return {name.decode(): value.decode() for name, value in start["headers"]}


def handshake(headers: dict[str, str], allowed: frozenset[str] = frozenset()) -> list[dict]:
    """What the server sends when a websocket with these headers connects."""

    async def inner(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})

    sent: list[dict] = []

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeaders(inner, allowed)(websocket_scope(headers), receive, send))
    return sent


def test_every_response_carries_the_security_headers() -> None:
    headers = response_headers("/assets/app.js", [(b"content-type", b"text/javascript")])
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == value
    policy = headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline';" in policy
    assert "'unsafe-eval'" not in policy and "http" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "cache-control" not in headers


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/session/abc/download/exports-csv", "/session/abc/upload/1"]
)
def test_session_routes_are_never_stored(path: str) -> None:
    headers = response_headers(path, [(b"cache-control", b"public, max-age=60")])
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/plotly/plotly-csc.0123456789ab.js", "/geojson/2025/E06000009.json"]
)
def test_cached_routes_keep_their_own_caching(path: str) -> None:
    own = "public, max-age=31536000, immutable"
    assert response_headers(path, [(b"cache-control", own.encode())])["cache-control"] == own


def test_a_route_that_sets_its_own_header_keeps_it() -> None:
    headers = response_headers("/x", [(b"x-frame-options", b"SAMEORIGIN")])
    assert headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"},
        {"host": "explorer.example.org", "origin": "https://explorer.example.org"},
        {"host": "Explorer.Example.org:443", "origin": "https://explorer.example.org"},
        {"host": "127.0.0.1:8000"},
    ],
)
def test_the_apps_own_page_opens_the_websocket(headers: dict[str, str]) -> None:
    assert handshake(headers) == [{"type": "websocket.accept"}]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://127.0.0.1:9000",
        "https://explorer.example.org.evil.example",
        "null",
        "",
    ],
)
def test_a_foreign_page_is_refused_before_the_websocket_opens(origin: str) -> None:
    sent = handshake({"host": "127.0.0.1:8000", "origin": origin})
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_an_allowed_origin_passes_when_a_proxy_rewrites_host() -> None:
    allowed = allowed_origins_from_env({"CSC_ALLOWED_ORIGINS": " https://Explorer.example.org/ ,"})
    assert allowed == frozenset({"https://explorer.example.org"})
    headers = {"host": "10.0.0.5:8000", "origin": "https://explorer.example.org"}
    assert handshake(headers, allowed) == [{"type": "websocket.accept"}]
    assert handshake(headers)[0]["type"] == "websocket.close"


def test_origins_compare_scheme_host_and_port() -> None:
    assert normalise_origin("HTTPS://Example.org:443") == "https://example.org"
    assert normalise_origin("http://example.org:8080/") == "http://example.org:8080"
    assert normalise_origin("http://[::1]:8000") == "http://[::1]:8000"
    assert normalise_origin("not an origin") == ""
    assert same_host("http://[::1]:8000", "[::1]:8000")
    assert not same_host("http://example.org", "example.org:8080")
    assert not same_host("https://example.org", "")


def test_the_proxy_user_is_shown_only_when_trusted() -> None:
    headers = {"x-auth-request-user": "7c9e6679", "x-auth-request-email": "ann@council.gov.uk"}
    assert signed_in_user(headers, trusted=False) is None
    assert signed_in_user(headers, trusted=True) == "ann@council.gov.uk"
    assert signed_in_user({"x-forwarded-user": " bob\x00\n "}, trusted=True) == "bob"
    assert signed_in_user({"x-sp-userid": "carol"}, trusted=True) == "carol"
    assert signed_in_user({"x-forwarded-user": "\x07"}, trusted=True) is None
    assert signed_in_user({}, trusted=True) is None
    assert proxy_user_trusted({"CSC_TRUST_PROXY_USER": "1"})
    assert not proxy_user_trusted({"CSC_TRUST_PROXY_USER": "0"})
    assert not proxy_user_trusted({})


def test_the_page_header_escapes_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    name = '<script>alert("x")</script>'
    scope = {"type": "http", "headers": [(b"x-forwarded-user", name.encode())], "query_string": b""}
    monkeypatch.setenv("CSC_TRUST_PROXY_USER", "1")
    html = str(signed_in_ui(page_request(Request(scope), []).signed_in))
    assert "Signed in as" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    monkeypatch.delenv("CSC_TRUST_PROXY_USER")
    assert signed_in_ui(page_request(Request(scope), []).signed_in) is None
