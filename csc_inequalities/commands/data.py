"""`csc-inequalities data build`: build the reference store from official sources or a mirror."""

from __future__ import annotations

import argparse
from pathlib import Path

from csc_inequalities.commands import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the data sub-command and its build action."""
    parser = subparsers.add_parser("data", help="build the reference data store")
    actions = parser.add_subparsers(dest="data_command", required=True)
    build = actions.add_parser(
        "build",
        help="fetch or copy the official files, validate them and write the store",
        description=(
            "Build the reference store (data/store) from the official sources listed in "
            "data/manifest.toml: downloaded from their official addresses, or copied from a "
            "mirror folder (--mirror DIR or the CSC_DATA_MIRROR environment variable). "
            "A second run with unchanged inputs does nothing."
        ),
    )
    build.add_argument(
        "--mirror", type=Path, help="folder holding copies of the official files (CSC_DATA_MIRROR)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.set_defaults(handler=run_build)


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
        report = build_store(mirror=mirror, store_dir=paths.store_dir(), force=args.force)
    except (SourceError, BuildCheckError) as error:
        raise UserError(str(error)) from None
    print(report.message)
    for step, seconds in report.step_seconds.items():
        print(f"  {step:<18} {seconds:6.1f} s")
    if report.built:
        for table, rows in report.tables.items():
            print(f"  {table:<24} {rows:>10,} rows")
        for topic, note in report.notes.items():
            print(f"  {topic}: {note}")
    print(f"Done in {report.seconds:.1f} s.")
    return 0
