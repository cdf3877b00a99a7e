"""Simulated users over Shiny's own protocol, to measure how many people a process serves.

Each user does what a browser does: fetches the page, opens the websocket and sends `init` with
every input and which outputs are visible, fetches each map's polygons from /geojson/ (once per
authority, as a browser caches them), changes authority, measure and tab with 1-3 s of thought
between, sends one upload through uploadInit / POST / uploadEnd, fetches one download and
leaves (from the Export tab, as a browser must). Only ever against 127.0.0.1, with a bounded
number of users and a time limit.

Run: .venv/bin/python bench/load_client.py {single,pair,control,memory,all} [--users N]
(needs the built reference store and Debian's nginx, see tools/serve.py). The app processes run
on a core each, as ./dev serve runs them; --float leaves them to the scheduler, for comparison.
Each run prints its figures; `all` also writes them into bench/RESULTS.md. `journey
[--journeys N]` instead makes whole journeys one at a time and prints the server's CPU per kind
of action, for comparing two builds or settings without the noise of queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import random
import re
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import psutil
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from csc_inequalities.serving.session_gate import RELEASE_AFTER_S  # noqa: E402
from modules.shiny_overhead import EMPTY_FLUSH  # noqa: E402
from tools.serve import free_port_block, serve  # noqa: E402

LOCALHOST = "127.0.0.1"
MAX_USERS = 200
RUN_LIMIT_S = 900.0
INTERACTION_LIMIT_S = 60.0
# After Shiny says idle, wait this long for follow-up messages (an extended task finishing)
# before taking the interaction as complete; the latency ends at the last message received.
QUIET_S = 0.25
THINK_S = (1.0, 3.0)
# Every user's HTTP client shares one TLS context (the runs are plain HTTP on 127.0.0.1):
# making one per user was a tenth of the client's CPU, taken from the processes measured.
TLS_CONTEXT = ssl.create_default_context()
# The watch reads each process's memory every SAMPLE_EVERY_S but looks for its children (an
# export's Chromium) only every CHILDREN_EVERY samples: walking every process on the machine
# four times a second was a sixth of the client's CPU.
CHILDREN_EVERY = 8
AFTER_LEAVING_S = 60.0
# Idle is measured once the warm-up user's session has been collected (the gate does it 10 s
# after a session ends).
IDLE_AFTER_S = 15.0
SAMPLE_EVERY_S = 0.25
INTERACTIONS = 8
UPLOAD_AUTHORITY = "E06000009"
UPLOAD_INPUT = "upload-files_903"
UPLOAD_FILES = ("demo_903_header.csv", "demo_903_episodes.csv")
DOWNLOAD = "exports-gradient_csv"
# deploy/nginx/explorer.conf.template pins a browser to a process with this cookie.
AFFINITY_COOKIE = "csc_affinity"
POLYGONS = re.compile(r"geojson/\d{4}/E\d{8}\.json")
# The outputs whose arrival shows a tab drawn for the current settings, and what they depend on.
KEY_OUTPUTS = {
    "areas": ("neighbourhoods-map", "neighbourhoods-headlines"),
    "gradient": ("gradient-chart",),
    "ethnicity": ("ethnicity-by_group",),
    "trend": ("trend-gradient_trend",),
    "export": ("exports-view_status",),
}
DEPENDS_ON_MEASURE = {"gradient", "ethnicity", "trend"}
MEASURES = [
    ("CPP", "at_date"),
    ("CLA", "at_date"),
    ("CIN", "at_date"),
    ("CPP", "starts"),
    ("CLA", "starts"),
]
# One user's round of actions (each user starts at another point of it).
ROUND = (
    "tab:gradient",
    "authority",
    "measure",
    "tab:areas",
    "authority",
    "tab:ethnicity",
    "measure",
    "authority",
    "tab:trend",
    "measure",
)
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Capacity under load (bench/load_client.py)"
NOTES_HEADING = "## Investigation notes"


# ---- the page: which inputs it has and which outputs each tab shows -------------------------


@dataclass
class PageModel:
    """The inputs of the page with their initial values, and the tab each output sits in."""

    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str | None] = field(default_factory=dict)
    tab: str = ""

    def hidden(self, tab: str) -> dict[str, bool]:
        """Shiny's hidden flags for every output when `tab` is the open tab."""
        return {
            f".clientdata_output_{name}_hidden": where is not None and where != tab
            for name, where in self.outputs.items()
        }


