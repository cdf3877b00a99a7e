"""The sources named in data/manifest.toml: where each is, its checks and its fingerprint."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OFFICIAL_DIR = "official"  # inside a mirror folder: files fetched from the official addresses
FETCH_RECORD = "fetched.json"  # inside OFFICIAL_DIR: what was fetched, from where, checksums


class SourceError(Exception):
    """A source is missing, cannot be downloaded, or is not the file the manifest describes."""


@dataclass(frozen=True)
class Official:
    """How the build fetches a source from its publisher, and what the download must look like."""

    kind: str  # file | arcgis_query | ees_release_file | ons_census_api
    url: str
    form: str
    found_in: str
    format: str = "csv"  # csv | xlsx | zip | geojson | ons_json | text
    file_name: str = ""
    columns: tuple[str, ...] = ()
    rows: int | None = None
    sha256: str | None = None  # of the downloaded file, where the publisher's bytes are pinned
    codes: dict[str, str] = field(default_factory=dict)  # column -> pattern every value matches
    params: dict = field(default_factory=dict)  # kind-specific settings (sheet, member, ...)


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
    normalised_sha256: str | None = None
    copy_as_text: bool = False
    read_options: dict = field(default_factory=dict)
    official: Official | None = None
    extra: dict = field(default_factory=dict)

    def official_download(self) -> Official:
        """The official download, for code that handles only sources which have one."""
        if self.official is None:
            raise SourceError(
                f"{self.name}: the manifest gives no official address to fetch it from."
            )
        return self.official


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest: sources by name, plus installed packages used as data."""

    sources: dict[str, Source]
    packages: dict[str, dict]
    licences: dict[str, str]


@dataclass(frozen=True)
class Input:
    """The file a build reads for one source, and whether it is in the mirror's or official form."""

    path: Path
    form: str  # "mirror" or "official"
    sha256: str | None = None  # recorded when the official file was fetched


_SOURCE_FIELDS = {
    "title",
    "publisher",
    "official_url",
    "mirror_path",
    "licence",
    "sha256",
    "rows",
    "columns",
    "normalised_sha256",
    "copy_as_text",
    "read_options",
}
_OFFICIAL_FIELDS = {
    "kind",
    "url",
    "form",
    "found_in",
    "format",
    "file_name",
    "columns",
    "rows",
    "sha256",
    "codes",
}


def _official(entry: dict | None) -> Official | None:
    """The [sources.NAME.official] table: known fields, the rest as kind-specific parameters."""
    if entry is None:
        return None
    known = {key: value for key, value in entry.items() if key in _OFFICIAL_FIELDS}
    known["columns"] = tuple(known.get("columns", ()))
    params = {key: value for key, value in entry.items() if key not in _OFFICIAL_FIELDS}
    return Official(params=params, **known)


def load_manifest(path: Path) -> Manifest:
    """Read the manifest so every build step names its inputs the same way."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    sources = {}
    for name, entry in raw.get("sources", {}).items():
        known = {key: value for key, value in entry.items() if key in _SOURCE_FIELDS}
        known["columns"] = tuple(known.get("columns", ()))
        extra = {
            key: value
            for key, value in entry.items()
            if key not in _SOURCE_FIELDS and key not in ("official", "sha256_from")
        }
        sources[name] = Source(
            name=name, extra=extra, official=_official(entry.get("official")), **known
        )
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


def read_fetch_record(folder: Path) -> dict[str, dict]:
    """What `data fetch` recorded in a folder: per source, the file, its checksum and address."""
    try:
        return json.loads((folder / OFFICIAL_DIR / FETCH_RECORD).read_text())
    except FileNotFoundError:
        return {}
    except ValueError as error:
        raise SourceError(
            f"{folder / OFFICIAL_DIR / FETCH_RECORD} is not valid JSON: {error}"
        ) from error


def locate_inputs(manifest: Manifest, folder: Path) -> dict[str, Input]:
    """Each source in a folder, in the mirror's form or as fetched officially; lists what lacks."""
    if not folder.is_dir():
        raise SourceError(f"The mirror folder {folder} does not exist.")
    fetched = read_fetch_record(folder)
    inputs, missing = {}, []
    for name, source in manifest.sources.items():
        mirror_copy = folder / source.mirror_path
        record = fetched.get(name)
        if mirror_copy.is_file():
            inputs[name] = Input(mirror_copy, "mirror")
        elif record and (folder / OFFICIAL_DIR / record["file"]).is_file():
            inputs[name] = Input(
                folder / OFFICIAL_DIR / record["file"], "official", record["sha256"]
            )
        else:
            missing.append(source.mirror_path)
    if missing:
        raise SourceError(
            f"The mirror {folder} lacks: "
            + ", ".join(missing)
            + ". Fetch the missing sources with: csc-inequalities data fetch --to "
            + str(folder)
        )
    return inputs


