"""An authority's synthetic demonstration records: made once by the data build, then only read.

`csc-inequalities data build` generates every authority's demo returns and reads them through
`load_records` exactly as an upload is read (build/demo.py); the resulting tables are kept in
the store's demo/ folder, so a session showing an authority's demo reads them in milliseconds
instead of generating them (0.4-3.5 s of CPU each).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import logging
import threading
import weakref
from importlib import metadata
from pathlib import Path

from pyarrow import feather

import csc_inequalities
from csc_inequalities.demo.files import DEFAULT_SEED, STANDARD_RETURN_FILES, demo_files
from csc_inequalities.records.canonical import LoadResult, compact_events, compact_spells
from csc_inequalities.records.load import load_records
from csc_inequalities.reference.memory import release_freed_memory
from csc_inequalities.reference.store import ReferenceStore, load_store

DEMO_FOLDER = "demo"
STATE_FILE = "state.json"
NOTES_FILE = "notes.json"
# The LoadResult fields that are tables; its texts (notes, alerts) go in one JSON file.
TEXTS = ("notes", "alerts")
TABLES = tuple(
    item.name
    for item in dataclasses.fields(LoadResult)
    if item.name not in TEXTS and item.name != "events_reader"
)
# Read only when the cascade first needs it (LoadResult.decision_events).
EVENTS = "events"
# What the stored demo depends on besides the store: this module, the modules that make and
# read the files (and all they import), and the libraries whose random numbers and parsing
# they use.
ENTRY_MODULES = (__name__, "csc_inequalities.demo.files", "csc_inequalities.records.load")
# Server runtime (memory tuning, sessions): imported on the way, never changes a record.
RUNTIME_MODULES = ("csc_inequalities.serving", "csc_inequalities.reference.memory")
LIBRARIES = ("numpy", "pandas", "pyarrow")
_PACKAGE_ROOT = Path(csc_inequalities.__file__).parent

log = logging.getLogger(__name__)

# Sessions on the same authority share one copy; it is freed when no session shows it.
_SHARED: weakref.WeakValueDictionary[tuple[str, int], LoadResult] = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def prepare_demo(la_code: str, store: ReferenceStore, seed: int = DEFAULT_SEED) -> LoadResult:
    """Generate the authority's demo returns and read them as an upload would be read.

    The case-system extract repeats the same spells in another layout, so it is left out here
    (it is there for people to try the column-mapping step). Spells and events keep repeated
    codes as categories (same values, a fraction of the memory).
    """
    files = demo_files(la_code, store, seed, names=STANDARD_RETURN_FILES)
    records = load_records(list(files.items()), la_code, store)
    return dataclasses.replace(
        records, spells=compact_spells(records.spells), events=compact_events(records.events)
    )


def write_demo(records: LoadResult, folder: Path) -> None:
    """Keep one authority's demo records as Arrow IPC tables and a notes file.

    Uncompressed Arrow IPC, not Parquet: every Parquet read (compressed or not) left a few MB
    in a serving process for good (about 20 MB over 20 authorities), IPC reads none.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        feather.write_feather(
            getattr(records, name), folder / f"{name}.arrow", compression="uncompressed"
        )
    texts = {name: list(getattr(records, name)) for name in TEXTS}
    (folder / NOTES_FILE).write_text(json.dumps(texts))


def read_demo(folder: Path) -> LoadResult:
    """One authority's stored demo records, with the column types they were written with.

    The events are read when first asked for and then kept with the records, so every session
    sharing this authority's demo shares them too.
    """
    path = {name: folder / f"{name}.arrow" for name in TABLES}
    tables = {name: feather.read_feather(path[name]) for name in TABLES if name != EVENTS}
    texts = json.loads((folder / NOTES_FILE).read_text())
    events = functools.cache(functools.partial(feather.read_feather, path[EVENTS]))
    return LoadResult(
        **tables, **{name: tuple(texts[name]) for name in TEXTS}, events_reader=events
    )


def demo_folder(store_dir: Path, la_code: str) -> Path:
    """Where an authority's demo records are kept in the store."""
    return Path(store_dir) / DEMO_FOLDER / la_code


def write_demo_state(store_dir: Path, seed: int = DEFAULT_SEED) -> None:
    """Record which code and seed made the stored demos, written once all of them are."""
    state = {"code_version": demo_code_version(), "seed": seed}
    (Path(store_dir) / DEMO_FOLDER / STATE_FILE).write_text(json.dumps(state, indent=2))


@functools.cache
def stored_demos_current(store_dir: Path, seed: int = DEFAULT_SEED) -> bool:
    """Whether the store holds demos made by this code with this seed (checked once)."""
    try:
        state = json.loads((Path(store_dir) / DEMO_FOLDER / STATE_FILE).read_text())
    except (OSError, ValueError):
        return False
    return state == {"code_version": demo_code_version(), "seed": seed}


@functools.cache
def demo_code_version() -> str:
    """A fingerprint of the code and libraries that make the demo: a change means a rebuild."""
    digest = hashlib.sha256()
    for path in sorted(_modules_behind(ENTRY_MODULES)):
        digest.update(path.relative_to(_PACKAGE_ROOT.parent).as_posix().encode())
        digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()


def _modules_behind(entries: tuple[str, ...]) -> set[Path]:
    """The source files of these project modules and of every project module they import."""
    seen: set[Path] = set()
    pending = [_source_of(name) for name in entries]
    while pending:
        path = pending.pop()
        if path is None or path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            pending += [_source_of(name) for name in names]
    return seen


def _source_of(module: str) -> Path | None:
    """The file of a project module or package (None outside the project or in its runtime)."""
    parts = module.split(".")
    if parts[0] != _PACKAGE_ROOT.name or module.startswith(RUNTIME_MODULES):
        return None
    base = _PACKAGE_ROOT.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def demo_records(la_code: str, seed: int = DEFAULT_SEED) -> LoadResult:
    """The authority's demo records, shared by every session showing them, freed after.

    Read from the store when the data build made them with this code; otherwise (a store built
    before, or by other code) generated here, as every demo was before the build made them.
    """
    with _LOCK:
        records = _SHARED.get((la_code, seed))
        if records is None:
            records = _stored_or_generated(la_code, seed)
            _SHARED[(la_code, seed)] = records
        return records


def demo_ready(la_code: str, seed: int = DEFAULT_SEED) -> bool:
    """Whether the demo is shared already or stored by the build: read in milliseconds.

    Reading a stored demo takes 10 ms (median over the 153 authorities, 43 ms at most), less than
    handing it to a thread and flushing again for its result costs a busy process.
    """
    if (la_code, seed) in _SHARED:
        return True
    store = load_store()
    return (
        stored_demos_current(store.store_dir, seed)
        and demo_folder(store.store_dir, la_code).is_dir()
    )


def is_shared_demo(records: LoadResult, la_code: str, seed: int = DEFAULT_SEED) -> bool:
    """Whether these are the authority's shared demo records (never an upload): results made
    from them can be shared between sessions."""
    with _LOCK:
        return _SHARED.get((la_code, seed)) is records


def _stored_or_generated(la_code: str, seed: int) -> LoadResult:
    """The stored demo if the build made it with this code, else one generated now."""
    store = load_store()
    folder = demo_folder(store.store_dir, la_code)
    if stored_demos_current(store.store_dir, seed) and folder.is_dir():
        return read_demo(folder)
    log.warning(
        "No current prepared demo for %s in %s: generating it (run `csc-inequalities data "
        "build` to prepare every authority's demo once).",
        la_code,
        store.store_dir,
    )
    records = prepare_demo(la_code, store, seed)
    release_freed_memory()
    return records