class _PageParser(HTMLParser):
    """Reads the inputs and outputs of a Shiny page as the browser's bindings would find them."""

    def __init__(self) -> None:
        super().__init__()
        self.model = PageModel()
        self.depth = 0  # of nested divs (Shiny closes every div it writes)
        self.panes: list[tuple[int, str]] = []  # (div depth, tab value) of open tab panes
        self.select: str | None = None
        self.first_option: dict[str, str] = {}
        self.tabset = ""

    def current_tab(self) -> str | None:
        """The tab pane the parser is inside, if any."""
        return self.panes[-1][1] if self.panes else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        classes = set(a.get("class", "").split())
        element_id = a.get("id", "")
        if tag == "div":
            self.depth += 1
            if "tab-pane" in classes:
                self.panes.append((self.depth, a.get("data-value", "")))
        inputs = self.model.inputs
        if tag == "select" and element_id:
            self.select = element_id
            inputs.setdefault(element_id, None)
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, a.get("value", ""))
            if "selected" in a:
                inputs[self.select] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio" and "checked" in a:
            inputs[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and element_id:
            inputs[element_id] = "checked" in a
        elif tag == "input" and a.get("type") == "file" and element_id:
            inputs[f"{element_id}:shiny.file"] = None
        elif tag == "button" and "action-button" in classes and element_id:
            inputs[f"{element_id}:shiny.action"] = 0
        elif "shiny-tab-input" in classes and element_id:
            self.model.inputs[element_id] = None
            self.tabset = element_id
        elif tag == "a" and a.get("data-value") and "active" in classes:
            self.model.inputs[self.tabset] = a["data-value"]
            self.model.tab = a["data-value"]
        if element_id and (
            {"shiny-html-output", "shiny-text-output"} & classes
            or ("shiny-download-link" in classes)
        ):
            self.model.outputs[element_id] = self.current_tab()

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            if self.select and self.model.inputs.get(self.select) is None:
                self.model.inputs[self.select] = self.first_option.get(self.select)
            self.select = None
        if tag == "div":
            if self.panes and self.panes[-1][0] == self.depth:
                self.panes.pop()
            self.depth -= 1


@functools.lru_cache(maxsize=16)
def parse_page(html: str) -> PageModel:
    """The page's inputs and outputs, from the HTML the server sent.

    Parsed once per distinct page (the users share it, and only read it): parsing it for each
    user took the client's CPU from the processes it measures.
    """
    parser = _PageParser()
    parser.feed(html)
    if not parser.model.tab:
        raise ValueError("the page has no open tab")
    return parser.model


# ---- one simulated user ----------------------------------------------------------------------


class UserError(Exception):
    """Something a user would have seen fail (an error, a refused request, no answer)."""


@dataclass
class UserResult:
    """What one user measured."""

    first_render_s: float | None = None
    latencies: list[tuple[str, float]] = field(default_factory=list)
    upload_s: float | None = None
    download_s: float | None = None
    errors: list[str] = field(default_factory=list)


class ShinyUser:
    """A browser's traffic for one session: the page, its websocket, polygons and files."""

    def __init__(self, base_url: str, sticky: bool, rng: random.Random) -> None:
        self.base_url = base_url.rstrip("/")
        self.sticky = sticky
        self.rng = rng
        self.http = httpx.AsyncClient(
            timeout=INTERACTION_LIMIT_S, headers={"Accept-Encoding": "gzip"}, verify=TLS_CONTEXT
        )
        self.ws: Any = None
        self.session_id = ""
        self.busy = False
        self.last_message = 0.0
        self.arrived: dict[str, float] = {}
        self.rendered_for: dict[str, tuple] = {}
        self.values: dict[str, Any] = {}
        self.errors: list[str] = []
        self.inputs: dict[str, Any] = {}
        self.responses: dict[int, asyncio.Future] = {}
        self.tag = 0
        self.fetched: set[str] = set()
        self.fetching: set[asyncio.Task] = set()
        self.polygons_done = 0.0
        self.signal = asyncio.Event()
        self.reader: asyncio.Task | None = None
        self.model = PageModel()

    # -- HTTP, as the browser sends it (with the affinity cookie unless told not to)

    def forget_affinity(self) -> None:
        """Without stickiness the balancer's affinity cookie is never sent back."""
        if not self.sticky:
            with contextlib.suppress(KeyError):
                self.http.cookies.delete(AFFINITY_COOKIE)

    async def get(self, path: str) -> httpx.Response:
        """GET a path of the app, with the browser's cookies."""
        self.forget_affinity()
        response = await self.http.get(f"{self.base_url}/{path.lstrip('/')}")
        if response.status_code != 200:
            route = urlsplit(path).path.strip("/").split("/")[0]  # never a session's id
            raise UserError(f"GET /{route}: {response.status_code}")
        return response

    def cookie_header(self) -> dict[str, str]:
        """The websocket handshake's headers: the page's origin and the browser's cookies."""
        self.forget_affinity()
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        return (
            {"Cookie": cookies, "Origin": self.base_url} if cookies else {"Origin": self.base_url}
        )

    # -- the websocket

    async def open(self, query: str = "") -> float:
        """Page, websocket, init, and the first tab fully drawn with its polygons: seconds."""
        started = time.perf_counter()
        page = await self.get(f"/{query}")
        self.model = parse_page(page.text)
        self.inputs = dict(self.model.inputs)
        ws_url = "ws" + self.base_url[len("http") :] + "/websocket/"
        self.ws = await websockets.connect(
            ws_url, additional_headers=self.cookie_header(), max_size=None, compression="deflate"
        )
        self.reader = asyncio.create_task(self.read())
        parts = urlsplit(self.base_url)
        clientdata = {
            ".clientdata_pixelratio": 1,
            ".clientdata_url_protocol": f"{parts.scheme}:",
            ".clientdata_url_hostname": parts.hostname,
            ".clientdata_url_port": str(parts.port or ""),
            ".clientdata_url_pathname": "/",
            ".clientdata_url_search": query,
            ".clientdata_url_hash_initial": "",
            ".clientdata_url_hash": "",
            ".clientdata_singletons": "",
        }
        mark = time.perf_counter()
        await self.send(
            {
                "method": "init",
                "data": {**self.inputs, **self.model.hidden(self.model.tab), **clientdata},
            }
        )
        await self.settle(mark, self.expected(self.model.tab))
        return max(self.last_message, self.polygons_done) - started

    async def send(self, message: dict) -> None:
        """One message to the server, as shiny.js sends it."""
        await self.ws.send(orjson.dumps(message).decode())

    async def read(self) -> None:
        """Take every message from the server, as shiny.js does."""
        try:
            async for raw in self.ws:
                message = orjson.loads(raw)
                # A flush report with nothing in it (another session's change, before the app
                # stopped sending them) changes nothing on screen: it is not an answer.
                if message != EMPTY_FLUSH:
                    self.last_message = time.perf_counter()
                self.take(message)
                self.signal.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.signal.set()

    def take(self, message: dict) -> None:
        """Note what a message says and answer it as the browser would (polygons, the year)."""
        if "config" in message:
            self.session_id = message["config"]["sessionId"]
        if "busy" in message:
            self.busy = message["busy"] == "busy"
        for name, value in (message.get("values") or {}).items():
            self.arrived[name] = self.last_message
            self.rendered_for[name] = self.settings()
            self.values[name] = value
            html = value.get("html", "") if isinstance(value, dict) else ""
            for url in POLYGONS.findall(html) if name == "neighbourhoods-map" else ():
                if url not in self.fetched:
                    self.fetched.add(url)
                    task = asyncio.create_task(self.fetch_polygons(url))
                    self.fetching.add(task)
                    task.add_done_callback(self.fetching.discard)
        for name, error in (message.get("errors") or {}).items():
            if "shiny.silent.error" not in (error.get("type") or []):
                self.errors.append(f"output {name}: {error.get('message', '')[:80]}")
        for update in message.get("inputMessages") or ():
            value = update.get("message", {}).get("value")
            if update["id"] == "controls-year" and value:
                year = value[0] if isinstance(value, list) else value
                if self.inputs.get("controls-year") != year:
                    self.inputs["controls-year"] = year
                    asyncio.create_task(
                        self.send({"method": "update", "data": {"controls-year": year}})
                    )
        if "response" in message:
            future = self.responses.pop(message["response"]["tag"], None)
            if future is not None and not future.done():
                future.set_result(message["response"])

    async def fetch_polygons(self, url: str) -> None:
        """The map's polygons, fetched once per authority as the browser (which caches them)."""
        try:
            await self.get(url)
        except (UserError, httpx.HTTPError) as error:
            self.errors.append(f"polygons: {error}")
        self.polygons_done = time.perf_counter()
        self.signal.set()

    def settings(self) -> tuple:
        """What the outputs are drawn for: authority, intervention, count and year."""
        return (
            self.inputs.get("controls-la"),
            self.inputs.get("controls-intervention"),
            self.inputs.get("controls-count_kind"),
            self.inputs.get("controls-year"),
        )

    def expected(self, tab: str) -> set[str]:
        """The key outputs of a tab that were drawn for other settings (or never)."""
        wanted = set()
        for name in KEY_OUTPUTS.get(tab, ()):
            drawn = self.rendered_for.get(name)
            now = self.settings()
            if drawn is None or drawn[0] != now[0] or (tab in DEPENDS_ON_MEASURE and drawn != now):
                wanted.add(name)
        return wanted

    async def settle(self, since: float, expected: set[str]) -> None:
        """Wait until the expected outputs arrived, polygons are in and Shiny stayed quiet."""
        deadline = since + INTERACTION_LIMIT_S
        while True:
            if self.reader is not None and self.reader.done():
                raise UserError("the websocket closed")
            now = time.perf_counter()
            drawn = all(self.arrived.get(name, 0.0) > since for name in expected)
            # Nothing more for QUIET_S since the change was sent or last answered (a change
            # that redraws nothing, like opening a tab already drawn, gets no answer at all).
            quiet = now - max(self.last_message, since) >= QUIET_S
            if drawn and not self.busy and not self.fetching and quiet:
                if self.errors:
                    raise UserError(self.errors[0])
                return
            if now > deadline:
                missing = sorted(n for n in expected if self.arrived.get(n, 0.0) <= since)
                raise UserError(
                    f"no answer within {INTERACTION_LIMIT_S:.0f} s (waiting for {missing})"
                )
            self.signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.signal.wait(), QUIET_S)

    async def update(self, data: dict[str, Any], tab: str) -> float:
        """Send input changes and wait for the open tab to be drawn: seconds to the last answer."""
        self.inputs.update(data)
        mark = time.perf_counter()
        await self.send({"method": "update", "data": data})
        await self.settle(mark, self.expected(tab))
        return max(mark, self.last_message, self.polygons_done) - mark

    async def act(self, action: str, authorities: list[str]) -> tuple[str, float]:
        """One change a manager makes: a tab, an authority or a measure; its kind and seconds."""
        tab = self.inputs.get("page")
        if action.startswith("tab:"):
            tab = action[4:]
            data = {"page": tab, **self.model.hidden(tab)}
        elif action == "authority":
            data = {"controls-la": self.rng.choice(authorities)}
        else:
            current = (
                self.inputs.get("controls-intervention"),
                self.inputs.get("controls-count_kind"),
            )
            intervention, kind = self.rng.choice([m for m in MEASURES if m != current])
            data = {"controls-intervention": intervention, "controls-count_kind": kind}
        return action.split(":")[0], await self.update(data, tab)

    async def act_authority(self, la_code: str) -> tuple[str, float]:
        """Pick a given authority on the open tab."""
        return "authority", await self.update({"controls-la": la_code}, self.inputs.get("page"))

    async def upload(self, files: dict[str, bytes]) -> float:
        """Upload the files as shiny.js does, press 'Read the files' and wait for the summary."""
        await self.update({"page": "data", **self.model.hidden("data")}, "data")
        started = time.perf_counter()
        infos = [
            {"name": name, "size": len(content), "type": "text/csv"}
            for name, content in files.items()
        ]
        init = await self.request("uploadInit", [infos])
        if "error" in init:
            raise UserError(f"uploadInit: {init['error']}")
        job, url = init["value"]["jobId"], init["value"]["uploadUrl"]
        for content in files.values():
            self.forget_affinity()
            posted = await self.http.post(f"{self.base_url}/{url}", content=content)
            if posted.status_code != 200:
                raise UserError(f"upload POST: {posted.status_code}")
        end = await self.request("uploadEnd", [job, UPLOAD_INPUT])
        if "error" in end:
            raise UserError(f"uploadEnd: {end['error']}")
        presses = self.inputs.get("upload-read:shiny.action", 0) + 1
        self.inputs["upload-read:shiny.action"] = presses
        await self.send({"method": "update", "data": {"upload-read:shiny.action": presses}})
        deadline = started + INTERACTION_LIMIT_S
        while "What was read" not in str(self.values.get("upload-status", "")):
            if "alert-danger" in str(self.values.get("upload-status", "")):
                raise UserError("upload: the files were refused")
            if time.perf_counter() > deadline or (self.reader and self.reader.done()):
                raise UserError("upload: no summary")
            self.signal.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.signal.wait(), QUIET_S)
        return time.perf_counter() - started

    async def request(self, method: str, args: list) -> dict:
        """A message Shiny answers by its tag (uploadInit, uploadEnd): the answer."""
        self.tag += 1
        future = asyncio.get_running_loop().create_future()
        self.responses[self.tag] = future
        await self.send({"method": method, "args": args, "tag": self.tag})
        return await asyncio.wait_for(future, INTERACTION_LIMIT_S)

    async def download(self, output_id: str) -> float:
        """Fetch one of the session's downloads as the browser does: seconds."""
        started = time.perf_counter()
        response = await self.get(f"session/{self.session_id}/download/{output_id}?w=")
        if not response.content:
            raise UserError("download: empty")
        return time.perf_counter() - started

    async def close(self) -> None:
        """Leave: close the websocket (the session ends) and the HTTP client."""
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await self.reader
        await self.http.aclose()


