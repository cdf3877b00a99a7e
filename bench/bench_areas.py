"""Server-side re-render of the 'Deprivation or practice' and 'Localities' tabs.

For the smallest, a small, the median and the largest authority (by children), on demo data:
the core calls each module makes when its tab is redrawn after a change of measure, with the
session's analysis (`run_analysis` + `shown_results`, which every results tab shares) timed
apart and added for the whole re-render. Writes its section of bench/RESULTS.md.

Run: .venv/bin/python bench/bench_areas.py  (needs the built reference store)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from bench.results_file import write_section  # noqa: E402
from csc_inequalities.context.standardise import standardise, summary_rows  # noqa: E402
from csc_inequalities.demo.prepared import demo_records  # noqa: E402
from csc_inequalities.figures.decomposition import decomposition_chart  # noqa: E402
from csc_inequalities.figures.funnel import funnel_chart  # noqa: E402
from csc_inequalities.figures.locality_map import locality_map  # noqa: E402
from csc_inequalities.publication.localities import chart_table, localities_view  # noqa: E402
from csc_inequalities.publication.shown import shown_results  # noqa: E402
from csc_inequalities.publication.standardisation import standardisation_view  # noqa: E402
from csc_inequalities.reference.memory import tune_garbage_collection  # noqa: E402
from csc_inequalities.reference.store import load_store  # noqa: E402
from csc_inequalities.results.analysis import run_analysis  # noqa: E402
from csc_inequalities.results.localities import default_scheme_kind, localities, scheme_for  # noqa: E402
from csc_inequalities.results.locality_maps import locality_geojson  # noqa: E402
from csc_inequalities.results.measures import Measure, available_years, year_ending  # noqa: E402
from modules.html_table import html_table  # noqa: E402
from modules.localities import locality_rows  # noqa: E402
from modules.plotly_html import plotly_ui  # noqa: E402
from modules.standardise import decile_table  # noqa: E402

START = "<!-- bench_areas: start -->"
END = "<!-- bench_areas: end -->"
REPEATS = 7
TARGET_MS = 150.0
MEASURES = (("CPP", "at_date"), ("CLA", "at_date"), ("CIN", "at_date"))


def median_ms(call: Callable[..., object], *args: object) -> float:
    """The median time of a call over REPEATS runs, in milliseconds of this process's CPU.

    CPU time, not wall time: the machine's two cores are shared, and another process's work
    stretches the wall clock of every call here by as much again.
    """
    times = []
    for _ in range(REPEATS):
        started = time.process_time()
        call(*args)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def shared_work(store, records, la_code: str, measure: Measure, view: str) -> tuple:
    """The session's analysis and its view, which every results tab shares."""
    analysis = run_analysis(records, store, la_code, 2025, measure)
    return analysis, shown_results(analysis, view, True)


def standardise_tab(store, analysis, shown, as_table: bool = False) -> None:
    """What modules/standardise.py computes and sends when its tab is redrawn."""
    result = standardise(analysis, store)
    view = standardisation_view(result, shown.context.view, shown.tables, shown.context.rule)
    if result.decomposition is not None:
        parts = result.decomposition
        fig, alt = decomposition_chart(
            parts.rate_b, result.reference.label, parts.rate_a, result.la_name,
            result.measure.label(), parts.composition, parts.rate_effect,
        )  # fmt: skip
        str(plotly_ui(fig, "decomposition-chart", alt))
    str(html_table(summary_rows(result), "summary"))
    if as_table:
        str(html_table(decile_table(view.deciles), "deciles"))


def localities_tab(store, analysis, shown, kind: str, as_table: bool = False) -> None:
    """What modules/localities.py computes and sends when its tab is redrawn."""
    scheme = scheme_for(kind, store, analysis.la_code, analysis.imd_year)
    if scheme.problem:
        return
    result = localities(analysis, scheme)
    view = localities_view(result, shown.context.view, shown.context.rule, shown.tables)
    table = chart_table(view.table)
    fig, alt = funnel_chart(
        table, result.measure.label(), result.la_name, scheme.label, scheme.noun
    )
    str(plotly_ui(fig, "funnel-chart", alt))
    geojson = locality_geojson(analysis.imd_year, analysis.la_code, kind, scheme.assignment)
    fig, alt = locality_map(geojson, table, result.measure.label(), result.la_name, scheme.label)
    str(plotly_ui(fig, "locality-map", alt))
    if as_table:
        str(html_table(locality_rows(view.table), "localities"))


