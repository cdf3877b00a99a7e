"""Server-side re-render of the Cascade and Age and sex tabs for a few authorities.

What each module computes when its tab is visible and a setting changes: the cascade or the
age and sex breakdown (run_cascade, run_age_sex), the chosen view's tables (decisions_shown,
age_sex_shown) and every chart the tab opens with (figure builders, then plotly_ui's
screen_json). Tables and the accordion panels are off until opened, so they are
not counted. Writes its section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.results_file import write_section  # noqa: E402
from csc_inequalities.demo import demo_files  # noqa: E402
from csc_inequalities.demo.files import STANDARD_RETURN_FILES  # noqa: E402
from csc_inequalities.figures.cascade import (  # noqa: E402
    cascade_chart,
    conversions_chart,
    infants_chart,
    quintile_lines_chart,
)
from csc_inequalities.publication.cascade import age_sex_shown, decisions_shown  # noqa: E402
from csc_inequalities.publication.charts import chart_frame  # noqa: E402
from csc_inequalities.publication.disclosure import DEFAULT_RULE, View  # noqa: E402
from csc_inequalities.records.load import load_records  # noqa: E402
from csc_inequalities.reference.memory import tune_garbage_collection  # noqa: E402
from csc_inequalities.reference.store import load_store  # noqa: E402
from csc_inequalities.results.age_sex import run_age_sex  # noqa: E402
from csc_inequalities.results.cascade import run_cascade  # noqa: E402
from csc_inequalities.results.measures import Measure, year_ending  # noqa: E402
from modules.plotly_html import plotly_ui  # noqa: E402

AUTHORITIES = {
    "E06000053": "Isles of Scilly (smallest)",
    "E06000017": "Rutland (small)",
    "E09000022": "Lambeth (median)",
    "E10000016": "Kent (largest)",
}
# Each re-render follows a change: years and filters in turn, so nothing is served from a cache.
CHANGES = [(2025, "all", "all"), (2024, "all", "all"), (2025, "under_1", "all"),
           (2025, "all", "F"), (2024, "10_15", "M"), (2025, "1_4", "all"),
           (2024, "all", "all")]  # fmt: skip
TARGET_MS = 150.0
START, END = "<!-- cascade:start -->", "<!-- cascade:end -->"


def cascade_tab(
    store: Any, records: Any, la_code: str, year: int, age: str, sex: str, view: View
) -> None:
    """What the Cascade tab draws: the cascade, its shown tables, the two charts."""
    result = run_cascade(records, store, la_code, 2025, year, "national", "imd", age, sex)
    shown = decisions_shown(result, view, DEFAULT_RULE)
    title = f"Decisions from referral to care{result.who.suffix()}"
    stages = shown.frame("cascade-stages")
    if stages is not None:
        fig, alt = cascade_chart(
            chart_frame(stages), result.la_name, title, result.period, result.who.people(),
            result.quintile_scheme,
        )  # fmt: skip
        plotly_ui(fig, "cascade-plot", alt)
    conversions = shown.frame("cascade-conversions")
    if conversions is not None:
        fig, alt = conversions_chart(
            chart_frame(conversions), result.la_name, title, result.period, result.quintile_scheme
        )
        plotly_ui(fig, "cascade-conversions-plot", alt)


def age_tab(
    store: Any, records: Any, la_code: str, year: int, age: str, sex: str, view: View
) -> None:
    """What the Age and sex tab draws: the breakdowns, their shown tables, three charts."""
    measure = Measure("CPP", "at_date", year_ending(year))
    result = run_age_sex(records, store, la_code, 2025, measure, "national", "imd", age, sex)
    shown = age_sex_shown(result, view, DEFAULT_RULE)
    for key, label in (
        ("age-bands", "age_label"),
        ("sexes", "sex_label"),
    ):
        frame = shown.frame(key)
        if frame is not None:
            fig, alt = quintile_lines_chart(
                chart_frame(frame), label, "title", "subtitle", "Rate per 10,000"
            )
            plotly_ui(fig, f"{key}-plot", alt)
    infants = shown.frame("infants")
    if infants is not None:
        fig, alt = infants_chart(chart_frame(infants), result.la_name, "Babies")
        plotly_ui(fig, "infants-plot", alt)


def timed(draw: Callable, *args: Any) -> list[float]:
    """Milliseconds of each re-render, one per change."""
    times = []
    for year, age, sex in CHANGES:
        started = time.perf_counter()
        draw(*args[:3], year, age, sex, args[3])
        times.append((time.perf_counter() - started) * 1000)
    return times


def section(rows: list[tuple], load: str, first_ms: float) -> str:
    """The RESULTS.md section: one row per authority, tab and view."""
    worst_median = max(row[3] for row in rows)
    lines = [
        START,
        "## Cascade and Age and sex tabs: server-side re-render",
        "",
        f"Measured by `bench/bench_cascade.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load "
        f"average {load}, on each authority's demo records (IMD 2025, national quintiles). "
        f"Each tab is re-rendered after {len(CHANGES)} changes in turn (year, age band, sex): "
        "the core computation, the view's tables and the charts it opens with, as HTML "
        "fragments. The publication view adds disclosure control (linear programmes for "
        "secondary suppression of every stage's quintiles).",
        "",
        "| Authority | Tab | View | Median (ms) | Worst (ms) |",
        "|---|---|---|---|---|",
        *[f"| {a} | {t} | {v} | {m:.0f} | {w:.0f} |" for a, t, v, m, w in rows],
        "",
        f"Slowest median: {worst_median:.0f} ms (target {TARGET_MS:.0f} ms: "
        f"{'met' if worst_median < TARGET_MS else 'not met'}). First render of both tabs in "
        f"both views in a fresh process (one-off imports and caches, not counted above): "
        f"{first_ms:.0f} ms.",
        END,
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Time both tabs in both views for each authority, print and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    store = load_store()
    tune_garbage_collection()
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    rows = []
    first = None
    for la_code, name in AUTHORITIES.items():
        files = demo_files(la_code, store, names=STANDARD_RETURN_FILES)
        records = load_records(list(files.items()), la_code, store)
        if first is None:  # one-off imports and caches of a fresh process, reported apart
            started = time.perf_counter()
            for draw in (cascade_tab, age_tab):
                for view in (View.INTERNAL, View.PUBLICATION):
                    draw(store, records, la_code, 2025, "all", "all", view)
            first = (time.perf_counter() - started) * 1000
        for tab, draw in (("Cascade", cascade_tab), ("Age and sex", age_tab)):
            for view in (View.INTERNAL, View.PUBLICATION):
                times = timed(draw, store, records, la_code, view)
                rows.append((name, tab, view.value, statistics.median(times), max(times)))
                print(f"{name:30} {tab:12} {view.value:12} median {rows[-1][3]:6.0f} ms "
                      f"worst {rows[-1][4]:6.0f} ms", flush=True)  # fmt: skip
    text = section(rows, load, first)
    print(text)
    write_section(text, args.out, START, END)


if __name__ == "__main__":
    main()