async def one_user(
    base_url: str,
    number: int,
    authorities: list[str],
    files: dict[str, bytes],
    interactions: int,
    sticky: bool,
    seed: int,
) -> UserResult:
    """Open the app, act with thought between, upload, download, leave."""
    rng = random.Random(seed * 1000 + number)
    user = ShinyUser(base_url, sticky, rng)
    result = UserResult()
    try:
        result.first_render_s = await user.open()
        start = rng.randrange(len(ROUND))
        for step in range(interactions):
            await asyncio.sleep(rng.uniform(*THINK_S))
            result.latencies.append(await user.act(ROUND[(start + step) % len(ROUND)], authorities))
        await asyncio.sleep(rng.uniform(*THINK_S))
        if user.inputs.get("controls-la") != UPLOAD_AUTHORITY:
            result.latencies.append(await user.act_authority(UPLOAD_AUTHORITY))
        result.upload_s = await user.upload(files)
        await asyncio.sleep(rng.uniform(*THINK_S))
        # The download buttons are on the Export tab, whose panel starts on the first visit.
        result.latencies.append(await user.act("tab:export", authorities))
        result.download_s = await user.download(DOWNLOAD)
    except (
        UserError,
        httpx.HTTPError,
        OSError,
        websockets.WebSocketException,
        TimeoutError,
    ) as error:
        result.errors.append(str(error) or type(error).__name__)
    finally:
        await user.close()
    return result


