"""The ASGI wrapper around the Shiny app: health check, cached plotly.js, the empty basemap."""

from __future__ import annotations

import asyncio
from pathlib import Path

import plotly
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from csc_inequalities.figures.maps import empty_world_topojson
from csc_inequalities.maps_data import authority_geojson_bytes
from csc_inequalities.store import GEOGRAPHY_BY_IMD_YEAR, ReferenceStore

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_JS_URL = "plotly/plotly.min.js"


class CachedStaticFiles(StaticFiles):
    """Static files the browser may keep for a day: plotly.js is 4.7 MB and never changes."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def hosted_app(shiny_app, store: ReferenceStore) -> Starlette:
    """Mount Shiny at / beside /healthz, /plotly, each authority's polygons and the basemap."""
    known_authorities = set(store.authorities["la_code"])

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "authorities": len(store.authorities)})

    async def authority_polygons(request: Request) -> Response:
        year, la_code = request.path_params["imd_year"], request.path_params["la_code"]
        if year not in GEOGRAPHY_BY_IMD_YEAR or la_code not in known_authorities:
            return Response("No such authority or index year.", status_code=404)
        content = await asyncio.to_thread(authority_geojson_bytes, year, la_code)
        return Response(
            content,
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def world_topojson(request: Request) -> JSONResponse:
        return JSONResponse(
            empty_world_topojson(), headers={"Cache-Control": "public, max-age=86400"}
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/topojson/world_110m.json", world_topojson),
            Route("/geojson/{imd_year:int}/{la_code:str}.json", authority_polygons),
            Mount("/plotly", CachedStaticFiles(directory=PLOTLY_JS_DIR)),
            Mount("/", app=shiny_app),
        ]
    )
