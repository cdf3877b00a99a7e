"""Measure the app against its performance targets and write bench/RESULTS.md.

Run: .venv/bin/python bench/bench_app.py [--authorities N]  (needs the built reference store
and Debian's Chromium). Measures (1) cold start to the first drawn map in headless Chromium,
(2) server-side re-render time per authority, measure and year change on demo data, (3) bytes of
map and chart HTML sent per authority change, (4) peak memory of one app process with 1 and 20
browser sessions, (5) reading 100,000 SSDA903 episodes and a 50,000-child CIN census.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from bench_records import cin_files, ssda903_files  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from csc_inequalities.context.adjusted import adjusted_comparison  # noqa: E402
from csc_inequalities.context.official_measures import official_measure_for  # noqa: E402
from csc_inequalities.context.official_rates import trend_table  # noqa: E402
from csc_inequalities.demo import STANDARD_RETURN_FILES, demo_files  # noqa: E402
from csc_inequalities.demo.prepared import demo_folder, read_demo  # noqa: E402
from csc_inequalities.figures import official as official_figures  # noqa: E402
from csc_inequalities.figures.ethnicity import (  # noqa: E402
    ethnicity_chart,
    ethnicity_deprivation_chart,
)
from csc_inequalities.figures.gradient import gradient_chart  # noqa: E402
from csc_inequalities.figures.maps import authority_decile_map  # noqa: E402
from csc_inequalities.figures.profile import profile_chart  # noqa: E402
from csc_inequalities.figures.trend import quintile_trend_chart, sii_trend_chart  # noqa: E402
from csc_inequalities.publication.charts import chart_frame  # noqa: E402
from csc_inequalities.publication.shown import shown_results  # noqa: E402
from csc_inequalities.records.geography import store_geography  # noqa: E402
from csc_inequalities.records.load import load_records  # noqa: E402
from csc_inequalities.reference.maps_data import authority_geojson_bytes, authority_geojson_url  # noqa: E402
from csc_inequalities.reference.memory import tune_garbage_collection  # noqa: E402
from csc_inequalities.reference.store import load_store  # noqa: E402
from csc_inequalities.results.analysis import run_analysis  # noqa: E402
from csc_inequalities.results.deprivation import scheme_name  # noqa: E402
from csc_inequalities.results.measures import Measure, available_years, year_ending  # noqa: E402
from csc_inequalities.results.profile import deprivation_profile, profile_headlines  # noqa: E402
from modules.plotly_html import plotly_ui  # noqa: E402

CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
IMD_YEAR = 2025
FIRST_MEASURE = ("CPP", "at_date")
SECOND_MEASURE = ("CLA", "at_date")
DECILES = "national"
DOMAIN = "imd"
MAP_POLYGONS = "#deprivation-map path.choroplethlocation"
COLD_STARTS = 3
NOTES_HEADING = "## Investigation notes"
LOAD_SECTION = "## Capacity under load"
SEP = " | "
BUILD_STEP = "figure builders"
HTML_STEP = "plotly_ui (screen_json)"
PANEL_OF = {
    "gradient-plot": "Gradient",
    "ethnicity-chart": "Ethnicity",
    "ethnicity-deprivation-chart": "Ethnicity",
    "trend-chart": "Trend",
    "sii-trend-chart": "Trend",
}
TABS = ("Neighbourhoods", "Gradient", "Ethnicity", "Trend", "In context")
NEEDS_ANALYSIS = ("Gradient", "Ethnicity", "Trend")
SESSIONS = 20
TARGETS = {
    "cold_start_s": 3.0,
    "rerender_median_ms": 150.0,
    "rerender_worst_ms": 500.0,
    "average_kb": 400.0,
    "memory_20_mb": 400.0,
    "read_903_s": 5.0,
}


@dataclass
class Stopwatch:
    """Named durations of the steps of one re-render."""

    steps: dict[str, float] = field(default_factory=dict)

    def time(self, name: str, call: Callable, *args, **kwargs):
        """Run one call and add its duration to the step's total."""
        started = time.perf_counter()
        result = call(*args, **kwargs)
        self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - started
        return result

    def total_ms(self) -> float:
        """All steps together, in milliseconds."""
        return sum(self.steps.values()) * 1000