# ---- a run: users against one process or several behind nginx, with their memory ------------


@dataclass
class Run:
    """One run's settings and what it measured."""

    name: str
    users: int
    processes: int
    sticky: bool = True
    results: list[UserResult] = field(default_factory=list)
    idle_mb: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    after_mb: list[float] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    seconds: float = 0.0
    # CPU seconds used while the users were on: each app process's, and this load client's.
    server_cpu_s: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0

    @property
    def errors(self) -> list[str]:
        """Every user's errors."""
        return [error for result in self.results for error in result.errors]

    def latencies(self) -> list[float]:
        """Seconds of every interaction of every user."""
        return [seconds for result in self.results for _, seconds in result.latencies]

    def first_renders(self) -> list[float]:
        """Seconds from asking for the page to the first tab drawn, per user."""
        return [r.first_render_s for r in self.results if r.first_render_s is not None]


class MemoryWatch:
    """Peak resident memory of each app process (and its children), sampled in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.children: list[list[psutil.Process]] = [[] for _ in pids]
        self.peak = [0] * len(pids)
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def rss(self, find_children: bool = True) -> list[int]:
        """Each process's resident memory now, with its children's (e.g. an export's Chromium)."""
        sizes = []
        for index, process in enumerate(self.processes):
            with contextlib.suppress(psutil.Error):
                if find_children:
                    self.children[index] = process.children(recursive=True)
                size = process.memory_info().rss
                for child in self.children[index]:
                    with contextlib.suppress(psutil.Error):
                        size += child.memory_info().rss
                sizes.append(size)
        return sizes

    def sample(self) -> None:
        """Keep the highest memory seen until stopped."""
        samples = 0
        while self.running:
            for index, size in enumerate(self.rss(samples % CHILDREN_EVERY == 0)):
                self.peak[index] = max(self.peak[index], size)
            samples += 1
            time.sleep(SAMPLE_EVERY_S)

    def stop(self) -> list[float]:
        """Stop sampling: the peak MB of each process."""
        self.running = False
        self.thread.join()
        return [size / 1048576 for size in self.peak]


def cpu_seconds(pids: list[int]) -> list[float]:
    """CPU seconds (user and system) each process has used so far."""
    return [sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids]


def listening_pids(ports: list[int]) -> list[int]:
    """The processes listening on these local ports, in port order."""
    by_port = {
        conn.laddr.port: conn.pid
        for conn in psutil.net_connections(kind="tcp")
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port in ports and conn.pid
    }
    return [by_port[port] for port in ports]


@contextmanager
def app_processes(
    count: int, env: dict[str, str], pin: bool = True
) -> Iterator[tuple[str, list[str]]]:
    """`count` app processes behind nginx (tools/serve.py), each on a core of its own if pin.

    Yields the address users browse to and each process's own address (for /healthz).
    """
    port = free_port_block(count + 1, start=21000)
    with serve(count, port, env=env, pin=pin) as url:
        yield url, [f"http://{LOCALHOST}:{port + offset}" for offset in range(1, count + 1)]


async def process_sessions(process_urls: list[str], counts: list[int], stop: asyncio.Event) -> None:
    """The most sessions each process held at once, from its /healthz."""
    async with httpx.AsyncClient(timeout=5) as client:
        while not stop.is_set():
            for index, url in enumerate(process_urls):
                with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                    health = (await client.get(f"{url}/healthz")).json()
                    counts[index] = max(counts[index], int(health["sessions"]))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)