def verify_inputs(manifest: Manifest, inputs: dict[str, Input]) -> dict[str, str]:
    """Checksum every input; a file that differs from what was pinned or fetched is named."""
    checksums = {name: sha256_of(item.path) for name, item in inputs.items()}
    wrong = []
    for name, checksum in checksums.items():
        source, item = manifest.sources[name], inputs[name]
        if item.form == "mirror":
            expected = source.sha256
        else:
            pinned = source.official.sha256 if source.official else None
            expected = pinned or item.sha256
        if expected and checksum != expected:
            wrong.append(f"{item.path.name} (expected sha256 {expected}, found {checksum})")
    if wrong:
        raise SourceError(
            "These input files are not the ones the manifest describes (changed or corrupt): "
            + "; ".join(wrong)
        )
    return checksums


def check_source_shape(source: Source, frame: pd.DataFrame) -> None:
    """Fail early, naming the file, when expected columns or the row count are not there."""
    missing = [column for column in source.columns if column not in frame.columns]
    if missing:
        raise SourceError(f"{source.mirror_path} lacks the columns: {', '.join(missing)}")
    if source.rows is not None and len(frame) != source.rows:
        raise SourceError(
            f"{source.mirror_path} has {len(frame):,} rows; the manifest expects {source.rows:,}."
        )


def check_official_shape(source: Source, frame: pd.DataFrame) -> None:
    """A download with other columns, rows or codes than the pinned version says what changed."""
    official = source.official_download()
    where = f"{source.name} (official download, {official.url})"
    missing = [column for column in official.columns if column not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12]))
        raise SourceError(
            f"{where}: the publisher's file no longer has the columns {', '.join(missing)} "
            f"(it has: {found}{', ...' if len(frame.columns) > 12 else ''}). The file has "
            "changed layout; data/manifest.toml and the source's normaliser need updating."
        )
    if official.rows is not None and len(frame) != official.rows:
        raise SourceError(
            f"{where}: {len(frame):,} rows where the pinned version has {official.rows:,}; "
            "the publisher has changed the file (a new version or a partial download)."
        )
    for column, pattern in official.codes.items():
        values = frame[column].astype("str")
        bad = values[~values.str.fullmatch(pattern)]
        if len(bad):
            raise SourceError(
                f"{where}: {len(bad):,} values of {column} do not match {pattern!r} "
                f"(e.g. {bad.iloc[0]!r}); the codes have changed."
            )


def _canonical_text(series: pd.Series) -> pd.Series:
    """Values as text that does not depend on int or float storage (NaN and None as '')."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return series.astype("object").where(series.notna(), "").astype("str")
    values = series.to_numpy(dtype="float64")
    missing = np.isnan(values)
    if np.all(missing | (values == np.round(values))):
        text = pd.Series(values, index=series.index).fillna(0).astype("int64").astype("str")
    else:
        text = pd.Series([repr(float(value)) for value in values], index=series.index)
    return text.where(~missing, "")


def normalised_checksum(frame: pd.DataFrame) -> str:
    """The content of a normalised source, whatever its row order or number storage (no geometry).

    Two forms of one source (the publisher's file and the mirror's copy) agree when they have
    the same columns and the same rows of values, so this is what the manifest pins.
    """
    columns = [str(column) for column in frame.columns if column != "geometry"]
    digest = hashlib.sha256("\x1f".join(columns).encode())
    if columns:
        texts = [_canonical_text(frame[column]) for column in frame.columns if column != "geometry"]
        rows = texts[0].str.cat(texts[1:], sep="\x1f") if len(texts) > 1 else texts[0]
        digest.update("\x1e".join(sorted(rows.tolist())).encode())
    return digest.hexdigest()


def table_checksum(frame: pd.DataFrame) -> str:
    """A built table's exact content: columns, types, values in order, geometry as WKB."""
    import shapely

    digest = hashlib.sha256()
    for column in frame.columns:
        series = frame[column]
        digest.update(f"\x1f{column}\x1f{series.dtype}".encode())
        if str(series.dtype) == "geometry":
            for wkb in shapely.to_wkb(series.to_numpy(), include_srid=False):
                digest.update(b"\x1e" + (wkb or b""))
        else:
            hashed = pd.util.hash_pandas_object(series, index=False)
            digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


def check_normalised(source: Source, frame: pd.DataFrame, form: str) -> str:
    """The normalised source must be the pinned content; a difference is described."""
    checksum = normalised_checksum(frame)
    if source.normalised_sha256 and checksum != source.normalised_sha256:
        raise SourceError(
            f"{source.name}: the {form} file's content differs from the pinned version "
            f"(normalised sha256 {checksum}, pinned {source.normalised_sha256}; "
            f"{len(frame):,} rows, columns {', '.join(map(str, frame.columns))}). "
            "The publisher has revised the data. Build from a mirror holding the pinned files, "
            "or review the change and update data/manifest.toml."
        )
    return checksum
