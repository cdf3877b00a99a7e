"""`csc-inequalities data build`: fetch or mirror the sources, run the steps, swap the store in."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from csc_inequalities.build import demo, maps, steps
from csc_inequalities.build.context import BuildContext
from csc_inequalities.build.official import Progress, fetch_sources
from csc_inequalities.build.sources import load_manifest, locate_inputs, verify_inputs
from csc_inequalities.demo.prepared import demo_code_version
from csc_inequalities.reference.paths import PROJECT_ROOT, manifest_path

STATE_FILE = "build_state.json"
# Official files fetched once (data fetch's layout, so the folder works as a mirror), git-ignored.
DOWNLOADS_DIR = PROJECT_ROOT / "data" / "downloads"

# Run in this order; each step reads what earlier steps left in ctx.frames and writes its tables.
STEPS: list[tuple[str, Callable[[BuildContext], None]]] = [
    ("geography", steps.geography_step),
    ("population", steps.population_step),
    ("ethnicity", steps.ethnicity_step),
    ("lsoa tables", steps.lsoa_tables_step),
    ("authorities", steps.authorities_step),
    ("boundaries", steps.boundaries_step),
    ("postcodes", steps.postcodes_step),
    ("reference tables", steps.reference_tables_step),
    ("map polygons", maps.maps_step),
    ("demo records", demo.demo_step),
]


@dataclass
class BuildReport:
    """What a build did, for the command line and for tests."""

    built: bool
    message: str
    store_dir: Path
    seconds: float
    step_seconds: dict[str, float] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    table_checksums: dict[str, str] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)


def build_code_version() -> str:
    """A fingerprint of the build code and manifest: a change to either means a rebuild."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(manifest_path().read_bytes())
    return digest.hexdigest()


def read_state(store_dir: Path) -> dict | None:
    """The state of the current store, or None if there is no complete store."""
    try:
        return json.loads((store_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


def _silent(message: str) -> None:
    """No progress messages (the default for library callers and tests)."""


def build_store(
    mirror: Path | None, store_dir: Path, force: bool = False, progress: Progress = _silent
) -> BuildReport:
    """Build the reference store unless the same inputs and build code already made it.

    Without a mirror, every source is first fetched from its official address into
    data/downloads (what is already there and whole is kept), which then serves as the mirror.
    """
    started = time.perf_counter()
    manifest = load_manifest(manifest_path())
    if mirror is None:
        fetch_sources(manifest, DOWNLOADS_DIR, progress)
        mirror = DOWNLOADS_DIR
    inputs = locate_inputs(manifest, Path(mirror))
    checksums = verify_inputs(manifest, inputs)
    store_dir = Path(store_dir)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(store_dir):
        state = read_state(store_dir)
        context = BuildContext(manifest=manifest, inputs=inputs, out_dir=store_dir)
        wanted = {
            "code_version": build_code_version(),
            "inputs": checksums,
            "packages": steps.package_versions(context),
            "demo_code": demo_code_version(),
        }
        if not force and state and all(state.get(key) == value for key, value in wanted.items()):
            return BuildReport(
                built=False,
                message=f"The store in {store_dir} is up to date (same inputs and build code): "
                "nothing to do.",
                store_dir=store_dir,
                seconds=time.perf_counter() - started,
                tables=state.get("tables", {}),
                table_checksums=state.get("table_checksums", {}),
                notes=state.get("notes", {}),
            )
        return _build(context, store_dir, wanted, started, reason=_reason(state, wanted, force))


def _reason(state: dict | None, wanted: dict, force: bool) -> str:
    """Why the store is being (re)built, in words."""
    if force:
        return "rebuilt on request (--force)"
    if not state:
        return "built (there was no complete store)"
    changed = [
        name
        for name, value in wanted["inputs"].items()
        if state.get("inputs", {}).get(name) != value
    ]
    if changed:
        return "rebuilt because these inputs changed: " + ", ".join(changed)
    if state.get("code_version") != wanted["code_version"]:
        return "rebuilt because the build code or manifest changed"
    if state.get("demo_code") != wanted["demo_code"]:
        return "rebuilt because the code that makes the demonstration records changed"
    return "rebuilt because an installed data package changed"


def _build(
    context: BuildContext, store_dir: Path, wanted: dict, started: float, reason: str
) -> BuildReport:
    """Run every step into a temporary folder beside the store, then swap it in."""
    temporary = store_dir.parent / f".{store_dir.name}.building-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    context.out_dir = temporary
    step_seconds = {}
    try:
        for name, step in STEPS:
            began = time.perf_counter()
            step(context)
            step_seconds[name] = round(time.perf_counter() - began, 2)
        seconds = time.perf_counter() - started
        state = {
            **wanted,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "steps": step_seconds,
            "tables": context.tables,
            "table_checksums": context.table_checksums,
            "normalised_inputs": context.normalised,
            "notes": context.notes,
            "sources": {
                name: {"path": str(item.path), "form": item.form}
                for name, item in context.inputs.items()
            },
        }
        (temporary / STATE_FILE).write_text(json.dumps(state, indent=2))
        _swap_in(temporary, store_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return BuildReport(
        built=True,
        message=f"The store in {store_dir} was {reason}.",
        store_dir=store_dir,
        seconds=seconds,
        step_seconds=step_seconds,
        tables=dict(context.tables),
        table_checksums=dict(context.table_checksums),
        notes=dict(context.notes),
    )


def _swap_in(new: Path, store_dir: Path) -> None:
    """Replace the store by renames, so a reader sees the old store or the new one, never a mix."""
    old = store_dir.parent / f".{store_dir.name}.old-{os.getpid()}"
    if store_dir.exists():
        store_dir.rename(old)
    new.rename(store_dir)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _build_lock(store_dir: Path) -> Iterator[None]:
    """One build at a time per store: a second caller waits, then finds the store up to date."""
    lock_path = store_dir.parent / f".{store_dir.name}.lock"
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