def demo_upload_files() -> dict[str, bytes]:
    """Blackpool's demo SSDA903 Header and Episodes, the files every user uploads."""
    from csc_inequalities.demo import demo_files
    from csc_inequalities.reference.store import load_store

    return demo_files(UPLOAD_AUTHORITY, load_store(), names=UPLOAD_FILES)


def authority_codes() -> list[str]:
    """The 153 authorities' codes, which users pick from at random."""
    from csc_inequalities.reference.store import load_store

    return sorted(load_store().authorities["la_code"])


async def drive(
    run: Run, url: str, process_urls: list[str], interactions: int, ramp_s: float, seed: int
) -> None:
    """Start the users over ramp_s seconds and wait until every one has left."""
    codes, files = authority_codes(), demo_upload_files()
    counts = [0] * len(process_urls)
    stop = asyncio.Event()
    watcher = asyncio.create_task(process_sessions(process_urls, counts, stop))

    async def user(number: int) -> UserResult:
        await asyncio.sleep(ramp_s * number / max(1, run.users))
        return await one_user(url, number, codes, files, interactions, run.sticky, seed)

    started = time.perf_counter()
    run.results = await asyncio.wait_for(
        asyncio.gather(*(user(n) for n in range(run.users))), RUN_LIMIT_S
    )
    run.seconds = time.perf_counter() - started
    stop.set()
    await watcher
    run.sessions = counts


def warm_up(url: str, seed: int) -> None:
    """One user's whole journey, so what every process loads once is loaded before idle."""
    files = demo_upload_files()
    result = asyncio.run(one_user(url, 0, authority_codes(), files, 3, True, seed))
    if result.errors:
        raise RuntimeError(f"warm-up user failed: {result.errors}")


def load_run(
    name: str,
    users: int,
    processes: int,
    sticky: bool,
    interactions: int,
    seed: int,
    pin: bool = True,
) -> Run:
    """Users against `processes` app processes; memory idle, at peak and 60 s after they left."""
    run = Run(name, min(users, MAX_USERS), processes, sticky)
    with (
        tempfile.TemporaryDirectory(prefix="csc-load-tmp-") as tmp,
        app_processes(processes, {"TMPDIR": tmp, "CSC_MAX_SESSIONS": str(run.users)}, pin) as (
            url,
            process_urls,
        ),
    ):
        pids = listening_pids([urlsplit(u).port for u in process_urls])
        for process_url in process_urls:
            warm_up(process_url, seed)
        time.sleep(IDLE_AFTER_S)
        watch = MemoryWatch(pids)
        run.idle_mb = [size / 1048576 for size in watch.rss()]
        ramp = min(30.0, run.users * 0.3)
        servers, client = cpu_seconds(pids), time.process_time()
        asyncio.run(drive(run, url, process_urls, interactions, ramp, seed))
        run.client_cpu_s = time.process_time() - client
        run.server_cpu_s = [
            end - start for start, end in zip(servers, cpu_seconds(pids), strict=True)
        ]
        run.peak_mb = watch.stop()
        time.sleep(AFTER_LEAVING_S)
        run.after_mb = [size / 1048576 for size in watch.rss()]
    return run


