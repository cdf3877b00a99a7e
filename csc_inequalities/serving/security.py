"""Security at the door: response headers on every response and the websocket's Origin check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from csc_inequalities.settings import text_setting

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Headers = list[tuple[bytes, bytes]]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Only the app's own files and its websocket. Shiny and bslib write inline scripts and styles
# without nonces, so 'unsafe-inline' is the floor; the bundled plotly.js (scatter, bar and
# choropleth only) runs without 'unsafe-eval'; its 'Download plot' button draws the PNG from a
# blob: image, and Bootstrap's icons are data: images (tests/e2e/test_content_security.py).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The page, the session's uploads and downloads and the health check are never kept by a
# browser or a shared cache; the plotly bundle and the polygons keep their own caching.
NO_STORE = "no-store"
NO_STORE_PATHS = ("/", "/healthz")
NO_STORE_PREFIXES = ("/session/",)
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# HTTP 403 to the browser: ASGI servers answer a websocket closed before it is accepted so.
POLICY_VIOLATION = 1008


def allowed_origins_from_env(environ: MutableMapping[str, str] | None = None) -> frozenset[str]:
    """Origins a proxy that rewrites Host serves the app from (CSC_ALLOWED_ORIGINS, commas)."""
    configured = text_setting("CSC_ALLOWED_ORIGINS", environ)
    return frozenset(
        normalised for item in configured.split(",") if (normalised := normalise_origin(item))
    )


def normalise_origin(origin: str) -> str:
    """scheme://host[:port] in lower case with the scheme's default port left out."""
    parts = urlsplit(origin.strip().lower())
    if not parts.scheme or not parts.hostname:
        return ""
    try:
        port = parts.port
    except ValueError:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def same_host(origin: str, host_header: str) -> bool:
    """Whether the Origin names the host (and port) the browser sent the request to."""
    normalised = normalise_origin(origin)
    if not normalised or not host_header:
        return False
    scheme = normalised.split("://", 1)[0]
    return normalised == normalise_origin(f"{scheme}://{host_header}")


def origin_allowed(headers: Iterable[tuple[bytes, bytes]], allowed: frozenset[str]) -> bool:
    """A websocket may open from the app's own page or a listed origin; no Origin is no browser."""
    values = {name.lower(): value.decode("latin-1") for name, value in headers}
    origin = values.get(b"origin")
    if origin is None:
        return True
    return same_host(origin, values.get(b"host", "")) or normalise_origin(origin) in allowed


def wants_no_store(path: str) -> bool:
    """Session routes (the page, uploads, downloads) and the health check are never cached."""
    return path in NO_STORE_PATHS or path.startswith(NO_STORE_PREFIXES)


def with_security_headers(headers: Headers, path: str) -> Headers:
    """The response's headers plus the security headers it lacks (and no-store where due)."""
    present = {name.lower() for name, _ in headers}
    added = [
        (name.lower().encode(), value.encode())
        for name, value in SECURITY_HEADERS.items()
        if name.lower().encode() not in present
    ]
    if wants_no_store(path):
        headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
        added.append((b"cache-control", NO_STORE.encode()))
    return [*headers, *added]


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response, foreign websockets refused."""

    def __init__(self, app: ASGIApp, allowed_origins: frozenset[str] | None = None) -> None:
        self.app = app
        self.allowed_origins = (
            allowed_origins if allowed_origins is not None else allowed_origins_from_env()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if origin_allowed(scope.get("headers", []), self.allowed_origins):
                await self.app(scope, receive, send)
            else:
                await refuse_websocket(receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers", [])), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def refuse_websocket(receive: Receive, send: Send) -> None:
    """Close the websocket before accepting it: the browser sees HTTP 403."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": POLICY_VIOLATION})