def fragment(watch: Stopwatch, panel: str, fig_and_alt: tuple, element_id: str) -> str:
    """The HTML a plotly panel sends for one figure (plotly_ui: screen_json)."""
    fig, alt = fig_and_alt
    return str(watch.time(f"{panel}{SEP}{HTML_STEP}", plotly_ui, fig, element_id, alt))


def analysis_fragments(watch: Stopwatch, store, records, la_code: str, measure) -> dict[str, str]:
    """The analysis and the gradient, ethnicity and trend charts, as their modules make them."""
    result = watch.time(
        f"Analysis{SEP}run_analysis",
        run_analysis,
        records,
        store,
        la_code,
        IMD_YEAR,
        measure,
        DECILES,
        DOMAIN,
    )
    shown = watch.time(f"Analysis{SEP}shown_results", shown_results, result, "internal", True)
    label, name = result.measure.label(), result.la_name
    ethnic = chart_frame(shown.frame("ethnicity"))
    by_quintile = chart_frame(shown.frame("ethnicity-by-deprivation"))
    trend_gradient = chart_frame(shown.frame("trend-gradient"))
    trend_sii = chart_frame(shown.frame("trend-sii"))
    figures = {
        "gradient-plot": watch.time(
            f"Gradient{SEP}{BUILD_STEP}",
            gradient_chart,
            chart_frame(shown.frame("gradient")),
            result.overall,
            label,
            name,
            scheme=scheme_name(DECILES, 10),
            cwip=result.cwip,
            show_cwip=True,
        ),
        "ethnicity-chart": watch.time(
            f"Ethnicity{SEP}{BUILD_STEP}",
            ethnicity_chart,
            ethnic,
            result.overall.rate_per_10000,
            label,
            name,
        ),
        "ethnicity-deprivation-chart": watch.time(
            f"Ethnicity{SEP}{BUILD_STEP}", ethnicity_deprivation_chart, by_quintile, label, name
        ),
        "trend-chart": watch.time(
            f"Trend{SEP}{BUILD_STEP}",
            quintile_trend_chart,
            trend_gradient,
            result.measure.series_label(),
            name,
            DECILES,
        ),
        "sii-trend-chart": watch.time(
            f"Trend{SEP}{BUILD_STEP}",
            sii_trend_chart,
            trend_sii,
            result.measure.series_label(),
            name,
        ),
    }
    return {key: fragment(watch, PANEL_OF[key], built, key) for key, built in figures.items()}


def context_fragments(watch: Stopwatch, store, la_code: str, measure) -> dict[str, str]:
    """The In context panel's two figures for the authority and measure."""
    official = official_measure_for(measure.intervention, measure.count_kind)
    key = official.key
    row = store.authority(la_code)
    trend = watch.time(f"In context{SEP}context core", trend_table, store, la_code, key)
    comparison = watch.time(
        f"In context{SEP}context core",
        adjusted_comparison,
        store,
        la_code,
        key,
        "most_deprived_quintile",
        IMD_YEAR,
    )
    figures = {
        "context-trend-chart": watch.time(
            f"In context{SEP}{BUILD_STEP}",
            official_figures.official_trend_chart,
            trend,
            key,
            row["la_name"],
            row["region_name"],
        ),
        "context-adjusted-scatter": watch.time(
            f"In context{SEP}{BUILD_STEP}", official_figures.adjusted_scatter, comparison
        ),
    }
    return {name: fragment(watch, "In context", built, name) for name, built in figures.items()}


POLYGON_BYTES: dict[str, int] = {}