async def hold_sessions(url: str, codes: list[str], seed: int) -> list[UserResult]:
    """One session per authority, all open at once, each showing its gradient; then all leave."""
    users = [ShinyUser(url, True, random.Random(seed + n)) for n in range(len(codes))]
    results = [UserResult() for _ in codes]

    async def visit(user: ShinyUser, la_code: str, result: UserResult) -> None:
        try:
            result.first_render_s = await user.open(f"?la={la_code}")
            result.latencies.append(await user.act("tab:gradient", [la_code]))
        except (UserError, httpx.HTTPError, OSError, websockets.WebSocketException) as error:
            result.errors.append(str(error))

    await asyncio.gather(*(visit(u, c, r) for u, c, r in zip(users, codes, results, strict=True)))
    await asyncio.sleep(5)  # all sessions held together while memory is sampled
    await asyncio.gather(*(user.close() for user in users))
    return results


def memory_run(sessions: int, seed: int, pin: bool = True) -> Run:
    """One process, `sessions` sessions each on another authority: peak and 60 s after."""
    run = Run("memory", sessions, 1)
    codes = authority_codes()[::8][:sessions]
    with (
        tempfile.TemporaryDirectory(prefix="csc-load-tmp-") as tmp,
        app_processes(1, {"TMPDIR": tmp, "CSC_MAX_SESSIONS": str(sessions)}, pin) as (
            url,
            process_urls,
        ),
    ):
        pids = listening_pids([urlsplit(u).port for u in process_urls])
        warm_up(process_urls[0], seed)
        time.sleep(IDLE_AFTER_S)
        watch = MemoryWatch(pids)
        run.idle_mb = [size / 1048576 for size in watch.rss()]
        started = time.perf_counter()
        run.results = asyncio.run(hold_sessions(url, codes, seed))
        run.seconds = time.perf_counter() - started
        run.sessions = [len(codes)]
        run.peak_mb = watch.stop()
        time.sleep(AFTER_LEAVING_S)
        run.after_mb = [size / 1048576 for size in watch.rss()]
    return run


async def one_journey_by_action(
    url: str, pid: int, codes: list[str], files: dict[str, bytes], rng: random.Random
) -> dict[str, float]:
    """One user's whole journey with nobody else on: the server's CPU seconds per action."""
    process = psutil.Process(pid)
    user = ShinyUser(url, True, rng)
    spent: dict[str, float] = {}

    async def measured(kind: str, step: Any) -> None:
        before = sum(process.cpu_times()[:2])
        await step
        await asyncio.sleep(QUIET_S)  # work the last answer set going (e.g. the address bar)
        spent[kind] = spent.get(kind, 0.0) + sum(process.cpu_times()[:2]) - before

    await measured("open", user.open())
    for action in ROUND:
        await measured(action.split(":")[0], user.act(action, codes))
    await measured("authority", user.act_authority(UPLOAD_AUTHORITY))
    await measured("upload", user.upload(files))
    await measured("tab", user.act("tab:export", codes))
    await measured("download", user.download(DOWNLOAD))
    # Leaving includes the collection the gate runs once the last session has ended.
    await measured("leave", user.close())
    before = sum(process.cpu_times()[:2])
    await asyncio.sleep(RELEASE_AFTER_S + 2)
    spent["leave"] += sum(process.cpu_times()[:2]) - before
    if user.errors:
        raise UserError("; ".join(user.errors))
    return spent


def journey_run(journeys: int, seed: int, pin: bool = True) -> list[dict[str, float]]:
    """Server CPU per kind of action over whole journeys made one at a time (no queueing).

    For comparing two builds or two settings (e.g. PYTHONMALLOC in this command's environment,
    which the app process inherits): run each several times, alternating.
    """
    with (
        tempfile.TemporaryDirectory(prefix="csc-load-tmp-") as tmp,
        app_processes(1, {"TMPDIR": tmp}, pin) as (_, process_urls),
    ):
        url = process_urls[0]
        pid = listening_pids([urlsplit(url).port])[0]
        warm_up(url, seed)
        time.sleep(IDLE_AFTER_S)
        codes, files, rng = authority_codes(), demo_upload_files(), random.Random(seed)
        return [
            asyncio.run(one_journey_by_action(url, pid, codes, files, rng)) for _ in range(journeys)
        ]


def journey_lines(spent: list[dict[str, float]]) -> list[str]:
    """Mean server CPU per journey for each kind of action, and the whole journey's."""
    kinds = sorted({kind for journey in spent for kind in journey})
    lines = [
        f"{kind:10s} {1000 * statistics.mean(j.get(kind, 0.0) for j in spent):6.0f} ms"
        for kind in kinds
    ]
    totals = [sum(journey.values()) for journey in spent]
    lines.append(
        f"{'journey':10s} {1000 * statistics.mean(totals):6.0f} ms "
        f"(min {1000 * min(totals):.0f}, max {1000 * max(totals):.0f}, {len(totals)} journeys)"
    )
    return lines


# ---- reporting ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (0 < share <= 1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def by_kind(run: Run) -> dict[str, list[float]]:
    """Interaction seconds by kind (authority, measure, tab)."""
    kinds: dict[str, list[float]] = {}
    for result in run.results:
        for kind, value in result.latencies:
            kinds.setdefault(kind, []).append(value)
    return kinds


