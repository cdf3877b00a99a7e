"""The official sources named in data/manifest.toml: locate, fetch, verify and read them."""

from __future__ import annotations

import hashlib
import shutil
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


class SourceError(Exception):
    """A source is missing, cannot be downloaded, or is not the file the manifest describes."""


@dataclass(frozen=True)
class Source:
    """One official file as the manifest describes it."""

    name: str
    title: str
    publisher: str
    official_url: str
    mirror_path: str
    licence: str
    sha256: str | None = None
    rows: int | None = None
    columns: tuple[str, ...] = ()
    download_url: str | None = None
    sheet: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest: sources by name, plus installed packages used as data."""

    sources: dict[str, Source]
    packages: dict[str, dict]
    licences: dict[str, str]


_SOURCE_FIELDS = {
    "title",
    "publisher",
    "official_url",
    "mirror_path",
    "licence",
    "sha256",
    "rows",
    "columns",
    "download_url",
    "sheet",
}


def load_manifest(path: Path) -> Manifest:
    """Read the manifest so every build step names its inputs the same way."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    sources = {}
    for name, entry in raw.get("sources", {}).items():
        known = {key: value for key, value in entry.items() if key in _SOURCE_FIELDS}
        known["columns"] = tuple(known.get("columns", ()))
        extra = {key: value for key, value in entry.items() if key not in _SOURCE_FIELDS}
        sources[name] = Source(name=name, extra=extra, **known)
    return Manifest(
        sources=sources, packages=raw.get("packages", {}), licences=raw.get("licences", {})
    )


def sha256_of(path: Path) -> str:
    """The file's checksum, read in blocks so large files cost little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def locate_mirror_files(manifest: Manifest, mirror: Path) -> dict[str, Path]:
    """Each source's path in the mirror; a clear error lists every file that is missing."""
    if not mirror.is_dir():
        raise SourceError(f"The mirror folder {mirror} does not exist.")
    paths = {name: mirror / source.mirror_path for name, source in manifest.sources.items()}
    missing = [
        f"{source.mirror_path}"
        for name, source in manifest.sources.items()
        if not paths[name].is_file()
    ]
    if missing:
        raise SourceError(f"The mirror {mirror} lacks: " + ", ".join(missing))
    return paths


def download_sources(manifest: Manifest, downloads: Path) -> dict[str, Path]:
    """Fetch every source from its official address into the downloads folder (kept)."""
    no_address = [name for name, source in manifest.sources.items() if not source.download_url]
    if no_address:
        raise SourceError(
            "These sources have no direct official download address (the publisher offers them "
            "through a portal or custom-dataset service): "
            + ", ".join(no_address)
            + ". Build from a mirror folder: csc-inequalities data build --mirror DIR "
            "(or set CSC_DATA_MIRROR)."
        )
    paths = {}
    for name, source in manifest.sources.items():
        target = downloads / source.download_url.rstrip("/").rsplit("/", 1)[-1]
        if not target.is_file():
            _download(source.download_url, target)
        paths[name] = target
    return paths


def _download(url: str, target: Path) -> None:
    """Download one file atomically, so an interrupted download leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise SourceError(
            f"Could not download {url} ({error}). Without internet access, build from a mirror "
            "folder: csc-inequalities data build --mirror DIR (or set CSC_DATA_MIRROR)."
        ) from error
    partial.replace(target)


def verify_checksums(manifest: Manifest, paths: dict[str, Path]) -> dict[str, str]:
    """Checksum every input; a mirror file that differs from the manifest is reported by name."""
    checksums = {name: sha256_of(path) for name, path in paths.items()}
    wrong = [
        f"{manifest.sources[name].mirror_path} (expected sha256 {manifest.sources[name].sha256}, "
        f"found {checksum})"
        for name, checksum in checksums.items()
        if manifest.sources[name].sha256
        and paths[name].name == Path(manifest.sources[name].mirror_path).name
        and checksum != manifest.sources[name].sha256
    ]
    if wrong:
        raise SourceError(
            "These input files are not the ones the manifest describes (changed or corrupt): "
            + "; ".join(wrong)
        )
    return checksums


def read_table(source: Source, path: Path, **options) -> pd.DataFrame:
    """Read a tabular source in whichever form it came (CSV, gzipped CSV or the official xlsx)."""
    try:
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, sheet_name=source.sheet or 0, **options)
        else:
            frame = pd.read_csv(path, encoding="utf-8-sig", low_memory=False, **options)
    except (OSError, ValueError, EOFError, UnicodeDecodeError) as error:
        raise SourceError(f"Could not read {source.mirror_path}: {error}") from error
    check_source_shape(source, frame)
    return frame


def check_source_shape(source: Source, frame: pd.DataFrame) -> None:
    """Fail early, naming the file, when expected columns or the row count are not there."""
    missing = [column for column in source.columns if column not in frame.columns]
    if missing:
        raise SourceError(f"{source.mirror_path} lacks the columns: {', '.join(missing)}")
    if source.rows is not None and len(frame) != source.rows:
        raise SourceError(
            f"{source.mirror_path} has {len(frame):,} rows; the manifest expects {source.rows:,}."
        )