def chosen_authorities(store) -> list[tuple[str, str]]:
    """The smallest, a small (Rutland), the median and the largest authority by children."""
    ordered = store.authorities.sort_values("children_2021", ignore_index=True)
    median = ordered.iloc[len(ordered) // 2]
    picks = [
        ("smallest", ordered.iloc[0]["la_code"]),
        ("small", "E06000017"),
        ("median", median["la_code"]),
        ("largest", ordered.iloc[-1]["la_code"]),
    ]
    return picks


def one_setting(store, records, la_code: str, measure: Measure, view: str) -> dict:
    """The shared work and each tab's own, for one measure and view."""
    analysis, shown = shared_work(store, records, la_code, measure, view)
    default = default_scheme_kind(store, la_code, 2025)
    started = time.process_time()
    localities_tab(store, analysis, shown, "ward")
    first_ward_ms = (time.process_time() - started) * 1000
    return {
        "shared": median_ms(shared_work, store, records, la_code, measure, view),
        "standardise": median_ms(standardise_tab, store, analysis, shown),
        "default_scheme": default,
        "localities": median_ms(localities_tab, store, analysis, shown, default),
        "wards": median_ms(localities_tab, store, analysis, shown, "ward"),
        "wards_table": median_ms(localities_tab, store, analysis, shown, "ward", True),
        "first_wards": first_ward_ms,
    }


def run(store) -> list[dict]:
    """Every authority, measure and view: medians in milliseconds."""
    rows = []
    for size, la_code in chosen_authorities(store):
        records = demo_records(la_code)
        year = max(available_years(records.spells))
        for intervention, kind in MEASURES:
            measure = Measure(intervention, kind, year_ending(year))
            for view in ("internal", "publication"):
                row = {
                    "size": size,
                    "la_code": la_code,
                    "la_name": store.authority_name(la_code),
                    "measure": f"{intervention} {kind}",
                    "view": view,
                    **one_setting(store, records, la_code, measure, view),
                }
                rows.append(row)
                print(row, flush=True)
    return rows


def report(rows: list[dict]) -> str:
    """The results as a Markdown section for RESULTS.md."""
    internal = [r for r in rows if r["view"] == "internal"]
    tab_medians = {
        tab: statistics.median(r["shared"] + r[tab] for r in internal)
        for tab in ("standardise", "localities", "wards")
    }
    worst = max(rows, key=lambda r: r["shared"] + r["wards"])
    lines = [
        START,
        "## Deprivation or practice, and Localities: server-side re-render (ms)",
        "",
        f"Measured by `bench/bench_areas.py` on {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} "
        f"UTC, load average {os.getloadavg()[0]:.1f}, on demo data (IMD 2025, national deciles), "
        f"median CPU time of {REPEATS} runs with warm caches (the two cores are shared with other "
        "work, which stretches wall times by up to as much again). 'Shared' is the session's "
        "`run_analysis` + `shown_results`, recomputed once after a change of measure for every "
        "results tab; each tab's own work is the core calls, figure builders, `plotly_ui` and "
        "HTML tables its module makes with 'Show as table' off ('as table too': on). "
        "Localities use the authority's default scheme (districts where it has several, wards "
        "otherwise) and, separately, electoral wards; 'first draw' includes dissolving the "
        "wards' polygons.",
        "",
        f"Visible tab re-render after a change of measure, median over authorities and "
        f"measures (internal view): Deprivation or practice {tab_medians['standardise']:.0f} ms, "
        f"Localities {tab_medians['localities']:.0f} ms (wards {tab_medians['wards']:.0f} ms); "
        f"target {TARGET_MS:.0f} ms. Worst: Localities by ward for {worst['la_name']}, "
        f"{worst['measure']}, {worst['view']} view, {worst['shared'] + worst['wards']:.0f} ms.",
        "",
        "| Authority | Measure | View | Shared | Deprivation or practice | Localities (default) "
        "| Localities (wards) | Wards, as table too | Wards, first draw |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['la_name']} ({r['size']}) | {r['measure']} | {r['view']} | {r['shared']:.0f} | "
        f"{r['standardise']:.0f} | {r['localities']:.0f} ({r['default_scheme']}) | "
        f"{r['wards']:.0f} | {r['wards_table']:.0f} | {r['first_wards']:.0f} |"
        for r in rows
    ]
    return "\n".join([*lines, END, ""])


def main() -> None:
    """Measure, print and record."""
    store = load_store()
    tune_garbage_collection()
    section = report(run(store))
    print(section)
    write_section(section, Path(__file__).parent / "RESULTS.md", START, END)


if __name__ == "__main__":
    main()
