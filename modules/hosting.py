"""The ASGI wrapper around the Shiny app: health check, the kept page, cached plotly.js, the
empty basemap."""

from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from csc_inequalities.figures.maps import empty_world_topojson
from csc_inequalities.reference.maps_data import authority_geojson_gzip
from csc_inequalities.reference.memory import resident_mb
from csc_inequalities.reference.store import GEOGRAPHY_BY_IMD_YEAR, ReferenceStore
from csc_inequalities.serving.capacity import (
    SessionCount,
    idle_seconds_from_env,
    max_sessions_from_env,
)
from csc_inequalities.serving.page_cache import CachedPage, page_request
from csc_inequalities.serving.security import SecurityHeaders
from csc_inequalities.serving.session_gate import SessionGate

if TYPE_CHECKING:
    from shiny import App

# plotly.js with only the trace types the app draws (tools/plotly-bundle): 1.4 MB, not 4.7 MB.
# Its address names its content, so browsers may keep it until it changes.
PLOTLY_JS = Path(__file__).parents[1] / "www" / "vendor" / "plotly-csc.min.js"
PLOTLY_JS_URL = f"plotly/plotly-csc.{hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest()[:12]}.js"
KEEP = {"Cache-Control": "public, max-age=31536000, immutable"}
ONE_DAY = {"Cache-Control": "public, max-age=86400"}
VARY = "Accept-Encoding"


@functools.cache
def plotly_js_gzipped() -> bytes:
    """plotly.js compressed once per process: 1.4 MB becomes about 0.5 MB on the wire."""
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=6, mtime=0)


def accepts_gzip(request: Request) -> bool:
    """Whether the browser takes gzip-encoded responses (every current browser does)."""
    return "gzip" in request.headers.get("accept-encoding", "").lower()


def gzipped_response(content: bytes, media_type: str, cache: dict = ONE_DAY) -> Response:
    """Already gzip-compressed content, cached for a day unless told otherwise."""
    headers = dict(cache, Vary=VARY)
    headers["Content-Encoding"] = "gzip"
    return Response(content, media_type=media_type, headers=headers)


def hosted_app(shiny_app: App, store: ReferenceStore, title: str) -> Starlette:
    """Mount Shiny at / beside /healthz, /plotly, each authority's polygons and the basemap."""
    known_authorities = set(store.authorities["la_code"])
    threading.Thread(target=plotly_js_gzipped, daemon=True).start()  # ready for the first page
    # At most CSC_MAX_SESSIONS sessions; CSC_IDLE_MINUTES without a message ends a session.
    sessions = SessionCount(max_sessions_from_env())

    async def healthz(request: Request) -> JSONResponse:
        # Sessions, the limit and memory, for a balancer or an orchestrator to act on; the
        # status stays "ok" when full, since the sessions held are still served.
        return JSONResponse(
            {
                "status": "ok",
                "authorities": len(store.authorities),
                "sessions": sessions.open,
                "max_sessions": sessions.limit,
                "accepting": sessions.accepting(time.monotonic()),
                "rss_mb": resident_mb(),
                # The cores it may run on: one when pinned (./dev serve, Compose's cpuset).
                "cpus": sorted(os.sched_getaffinity(0)),
            }
        )

    async def authority_polygons(request: Request) -> Response:
        year, la_code = request.path_params["imd_year"], request.path_params["la_code"]
        if year not in GEOGRAPHY_BY_IMD_YEAR or la_code not in known_authorities:
            return Response("No such authority or index year.", status_code=404)
        # Stored gzip-compressed by the data build: sent as they are (read once per process).
        stored = await asyncio.to_thread(authority_geojson_gzip, year, la_code)
        if accepts_gzip(request):
            return gzipped_response(stored, "application/geo+json")
        headers = dict(ONE_DAY, Vary=VARY)
        return Response(gzip.decompress(stored), media_type="application/geo+json", headers=headers)

    async def plotly_js(request: Request) -> Response:
        media_type = "text/javascript; charset=utf-8"
        if not accepts_gzip(request):
            return FileResponse(PLOTLY_JS, media_type=media_type, headers=KEEP)
        return gzipped_response(await asyncio.to_thread(plotly_js_gzipped), media_type, KEEP)

    async def world_topojson(request: Request) -> JSONResponse:
        return JSONResponse(empty_world_topojson(), headers=ONE_DAY)

    # The page is built from what page_request reads, so it is kept by that (about 75 ms saved
    # per visit).
    page = CachedPage(shiny_app, lambda request: page_request(request, known_authorities))

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/topojson/world_110m.json", world_topojson),
            Route("/geojson/{imd_year:int}/{la_code:str}.json", authority_polygons),
            Route(f"/{PLOTLY_JS_URL}", plotly_js),
            Route("/", page, methods=["GET", "HEAD"]),
            Mount("/", app=shiny_app),
        ],
        # Security headers on every response; a websocket from a foreign page is refused; new
        # visitors get a busy page when the process is full, and idle sessions are ended.
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionGate, count=sessions, idle_s=idle_seconds_from_env(), title=title),
        ],
    )
