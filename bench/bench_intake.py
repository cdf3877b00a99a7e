"""Every upload up to the limit is accepted or refused within 10 s and 1 GB: the worst cases.

Run: .venv/bin/python bench/bench_intake.py  (needs the built reference store).
Each case runs in a fresh process that reads the file's bytes and calls load_records, as the
command line does; the process's peak memory (whole process: Python, libraries and the
reference store included) and the time of load_records are recorded, and the table is written
into bench/RESULTS.md between its intake markers. The files are synthetic (no child's data):
the size-bound unusual files of tests/helpers/unusual_files.py at the real upload limit, and
the largest realistic files that fit under it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.results_file import write_section  # noqa: E402
from csc_inequalities.records.sniff import MAX_ROWS, upload_limit_bytes  # noqa: E402
from csc_inequalities.reference.store import load_store  # noqa: E402
from tests.helpers.unusual_files import cases  # noqa: E402

TIME_TARGET_S = 10.0
MEMORY_TARGET_MB = 1024.0
LA = "E08000025"
START, END = "<!-- intake:start -->", "<!-- intake:end -->"

CHILD = """
import json, sys, time
from pathlib import Path
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from csc_inequalities.reference.store import load_store
store = load_store()
files = [(path.name, path.read_bytes()) for path in map(Path, sys.argv[2:])]
began = time.perf_counter()
try:
    result = load_records(files, sys.argv[1], store)
    outcome = f"read: {len(result.spells):,} spells, {len(result.issues):,} issues"
except RecordsError as error:
    outcome = "refused: " + str(error)[:90]
seconds = time.perf_counter() - began
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": outcome}))
"""


def realistic_extract(store, rows: int, extra_columns: int = 0) -> bytes:
    """A case-system extract at real postcodes, with filler columns a system might add."""
    rng = np.random.default_rng(5)
    postcodes = store.postcodes()
    local = postcodes.loc[postcodes["la_code"] == LA, "postcode"].to_numpy()
    start = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 2000, rows), "D")
    frame = pd.DataFrame(
        {
            "Child ID": np.char.add("C", rng.integers(0, rows // 2, rows).astype(str)),
            "Type": rng.choice(["CIN", "CPP", "CLA"], rows),
            "Start date": start.strftime("%d/%m/%Y"),
            "End date": "",
            "Post Code": rng.choice(local, rows),
            "Ethnicity": rng.choice(["WBRI", "APKN", "BAFR", "MWBC"], rows),
        }
        | {f"Field {i}": rng.choice(["Yes", "No", ""], rows) for i in range(extra_columns)}
    )
    return frame.to_csv(index=False).encode()


def run_case(name: str, files: list[tuple[str, bytes]], folder: Path) -> dict:
    """Write the files, run load_records on them in a fresh process and read its figures."""
    paths = []
    for file_name, content in files:
        path = folder / file_name
        path.write_bytes(content)
        paths.append(str(path))
    size_mb = sum(len(content) for _, content in files) / 1_048_576
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, LA, *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - began
    for path in paths:
        Path(path).unlink()
    if done.returncode != 0:
        return {"case": name, "size_mb": size_mb, "seconds": wall, "peak_mb": float("nan"),
                "outcome": "crashed: " + done.stderr.strip().splitlines()[-1][:90]}  # fmt: skip
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"case": name, "size_mb": size_mb, **figures}


def report(rows: list[dict], limit_mb: float) -> str:
    """The results as a Markdown section for RESULTS.md."""
    worst_time = max(rows, key=lambda row: row["seconds"])
    worst_memory = max(rows, key=lambda row: row["peak_mb"])
    met = all(r["seconds"] < TIME_TARGET_S and r["peak_mb"] < MEMORY_TARGET_MB for r in rows)
    lines = [
        START,
        "## Intake: any upload accepted or refused within 10 s and 1 GB",
        "",
        f"Measured by `bench/bench_intake.py` on {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} "
        f"UTC, upload limit {limit_mb:.0f} MB, authority {LA}, load average "
        f"{os.getloadavg()[0]:.1f}. Each file is read by `load_records` in a fresh process; "
        "memory is that process's peak (Python, libraries and the reference store included).",
        "",
        f"Worst time: {worst_time['seconds']:.1f} s ({worst_time['case']}). Worst memory: "
        f"{worst_memory['peak_mb']:.0f} MB ({worst_memory['case']}). Targets "
        f"{'met' if met else 'NOT met'}.",
        "",
        "| File | Size (MB) | Time (s) | Peak memory (MB) | Outcome |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['case']} | {r['size_mb']:.1f} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | "
        f"{r['outcome'].replace('|', '/')} |"
        for r in rows
    ]
    return "\n".join([*lines, END, ""])


def main() -> None:
    """Run every size-bound case and the largest realistic files; print and record them."""
    limit_mb = upload_limit_bytes() / 1_048_576
    store = load_store()
    chosen = [(case.name, case.files(limit_mb)) for case in cases() if case.size_bound]
    longest = realistic_extract(store, MAX_ROWS - 1)
    chosen.append(
        (f"Extract of {MAX_ROWS - 1:,} spells (the most rows accepted)", [("long.csv", longest)])
    )
    per_row = len(realistic_extract(store, 10_000, extra_columns=40)) / 10_000
    rows = int(0.95 * limit_mb * 1_048_576 / per_row)
    wide = realistic_extract(store, rows, extra_columns=40)
    chosen.append(
        (f"Extract of {rows:,} spells and 46 columns, near the size limit", [("wide.csv", wide)])
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as folder:
        for name, files in chosen:
            rows.append(run_case(name, files, Path(folder)))
            print(json.dumps(rows[-1]), flush=True)
    section = report(rows, limit_mb)
    print(section)
    write_section(section, Path(__file__).parent / "RESULTS.md", START, END)


if __name__ == "__main__":
    main()
