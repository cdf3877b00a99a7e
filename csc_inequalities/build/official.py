"""Fetching every source from its publisher: plain files, portal feature services, DfE and ONS APIs.

`fetch_sources` fills a folder's `official/` subfolder with each source as its publisher sends
it (feature-service pages and API batches joined into one file), checks what arrived, and records
the address, size and checksum of every file in `official/fetched.json`. A folder filled this way
is a mirror: `data build --mirror DIR` reads it without the internet.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from csc_inequalities.build import http, normalise
from csc_inequalities.build.sources import (
    FETCH_RECORD,
    OFFICIAL_DIR,
    Input,
    Manifest,
    Source,
    SourceError,
    check_normalised,
    read_fetch_record,
    sha256_of,
)

Progress = Callable[[str], None]
ARCGIS_PAGE = 2000  # the ONS portal's feature services return at most 2,000 features a request
ONS_AREAS_PAGE = 1000
ONS_PAUSE_SECONDS = 0.2  # between batches: the census API limits the request rate
_EXPECTED = {"csv": "csv", "xlsx": "xlsx", "zip": "zip", "geojson": "json", "text": "text"}


def fetch_sources(
    manifest: Manifest,
    folder: Path,
    progress: Progress = print,
    only: list[str] | None = None,
) -> dict[str, dict]:
    """Download every source (or those named) from its official address; skip what is complete."""
    unknown = sorted(set(only or []) - set(manifest.sources))
    if unknown:
        raise SourceError(
            f"Unknown sources: {', '.join(unknown)} (see: csc-inequalities data sources)"
        )
    names = [name for name in manifest.sources if not only or name in only]
    official_dir = folder / OFFICIAL_DIR
    official_dir.mkdir(parents=True, exist_ok=True)
    record = read_fetch_record(folder)
    for number, name in enumerate(names, start=1):
        source = manifest.sources[name]
        if source.official is None:
            raise SourceError(f"{name}: the manifest gives no official address to fetch it from.")
        done = record.get(name)
        if done and _still_whole(official_dir / done["file"], done["sha256"]):
            progress(f"[{number}/{len(names)}] {name}: already fetched ({done['file']})")
            continue
        progress(f"[{number}/{len(names)}] {name}: {source.official.url}")
        started = time.perf_counter()
        path = FETCHERS[source.official.kind](source, official_dir / name, progress)
        entry = _check_fetched(source, path, official_dir)
        record[name] = entry
        _write_record(official_dir, record)
        progress(
            f"  {name}: {entry['bytes'] / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s, "
            f"sha256 {entry['sha256'][:12]}..."
        )
    return record


def _still_whole(path: Path, checksum: str) -> bool:
    """A file fetched earlier is still there and unchanged."""
    return path.is_file() and sha256_of(path) == checksum


def _check_fetched(source: Source, path: Path, official_dir: Path) -> dict:
    """Checksum, shape and content of a fresh download; a wrong file is removed, never used."""
    checksum = sha256_of(path)
    official = source.official_download()
    try:
        pinned = official.sha256
        if pinned and checksum != pinned:
            raise SourceError(
                f"{source.name}: the file at {official.url} is not the pinned version "
                f"(sha256 {checksum}, pinned {pinned}); the publisher has replaced it. Build from "
                "a mirror holding the pinned files, or review the new file and update "
                "data/manifest.toml."
            )
        frame = normalise.load(source, Input(path, "official"))
        normalised = check_normalised(source, frame, "official")
    except SourceError:
        path.unlink(missing_ok=True)
        raise
    return {
        "file": str(path.relative_to(official_dir)),
        "sha256": checksum,
        "bytes": path.stat().st_size,
        "url": official.url,
        "normalised_sha256": normalised,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write_record(official_dir: Path, record: dict) -> None:
    """Rewrite fetched.json atomically after each source, so an interrupted fetch keeps its work."""
    partial = official_dir / (FETCH_RECORD + ".part")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True))
    partial.replace(official_dir / FETCH_RECORD)


def _file_name(source: Source) -> str:
    """The name the official file is stored under."""
    official = source.official_download()
    if official.file_name:
        return official.file_name
    return urllib.parse.unquote(urllib.parse.urlparse(official.url).path.rsplit("/", 1)[-1])


def fetch_file(source: Source, folder: Path, progress: Progress) -> Path:
    """A file at a fixed address (gov.uk, ONS, Nomis, a data catalogue, a publisher's repo)."""
    target = folder / _file_name(source)
    official = source.official_download()
    http.download(source.name, official.url, target, _EXPECTED[official.format], progress)
    return target


def fetch_arcgis_query(source: Source, folder: Path, progress: Progress) -> Path:
    """All features of an Open Geography portal layer, fetched in pages and joined as GeoJSON."""
    official = source.official_download()
    geometry = bool(official.params.get("geometry", False))
    count_url = _with_query(official.url, {"where": "1=1", "returnCountOnly": "true", "f": "json"})
    total = http.get_json(source.name, count_url).get("count")
    if not isinstance(total, int):
        raise SourceError(f"{source.name}: {count_url} did not return a feature count.")
    pages = folder / ".pages"
    pages.mkdir(parents=True, exist_ok=True)
    offset = _resume_offset(pages)
    while offset < total:
        page_url = _with_query(
            official.url,
            {
                "where": "1=1",
                "outFields": "*",
                "returnGeometry": "true" if geometry else "false",
                "outSR": "4326",
                "f": "geojson",
                "resultOffset": str(offset),
                "resultRecordCount": str(ARCGIS_PAGE),
            },
        )
        page = http.get_json(source.name, page_url)
        if "error" in page:
            raise SourceError(f"{source.name}: the feature service refused {page_url}: {page}")
        features = page.get("features", [])
        if not features:
            raise SourceError(
                f"{source.name}: the feature service stopped at {offset:,} of {total:,} features."
            )
        _write_atomically(pages / f"{offset:09d}.json", json.dumps(features))
        offset += len(features)
        progress(f"  {source.name}: {offset:,} of {total:,} features")
    features = []
    for page_file in sorted(pages.glob("*.json")):
        features.extend(json.loads(page_file.read_text()))
    if len(features) != total:
        raise SourceError(f"{source.name}: joined {len(features):,} features of {total:,}.")
    target = folder / _file_name(source)
    _write_atomically(target, json.dumps({"type": "FeatureCollection", "features": features}))
    shutil.rmtree(pages)
    return target


def _resume_offset(pages: Path) -> int:
    """How many features earlier pages already hold (a page is written whole or not at all)."""
    offset = 0
    for page in sorted(pages.glob("*.json")):
        if page.stem != f"{offset:09d}":
            page.unlink()
            continue
        offset += len(json.loads(page.read_text()))
    return offset


def fetch_ees_release_file(source: Source, folder: Path, progress: Progress) -> Path:
    """A file of a pinned Explore Education Statistics release, found by its file name."""
    official = source.official_download()
    params = official.params
    api = official.url.rstrip("/")
    content_url = f"{api}/publications/{params['publication']}/releases/{params['release']}"
    content = http.get_json(source.name, f"{content_url}/data-content")
    release_version = content.get("releaseVersionId")
    if not release_version:
        raise SourceError(f"{source.name}: {content_url}/data-content has no releaseVersionId.")
    files = {item["filename"]: item["fileId"] for item in content.get("supportingFiles", [])}
    page, pages = 1, 1
    while page <= pages:
        listing = http.get_json(
            source.name,
            f"{api}/data-set-files?releaseId={release_version}&page={page}&pageSize=40",
        )
        files.update({item["filename"]: item["fileId"] for item in listing.get("results", [])})
        pages = listing.get("paging", {}).get("totalPages", 1)
        page += 1
    wanted = official.file_name
    if wanted not in files:
        raise SourceError(
            f"{source.name}: release {params['release']} of {params['publication']} has no file "
            f"{wanted} (it has: {', '.join(sorted(files)) or 'none'})."
        )
    url = f"{api}/releases/{release_version}/files/{files[wanted]}"
    progress(f"  {source.name}: {url}")
    target = folder / wanted
    http.download(source.name, url, target, "csv", progress)
    return target


def fetch_ons_census(source: Source, folder: Path, progress: Progress) -> Path:
    """A Census 2021 custom dataset from the ONS API, in batches of areas under its row cap."""
    official = source.official_download()
    params = official.params
    api = official.url.rstrip("/")
    base = f"{api}/population-types/{params.get('population_type', 'UR')}"
    areas = _ons_areas(source, base, params["area_type"])
    dimensions = list(params["dimensions"])
    pages = folder / ".pages"
    pages.mkdir(parents=True, exist_ok=True)
    size = int(params["areas_per_request"])
    batches = [areas[start : start + size] for start in range(0, len(areas), size)]
    for number, batch in enumerate(batches):
        page = pages / f"{number:05d}.csv"
        if page.exists():
            continue
        query = urllib.parse.urlencode(
            {
                "area-type": ",".join([params["area_type"], *batch]),
                "dimensions": ",".join(dimensions),
            },
            safe=",",
        )
        document = http.get_json(source.name, f"{base}/census-observations?{query}")
        frame = observations_frame(source.name, document, dimensions)
        _write_atomically(page, frame.to_csv(index=False))
        progress(f"  {source.name}: batch {number + 1} of {len(batches)}")
        time.sleep(ONS_PAUSE_SECONDS)
    joined = pd.concat(
        [
            pd.read_csv(page, dtype="str", keep_default_na=False)
            for page in sorted(pages.glob("*.csv"))
        ],
        ignore_index=True,
    )
    target = folder / _file_name(source)
    partial = target.with_name(target.name + ".part")
    joined.to_csv(partial, index=False, compression={"method": "gzip", "mtime": 0})
    partial.replace(target)
    shutil.rmtree(pages)
    return target


def _ons_areas(source: Source, base: str, area_type: str) -> list[str]:
    """Every area code of an area type, as the census API lists them."""
    codes: list[str] = []
    offset, total = 0, None
    while total is None or offset < total:
        listing = http.get_json(
            source.name,
            f"{base}/area-types/{area_type}/areas?limit={ONS_AREAS_PAGE}&offset={offset}",
        )
        items = listing.get("items") or []
        total = listing.get("total_count", len(items))
        if not items:
            break
        codes.extend(item["id"] for item in items)
        offset += len(items)
    if len(codes) != total:
        raise SourceError(f"{source.name}: the API listed {len(codes):,} of {total:,} areas.")
    return codes


def observations_frame(name: str, document: dict, dimensions: list[str]) -> pd.DataFrame:
    """Census API observations as rows: the area, each dimension's code and label, the count."""
    if document.get("blocked_areas"):
        raise SourceError(
            f"{name}: the ONS API withheld {document['blocked_areas']} areas for disclosure "
            "control; the query in data/manifest.toml is too detailed for them."
        )
    rows = []
    for observation in document.get("observations") or []:
        area, *rest = observation["dimensions"]
        found = [dimension["dimension_id"] for dimension in rest]
        if found != dimensions:
            raise SourceError(f"{name}: the API answered dimensions {found}, not {dimensions}.")
        row = {"area_code": area["option_id"], "area_name": area["option"]}
        for dimension in rest:
            row[f"{dimension['dimension_id']}_code"] = dimension["option_id"]
            row[dimension["dimension_id"]] = dimension["option"]
        row["observation"] = observation["observation"]
        rows.append(row)
    if not rows:
        raise SourceError(f"{name}: the ONS API returned no observations.")
    return pd.DataFrame(rows)


def _with_query(url: str, query: dict[str, str]) -> str:
    """An address with query parameters (the portal wants '=' in where clauses escaped)."""
    return f"{url}?{urllib.parse.urlencode(query)}"


def _write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


FETCHERS: dict[str, Callable[[Source, Path, Progress], Path]] = {
    "file": fetch_file,
    "arcgis_query": fetch_arcgis_query,
    "ees_release_file": fetch_ees_release_file,
    "ons_census_api": fetch_ons_census,
}