def summary(run: Run) -> dict[str, Any]:
    """The figures of one run, ready for the table."""
    latencies, firsts = run.latencies(), run.first_renders()
    uploads = [r.upload_s for r in run.results if r.upload_s is not None]
    downloads = [r.download_s for r in run.results if r.download_s is not None]
    return {
        "run": run.name,
        "users": run.users,
        "processes": run.processes,
        "sticky": run.sticky,
        "errors": len(run.errors),
        "error_kinds": sorted({re.sub(r"\d+", "N", e) for e in run.errors}),
        "interactions": len(latencies),
        "first_p50": statistics.median(firsts) if firsts else None,
        "first_max": max(firsts) if firsts else None,
        "p50": statistics.median(latencies) if latencies else None,
        "p95": percentile(latencies, 0.95) if latencies else None,
        "max": max(latencies) if latencies else None,
        "upload_p50": statistics.median(uploads) if uploads else None,
        "download_p50": statistics.median(downloads) if downloads else None,
        "sessions": run.sessions,
        "idle_mb": run.idle_mb,
        "peak_mb": run.peak_mb,
        "after_mb": run.after_mb,
        "seconds": run.seconds,
        "server_cpu_s": run.server_cpu_s,
        "client_cpu_s": run.client_cpu_s,
        "by_kind": {
            kind: (len(values), statistics.median(values), percentile(values, 0.95))
            for kind, values in sorted(by_kind(run).items())
        },
    }


def seconds(value: float | None) -> str:
    """Seconds for the table."""
    return "-" if value is None else f"{value:.2f}"


def megabytes(values: list[float]) -> str:
    """MB per process for the table."""
    return " / ".join(f"{value:.0f}" for value in values) or "-"


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The runs as a Markdown table."""
    lines = [
        "| Run | Users | Processes | Errors | First full render p50 / max (s) | Interaction "
        "p50 / p95 / max (s) | Upload, download p50 (s) | Most sessions per process | "
        "Idle MB | Peak MB | MB 60 s after leaving |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['run']} | {row['users']} | {row['processes']} | {row['errors']} | "
            f"{seconds(row['first_p50'])} / {seconds(row['first_max'])} | "
            f"{seconds(row['p50'])} / {seconds(row['p95'])} / {seconds(row['max'])} | "
            f"{seconds(row['upload_p50'])}, {seconds(row['download_p50'])} | "
            f"{' / '.join(map(str, row['sessions']))} | {megabytes(row['idle_mb'])} | "
            f"{megabytes(row['peak_mb'])} | {megabytes(row['after_mb'])} |"
        )
    return lines


def busy_neighbours() -> list[str]:
    """Other processes using the CPU now (other people's tests, say), for the record."""
    ours = {os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))}
    processes = [p for p in psutil.process_iter(["pid", "cmdline"]) if p.pid not in ours]
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.cpu_percent(None)
    time.sleep(2)
    busy = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            share = process.cpu_percent(None)
            if share >= 10:
                command = " ".join(process.info["cmdline"] or [])[:90]
                busy.append(f"{command} ({share:.0f}% of a core)")
    return busy


SPEED_LOOP = 5_000_000


def machine_speed_s() -> float:
    """Seconds for a fixed stretch of Python on one core: the best of three, for the record.

    The test machine is a virtual one whose speed drifts by a fifth or more over hours (the
    same code then costs as much more CPU per user), so each run says how fast it was.
    """
    times = []
    for _ in range(3):
        started, total = time.process_time(), 0
        for number in range(SPEED_LOOP):
            total += number * number % 7
        times.append(time.process_time() - started)
    return min(times)


