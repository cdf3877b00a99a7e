"""`csc-inequalities data build|fetch|sources`: the reference store and its official sources."""

from __future__ import annotations

import argparse
from pathlib import Path

from csc_inequalities.commands import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the data sub-command and its build, fetch and sources actions."""
    parser = subparsers.add_parser("data", help="build the reference data store")
    actions = parser.add_subparsers(dest="data_command", required=True)
    build = actions.add_parser(
        "build",
        help="fetch or copy the official files, validate them and write the store",
        description=(
            "Build the reference store (data/store) from the official sources listed in "
            "data/manifest.toml: downloaded from their official addresses into data/downloads, "
            "or read from a mirror folder (--mirror DIR or the CSC_DATA_MIRROR environment "
            "variable). A second run with unchanged inputs does nothing."
        ),
    )
    build.add_argument(
        "--mirror", type=Path, help="folder holding copies of the official files (CSC_DATA_MIRROR)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.set_defaults(handler=run_build)
    fetch = actions.add_parser(
        "fetch",
        help="download every source from its official address into a folder (a mirror)",
        description=(
            "Download every source in data/manifest.toml from its publisher into DIR/official, "
            "check each file (shape, codes, pinned content) and record its address and "
            "checksum in DIR/official/fetched.json. Complete files are kept and a partial "
            "download resumes, so the command can simply be run again after a failure. "
            "`data build --mirror DIR` then works from DIR without the internet."
        ),
    )
    fetch.add_argument("--to", type=Path, required=True, metavar="DIR", help="the folder to fill")
    fetch.add_argument(
        "--only", nargs="+", metavar="SOURCE", help="fetch only these sources (by manifest name)"
    )
    fetch.set_defaults(handler=run_fetch)
    sources = actions.add_parser(
        "sources",
        help="list the sources: publisher, licence, official page, build address, mirror copy",
        description=(
            "One row per source in data/manifest.toml: its publisher and licence, the page "
            "where the publisher releases it, the address the build fetches it from, and "
            "whether the mirror (--mirror DIR or CSC_DATA_MIRROR) holds it."
        ),
    )
    sources.add_argument("--mirror", type=Path, help="the mirror folder to look in")
    sources.add_argument(
        "--format",
        choices=("text", "csv"),
        default="text",
        help="text (one block per source) or CSV",
    )
    sources.set_defaults(handler=run_sources)


def run_build(args: argparse.Namespace) -> int:
    """Build the store and say what was done and how long each step took."""
    from csc_inequalities.build.checks import BuildCheckError
    from csc_inequalities.build.pipeline import build_store
    from csc_inequalities.build.sources import SourceError
    from csc_inequalities.reference import paths

    mirror = args.mirror or paths.mirror_dir()
    where = f"the mirror {mirror}" if mirror else "the official addresses"
    print(f"Building the reference store from {where} ...", flush=True)
    try:
        report = build_store(
            mirror=mirror, store_dir=paths.store_dir(), force=args.force, progress=_print
        )
    except (SourceError, BuildCheckError) as error:
        raise UserError(str(error)) from None
    print(report.message)
    for step, seconds in report.step_seconds.items():
        print(f"  {step:<18} {seconds:6.1f} s")
    if report.built:
        for table, rows in report.tables.items():
            checksum = report.table_checksums.get(table, "")[:12]
            print(f"  {table:<24} {rows:>10,} rows  sha256 {checksum}...")
        for topic, note in report.notes.items():
            print(f"  {topic}: {note}")
    print(f"Done in {report.seconds:.1f} s.")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """Download the official files into a folder and say how to build from it."""
    from csc_inequalities.build.official import fetch_sources
    from csc_inequalities.build.sources import SourceError, load_manifest
    from csc_inequalities.reference.paths import manifest_path

    try:
        record = fetch_sources(load_manifest(manifest_path()), args.to, _print, args.only)
    except SourceError as error:
        raise UserError(str(error)) from None
    total = sum(entry["bytes"] for entry in record.values())
    print(f"{len(record)} sources in {args.to / 'official'} ({total / 1e6:.0f} MB).")
    print(f"Build from them with: csc-inequalities data build --mirror {args.to}")
    return 0


def run_sources(args: argparse.Namespace) -> int:
    """Print the table of sources and where the build gets each one."""
    import csv
    import sys

    from csc_inequalities.build.sources import load_manifest, read_fetch_record
    from csc_inequalities.reference import paths

    manifest = load_manifest(paths.manifest_path())
    mirror = args.mirror or paths.mirror_dir()
    fetched = read_fetch_record(Path(mirror)) if mirror and Path(mirror).is_dir() else {}
    header = ["source", "publisher", "licence", "official page", "build address", "in mirror"]
    rows = []
    for name, source in manifest.sources.items():
        if mirror is None:
            held = "no mirror set"
        elif (Path(mirror) / source.mirror_path).is_file():
            held = "yes"
        elif name in fetched:
            held = "yes (official form)"
        else:
            held = "no"
        address = source.official.url if source.official else ""
        if source.official and source.official.kind == "ees_release_file":
            params = source.official.params
            address += (
                f" ({params['publication']} {params['release']}: {source.official.file_name})"
            )
        rows.append([name, source.publisher, source.licence, source.official_url, address, held])
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return 0
    for row in rows:
        print(f"{row[0]}  [{row[5]}]")
        for label, value in zip(header[1:5], row[1:5], strict=True):
            print(f"    {label + ':':<15} {value}")
    where = f"the mirror {mirror}" if mirror else "no mirror (--mirror DIR or CSC_DATA_MIRROR)"
    print(f"{len(rows)} sources; 'in mirror' refers to {where}.")
    return 0


def _print(message: str) -> None:
    """Progress on the terminal as it happens."""
    print(message, flush=True)