def area_fragments(watch: Stopwatch, store, la_code: str) -> dict[str, str]:
    """The Neighbourhoods panel: headlines, the decile map and the deprivation profile."""
    name = store.authority(la_code)["la_name"]
    profile = watch.time(
        f"Neighbourhoods{SEP}profile", deprivation_profile, store, la_code, IMD_YEAR
    )
    watch.time(f"Neighbourhoods{SEP}profile", profile_headlines, profile)
    # The browser fetches the polygons once per authority over HTTP (cached for a day); the
    # map fragment sent over the websocket names their address and carries only the values.
    polygons = watch.time(
        f"Neighbourhoods{SEP}authority_geojson", authority_geojson_bytes, IMD_YEAR, la_code
    )
    POLYGON_BYTES[la_code] = len(polygons)
    decile = watch.time(
        f"Neighbourhoods{SEP}{BUILD_STEP}",
        authority_decile_map,
        authority_geojson_url(IMD_YEAR, la_code),
        store.authority_lsoas(IMD_YEAR, la_code),
        name,
        IMD_YEAR,
        DOMAIN,
    )
    profile_fig = watch.time(
        f"Neighbourhoods{SEP}{BUILD_STEP}",
        profile_chart,
        profile,
        title=f"{name}: deprivation profile",
    )
    return {
        "deprivation-map": fragment(watch, "Neighbourhoods", decile, "deprivation-map"),
        "profile-chart": fragment(watch, "Neighbourhoods", profile_fig, "profile-chart"),
    }


@dataclass
class AuthorityRun:
    """What one authority cost: demo records, the three re-renders and the bytes they send."""

    la_code: str
    demo_generate_s: float
    demo_read_s: float
    demo_stored_ms: float
    authority_ms: float
    measure_ms: float
    year_ms: float
    steps: dict[str, float]
    fragment_bytes: dict[str, int]


def run_authority(store, la_code: str) -> AuthorityRun:
    """Demo records for one authority, then an authority, a measure and a year change."""
    started = time.perf_counter()
    files = demo_files(la_code, store, names=STANDARD_RETURN_FILES)
    generated = time.perf_counter()
    load_records(list(files.items()), la_code, store)
    read = time.perf_counter()
    # What a session does: read the demo the data build stored (spells with categories).
    records = read_demo(demo_folder(store.store_dir, la_code))
    stored = time.perf_counter()
    years = available_years(records.spells)
    latest, earlier = max(years), min(years)
    first = Measure(*FIRST_MEASURE, year_ending(latest))

    on_authority = Stopwatch()
    fragments = area_fragments(on_authority, store, la_code)
    fragments |= analysis_fragments(on_authority, store, records, la_code, first)
    fragments |= context_fragments(on_authority, store, la_code, first)

    second = Measure(*SECOND_MEASURE, year_ending(latest))
    on_measure = Stopwatch()
    analysis_fragments(on_measure, store, records, la_code, second)
    context_fragments(on_measure, store, la_code, second)

    on_year = Stopwatch()
    analysis_fragments(
        on_year, store, records, la_code, Measure(*SECOND_MEASURE, year_ending(earlier))
    )
    return AuthorityRun(
        la_code=la_code,
        demo_generate_s=generated - started,
        demo_read_s=read - generated,
        demo_stored_ms=(stored - read) * 1000,
        authority_ms=on_authority.total_ms(),
        measure_ms=on_measure.total_ms(),
        year_ms=on_year.total_ms(),
        steps={name: seconds * 1000 for name, seconds in on_authority.steps.items()},
        fragment_bytes={name: len(json.dumps(html)) for name, html in fragments.items()}
        | {
            "deprivation-map": len(json.dumps(fragments["deprivation-map"]))
            + POLYGON_BYTES[la_code]
        }
        | {"deflated": len(zlib.compress(json.dumps(fragments).encode()))},
    )


def step_ms(steps: dict[str, float], kind: str) -> float:
    """Milliseconds of one kind of step (e.g. the figure builders) summed over the panels."""
    return sum(ms for name, ms in steps.items() if name.split(SEP)[1] == kind)


def tab_ms(steps: dict[str, float], tab: str) -> float:
    """Milliseconds to redraw one tab, with the shared analysis when the tab needs it."""
    panels = (tab, "Analysis") if tab in NEEDS_ANALYSIS else (tab,)
    return sum(ms for name, ms in steps.items() if name.split(SEP)[0] in panels)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as numpy computes it)."""
    return float(np.percentile(values, q))


def spread(values: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum of a list of timings."""
    return {
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "max": max(values),
    }