def machine() -> dict[str, str]:
    """The machine the figures come from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "CPUs": str(psutil.cpu_count()),
        "CPU model": cpu,
        "RAM": f"{psutil.virtual_memory().total / 1073741824:.1f} GiB",
        "Python": sys.version.split()[0],
    }


# ---- the runs the issue asks for ------------------------------------------------------------

P95_TARGET_S = 1.0
MEMORY_TARGET_MB = 400.0
RETURN_SHARE = 0.10
RUNS = {
    "single": ("one process, users changing authority, measure and tab", 25, 1, True),
    "pair": ("two processes behind nginx (cookie affinity)", 100, 2, True),
    "control": ("two processes, no stickiness (the affinity cookie never returned)", 20, 2, False),
}


def cpu_note(row: dict[str, Any]) -> str:
    """How much of the machine the app processes and the load client used during a run."""
    if not row["server_cpu_s"] or not row["seconds"]:
        return ""
    share = " / ".join(f"{cpu / row['seconds']:.0%}" for cpu in row["server_cpu_s"])
    return (
        f"CPU while the users were on: app processes {share} of a core each "
        f"({sum(row['server_cpu_s']) / max(1, row['users']):.2f} s per user), load client "
        f"{row['client_cpu_s'] / row['seconds']:.0%} of a core; "
    )


def verdicts(row: dict[str, Any]) -> list[str]:
    """Each run against its target, in words."""
    if row["run"] == "memory":
        peak, idle, after = row["peak_mb"][0], row["idle_mb"][0], row["after_mb"][0]
        return [
            f"peak {peak:.0f} MB {'<' if peak < MEMORY_TARGET_MB else '>='} "
            f"{MEMORY_TARGET_MB:.0f} MB: {'met' if peak < MEMORY_TARGET_MB else 'MISSED'}",
            f"60 s after leaving {after:.0f} MB against {idle:.0f} MB idle "
            f"({(after / idle - 1) * 100:+.0f}%): "
            f"{'met' if after <= idle * (1 + RETURN_SHARE) else 'MISSED'} (within 10%)",
        ]
    if row["run"] == "control":
        failed = row["errors"] > 0
        return [
            f"{row['errors']} errors ({'; '.join(row['error_kinds'])}): "
            f"{'failures shown, as expected' if failed else 'NO failure shown'}"
        ]
    p95_met = row["p95"] is not None and row["p95"] < P95_TARGET_S
    lines = [
        f"p95 {seconds(row['p95'])} s: {'met' if p95_met else 'MISSED'} (< {P95_TARGET_S:.0f} s)",
        f"{row['errors']} errors: {'met' if row['errors'] == 0 else 'MISSED'}"
        + (f" ({'; '.join(row['error_kinds'])})" if row["errors"] else ""),
    ]
    if row["processes"] > 1:
        spread = min(row["sessions"]) > 0
        lines.append(
            f"sessions per process {row['sessions']}: "
            f"{'spread over every process' if spread else 'NOT spread'}"
        )
    return lines


def write_section(rows: list[dict[str, Any]], notes: list[str], path: Path = RESULTS) -> None:
    """Put this run's section into RESULTS.md before the investigation notes, replacing the last."""
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
            + ", ".join(f"{k} {v}" for k, v in machine().items())
            + ". Interaction latency: from sending an input change to the last answer of the "
            "visible tab, including fetching a map's polygons when they were new to the user "
            f"(an authority change on the map tab); think time {THINK_S[0]:.0f}-{THINK_S[1]:.0f} "
            f"s; each user makes {INTERACTIONS} changes, then one upload (Blackpool's demo "
            "SSDA903 Header and Episodes through uploadInit, POST and uploadEnd, then 'Read the "
            "files'), opens the Export tab (counted as a change), downloads the gradient CSV "
            "and leaves. First full render: from asking for the page to the first tab drawn "
            "with its polygons. Idle: after one "
            "user's whole journey, with no session. Memory: resident, per process with its "
            "children (psutil). Each app process runs on a core of its own, as ./dev serve "
            "and Compose run them (nginx and the load client float). Each process's session "
            "limit (CSC_MAX_SESSIONS) is raised to the run's users, so a run measures what the "
            "processes serve rather than the busy page. Speed probe: CPU seconds for a fixed "
            "stretch of Python before each run (best of three); this virtual machine's speed "
            "drifts by a fifth or more over hours, and every figure with it.",
            "",
            *table(rows),
            "",
            *[f"- {row['run']}: " + "; ".join(verdicts(row)) + "." for row in rows],
            "",
            *notes,
            "",
        ]
    )
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find(NOTES_HEADING, start)
        text = text[:start] + text[end if end >= 0 else len(text) :]
    notes_at = text.find(NOTES_HEADING)
    at = notes_at if notes_at >= 0 else len(text)
    path.write_text(text[:at].rstrip("\n") + "\n\n" + section + "\n" + text[at:])


def main(argv: list[str] | None = None) -> None:
    """Run the chosen load runs, print their figures and, for `all`, record them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", choices=[*RUNS, "memory", "journey", "all"])
    parser.add_argument("--users", type=int, help="users (sessions for `memory`)")
    parser.add_argument("--interactions", type=int, default=INTERACTIONS)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--journeys", type=int, default=8, help="journeys for `journey`")
    parser.add_argument("--write", action="store_true", help="record the figures in RESULTS.md")
    parser.add_argument(
        "--float",
        action="store_true",
        help="leave the app processes to float over every core (they are pinned, one per core, "
        "as ./dev serve and Compose run them); for comparison, never recorded",
    )
    args = parser.parse_args(argv)
    pin = not args.float
    if args.run == "journey":
        print("\n".join(journey_lines(journey_run(args.journeys, args.seed, pin))))
        return
    chosen = [*RUNS, "memory"] if args.run == "all" else [args.run]
    rows, notes = [], []
    for name in chosen:
        load = " ".join(f"{v:.1f}" for v in os.getloadavg())
        neighbours = busy_neighbours()
        speed = machine_speed_s()
        print(
            f"{name}: load average {load}; busy: {neighbours or 'nothing else'}; "
            f"speed probe {speed:.2f} s",
            flush=True,
        )
        if name == "memory":
            run = memory_run(args.users or 20, args.seed, pin)
            described = "one process, each session on another authority (every 8th by code)"
        else:
            described, users, processes, sticky = RUNS[name]
            run = load_run(
                name, args.users or users, processes, sticky, args.interactions, args.seed, pin
            )
        row = summary(run)
        rows.append(row)
        kinds = ", ".join(
            f"{kind} {n} (p50 {p50:.2f} s, p95 {p95:.2f} s)"
            for kind, (n, p50, p95) in row["by_kind"].items()
        )
        notes.append(
            f"- {name} ({described}): {row['interactions']} interactions in {run.seconds:.0f} s "
            f"({kinds}); "
            + cpu_note(row)
            + f"load average before {load}; other processes busy before: "
            + ("; ".join(neighbours) if neighbours else "none above 10% of a core")
            + f"; speed probe {speed:.2f} s."
        )
        print("\n".join(table([row])), "\n" + "\n".join(verdicts(row)), flush=True)
        print(cpu_note(row), flush=True)
    print("\n".join(table(rows)))
    if pin and (args.write or args.run == "all"):
        write_section(rows, notes)


if __name__ == "__main__":
    main()