def free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(port: int) -> Iterator[subprocess.Popen]:
    """The app as the Dockerfile runs it (no dev mode), in its own process, stopped afterwards."""
    app = subprocess.Popen(
        [sys.executable, "-m", "shiny", "run", "--no-dev-mode", "--port", str(port), "app:app"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield app
    finally:
        app.terminate()
        app.wait(timeout=30)


def wait_until_healthy(port: int, deadline_s: float = 60) -> None:
    """Poll /healthz until the app answers."""
    until = time.perf_counter() + deadline_s
    while time.perf_counter() < until:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("the app did not start within a minute")


def open_session(page: Page, url: str) -> None:
    """Open the app and wait until the first map polygon is drawn."""
    page.goto(url)
    page.locator(MAP_POLYGONS).first.wait_for(state="attached", timeout=120_000)


class PeakMemory:
    """Samples the RSS of a process and its children; remembers the peak since reset()."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        """Resident memory of the process and all its descendants now."""
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)

    def reset(self) -> None:
        """Start a new phase: the peak becomes the current RSS."""
        self.peak = self.rss()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def websocket_bytes_on_switch(page: Page, store, la_codes: list[str]) -> list[dict]:
    """Bytes the server sends over the websocket when the user picks each authority in turn."""
    cdp = page.context.new_cdp_session(page)
    received: list[int] = []
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: received.append(len(e["response"]["payloadData"])),
    )
    cdp.send("Network.enable")
    rows = []
    for la_code in la_codes:
        expected = int(store.authority(la_code)["n_lsoa_2021"])
        received.clear()
        started = time.perf_counter()
        page.evaluate(
            "code => document.getElementById('controls-la').selectize.setValue(code)",
            la_code,
        )
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length === n "
            "&& !document.documentElement.classList.contains('shiny-busy')",
            arg=[MAP_POLYGONS, expected],
            timeout=120_000,
        )
        rows.append(
            {
                "la_code": la_code,
                "seconds": time.perf_counter() - started,
                "bytes": sum(received),
            }
        )
    return rows


def browser_measures(store, switch_to: list[str]) -> dict:
    """Cold starts, memory with 1 and 20 sessions, and bytes received per authority switch."""
    results: dict = {"cold_start_s": [], "healthz_s": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for attempt in range(COLD_STARTS):
            port = free_port()
            context = browser.new_context()
            started = time.perf_counter()
            with running_app(port) as app:
                wait_until_healthy(port)
                results["healthz_s"].append(time.perf_counter() - started)
                memory = PeakMemory(app.pid)
                page = context.new_page()
                open_session(page, f"http://127.0.0.1:{port}/")
                results["cold_start_s"].append(time.perf_counter() - started)
                if attempt == COLD_STARTS - 1:
                    results["memory_1_mb"] = memory.peak / 1048576
                    for _ in range(SESSIONS - 1):
                        open_session(context.new_page(), f"http://127.0.0.1:{port}/")
                    results["memory_20_mb"] = memory.peak / 1048576
                    results["switches"] = websocket_bytes_on_switch(page, store, switch_to)
                    results["memory_switched_mb"] = memory.peak / 1048576
                memory.stop()
                context.close()
        results["memory_20_authorities_mb"] = sessions_on_many_authorities(browser, store)
        browser.close()
    return results


def sessions_on_many_authorities(browser, store) -> float:
    """Peak MB of a fresh app process with 20 sessions, each on another authority's demo."""
    codes = sorted(store.authorities["la_code"])[::8][:SESSIONS]
    port = free_port()
    context = browser.new_context()
    with running_app(port) as app:
        wait_until_healthy(port)
        memory = PeakMemory(app.pid)
        for la_code in codes:
            page = context.new_page()
            open_session(page, f"http://127.0.0.1:{port}/?la={la_code}")
            page.wait_for_function(
                "() => !document.documentElement.classList.contains('shiny-busy')",
                timeout=120_000,
            )
        memory.stop()
        context.close()
    return memory.peak / 1048576


def reading_measures(store, la_code: str) -> dict:
    """load_records on 100,000 SSDA903 episodes and on a 50,000-child CIN census."""
    rng = np.random.default_rng(2025)
    started = time.perf_counter()
    store_geography(store)
    index_s = time.perf_counter() - started
    out = {"postcode_index_s": index_s}
    for key, files in (
        ("903", ssda903_files(store, la_code, rng)),
        ("cin", cin_files(store, la_code, rng)),
    ):
        started = time.perf_counter()
        result = load_records(files, la_code, store)
        out[f"read_{key}_s"] = time.perf_counter() - started
        out[f"read_{key}_mb"] = sum(len(content) for _, content in files) / 1048576
        out[f"read_{key}_spells"] = len(result.spells)
    return out


def machine() -> dict[str, str]:
    """The machine the figures come from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "CPUs (nproc)": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "CPU model": cpu,
        "RAM": f"{psutil.virtual_memory().total / 1073741824:.1f} GiB",
        "Python": platform.python_version(),
        "Chromium": subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "Load average at start (1, 5, 15 min)": " ".join(f"{v:.1f}" for v in os.getloadavg()),
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def verdict(value: float, target: float) -> str:
    """'met' or 'missed' against a target that is an upper bound."""
    return "met" if value < target else "**missed**"


def report(
    info: dict, runs: list[AuthorityRun], warm_up_ms: float, browser: dict, reading: dict
) -> str:
    """RESULTS.md: every figure with its target and the machine it was measured on."""
    authority = spread([r.authority_ms for r in runs])
    measure = spread([r.measure_ms for r in runs])
    year = spread([r.year_ms for r in runs])
    generate = spread([r.demo_generate_s for r in runs])
    demo_read = spread([r.demo_read_s for r in runs])
    demo_stored = spread([r.demo_stored_ms for r in runs])
    totals = [sum(v for k, v in r.fragment_bytes.items() if k != "deflated") / 1024 for r in runs]
    area_only = [
        (r.fragment_bytes["deprivation-map"] + r.fragment_bytes["profile-chart"]) / 1024
        for r in runs
    ]
    deflated = [r.fragment_bytes["deflated"] / 1024 for r in runs]
    largest = max(runs, key=lambda r: sum(r.fragment_bytes.values()))
    slowest = max(runs, key=lambda r: r.authority_ms)
    cold = statistics.median(browser["cold_start_s"])
    kinds = sorted({name.split(SEP)[1] for name in runs[0].steps})
    steps = {kind: statistics.median(step_ms(r.steps, kind) for r in runs) for kind in kinds}
    tabs = {tab: spread([tab_ms(r.steps, tab) for r in runs]) for tab in TABS}
    slow_tab = max(tabs, key=lambda tab: tabs[tab]["median"])
    tab_worst = max(t["max"] for t in tabs.values())
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `bench/bench_app.py` over {len(runs)} authorities on demo data "
        f"(IMD {IMD_YEAR}, national deciles, internal view).",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "## Against the targets",
        "",
        "| Measure | Result | Target | |",
        "|---|---|---|---|",
        f"| Cold start to the first drawn map (median of {COLD_STARTS}) | {cold:.2f} s "
        f"| < {TARGETS['cold_start_s']:.0f} s | {verdict(cold, TARGETS['cold_start_s'])} |",
        "| Re-render of every panel after an authority change, median "
        f"| {authority['median']:.0f} ms "
        f"| < {TARGETS['rerender_median_ms']:.0f} ms "
        f"| {verdict(authority['median'], TARGETS['rerender_median_ms'])} |",
        f"| Re-render of every panel after an authority change, worst | {authority['max']:.0f} ms "
        f"| < {TARGETS['rerender_worst_ms']:.0f} ms "
        f"| {verdict(authority['max'], TARGETS['rerender_worst_ms'])} |",
        f"| Re-render of the visible tab, median of the slowest tab ({slow_tab}) "
        f"| {tabs[slow_tab]['median']:.0f} ms | < {TARGETS['rerender_median_ms']:.0f} ms "
        f"| {verdict(tabs[slow_tab]['median'], TARGETS['rerender_median_ms'])} |",
        f"| Re-render of the visible tab, worst over all tabs | {tab_worst:.0f} ms "
        f"| < {TARGETS['rerender_worst_ms']:.0f} ms "
        f"| {verdict(tab_worst, TARGETS['rerender_worst_ms'])} |",
        f"| Map and chart HTML per authority, average | {statistics.mean(totals):.0f} KB "
        f"| < {TARGETS['average_kb']:.0f} KB "
        f"| {verdict(statistics.mean(totals), TARGETS['average_kb'])} |",
        f"| Peak memory, one process, {SESSIONS} sessions | {browser['memory_20_mb']:.0f} MB "
        f"| < {TARGETS['memory_20_mb']:.0f} MB "
        f"| {verdict(browser['memory_20_mb'], TARGETS['memory_20_mb'])} |",
        f"| Reading 100,000 SSDA903 episodes | {reading['read_903_s']:.2f} s "
        f"| < {TARGETS['read_903_s']:.0f} s "
        f"| {verdict(reading['read_903_s'], TARGETS['read_903_s'])} |",
        "",
        "## 1. Cold start",
        "",
        "From launching `shiny run --no-dev-mode app:app` to the first Neighbourhoods map polygon "
        "in headless Chromium (browser already running): "
        + ", ".join(f"{s:.2f} s" for s in browser["cold_start_s"])
        + ". Of which until /healthz answers: "
        + ", ".join(f"{s:.2f} s" for s in browser["healthz_s"])
        + ".",
        "",
        "## 2. Server-side re-render (ms)",
        "",
        "The core calls the modules make, with the authority's demo records already loaded: "
        "`run_analysis`, `shown_results`, every figure builder (incl. the decile map from "
        "`authority_geojson`, first use of each authority in the process) and `plotly_ui` "
        "(`screen_json`). An authority change times every panel "
        "(Neighbourhoods, Gradient, Ethnicity, Trend, In context), as if all were visible; "
        "Shiny only redraws the visible tab. A measure change (CPP to CLA) redraws the "
        "analysis charts and In context; a year change the analysis charts.",
        "",
        "| Change | Median | 95th percentile | Worst |",
        "|---|---|---|---|",
        *[
            f"| {label} | {s['median']:.0f} | {s['p95']:.0f} | {s['max']:.0f} |"
            for label, s in (("Authority", authority), ("Measure", measure), ("Year", year))
        ],
        "",
        f"Slowest authority: {slowest.la_code} ({slowest.authority_ms:.0f} ms). First render in a "
        f"fresh process (one-off loading of store tables and caches): {warm_up_ms:.0f} ms.",
        "",
        "Median per kind of step of an authority change, over all panels (ms): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in steps.items())
        + ".",
        "",
        "What Shiny actually redraws after an authority change is the visible tab (the "
        "analysis tabs share one `run_analysis` + `shown_results`):",
        "",
        "| Visible tab | Median | 95th percentile | Worst |",
        "|---|---|---|---|",
        *[
            f"| {tab} | {t['median']:.0f} | {t['p95']:.0f} | {t['max']:.0f} |"
            for tab, t in tabs.items()
        ],
        "",
        "Demo records are made once per authority by the data build and stored: generating "
        f"the files median {generate['median']:.2f} s (95th percentile "
        f"{generate['p95']:.2f} s, worst {generate['max']:.2f} s) and reading them with "
        f"`load_records` median {demo_read['median']:.2f} s (95th percentile "
        f"{demo_read['p95']:.2f} s, worst {demo_read['max']:.2f} s) is the build's cost; a "
        f"session reads the stored demo in median {demo_stored['median']:.0f} ms (95th "
        f"percentile {demo_stored['p95']:.0f} ms, worst {demo_stored['max']:.0f} ms).",
        "",
        "## 3. Bytes sent per authority change",
        "",
        "JSON-encoded HTML fragments of the map and every chart (what Shiny puts in its websocket "
        f"messages): average {statistics.mean(totals):.0f} KB, largest {max(totals):.0f} KB "
        f"({largest.la_code}). The Neighbourhoods tab alone (map and profile): average "
        f"{statistics.mean(area_only):.0f} KB, largest {max(area_only):.0f} KB. Deflated as by the "
        f"websocket's permessage-deflate: average {statistics.mean(deflated):.0f} KB.",
        "",
        "Checked in the browser (Chromium DevTools websocket frames, uncompressed payload) when "
        "picking an authority on the Neighbourhoods tab, with the time until its map was drawn "
        "and Shiny was idle (the demo records are generated by a background task meanwhile):",
        "",
        "| Authority | KB received | Seconds to map |",
        "|---|---|---|",
        *[
            f"| {row['la_code']} | {row['bytes'] / 1024:.0f} | {row['seconds']:.2f} |"
            for row in browser["switches"]
        ],
        "",
        "## 4. Memory",
        "",
        f"Peak RSS of the app process and its children: {browser['memory_1_mb']:.0f} MB with one "
        f"session, {browser['memory_20_mb']:.0f} MB with {SESSIONS} sessions (one Chromium, "
        f"{SESSIONS} pages on the default authority, each waiting for its map), "
        f"{browser['memory_switched_mb']:.0f} MB after one of them then picked "
        f"{', '.join(row['la_code'] for row in browser['switches'])} in turn. "
        f"A fresh process with {SESSIONS} sessions each on another authority (every eighth by "
        f"code, each session waiting until its demo is read): "
        f"{browser['memory_20_authorities_mb']:.0f} MB.",
        "",
        "## 5. Reading large uploads",
        "",
        f"`load_records` on synthetic files at real postcodes: 100,000 SSDA903 episodes "
        f"({reading['read_903_mb']:.1f} MB) {reading['read_903_s']:.2f} s; a CIN census of "
        f"50,000 children with its address extract ({reading['read_cin_mb']:.1f} MB) "
        f"{reading['read_cin_s']:.2f} s. Indexing the postcode directory, once per process: "
        f"{reading['postcode_index_s']:.2f} s.",
        "",
    ]
    return "\n".join(lines)


def kept_notes(path: Path) -> str:
    """What follows this script's figures in an earlier RESULTS.md: the load client's section
    (bench/load_client.py writes it) and the hand-written investigation notes."""
    if not path.exists():
        return ""
    earlier = path.read_text()
    starts = [at for at in (earlier.find(LOAD_SECTION), earlier.find(NOTES_HEADING)) if at >= 0]
    return "\n" + earlier[min(starts) :] if starts else ""


def main() -> None:
    """Run every measurement, print the results and write bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorities", type=int, default=None, help="only the first N")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()

    info = machine()
    store = load_store()
    tune_garbage_collection()  # as app.py does once the store is loaded
    codes = sorted(store.authorities["la_code"])[: args.authorities]
    print("browser: cold starts, websocket bytes, memory ...", flush=True)
    browser = browser_measures(store, ["E10000016", "E09000033", "E08000025"])
    print("reading 100,000 episodes and 50,000 CIN children ...", flush=True)
    reading = reading_measures(store, "E08000025")

    warm_up_ms = run_authority(store, "E06000009").authority_ms
    runs = []
    for number, la_code in enumerate(codes, 1):
        runs.append(run_authority(store, la_code))
        print(
            f"{number:>3}/{len(codes)} {la_code} authority {runs[-1].authority_ms:6.0f} ms "
            f"measure {runs[-1].measure_ms:5.0f} ms year {runs[-1].year_ms:5.0f} ms "
            f"demo {runs[-1].demo_generate_s + runs[-1].demo_read_s:5.2f} s",
            flush=True,
        )
    text = report(info, runs, warm_up_ms, browser, reading)
    print(text)
    args.out.write_text(text + kept_notes(args.out))


if __name__ == "__main__":
    main()
