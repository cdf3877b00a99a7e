"""Options and steps shared by the sub-commands that analyse an authority's own files."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from csc_inequalities.commands import UserError
from csc_inequalities.results.measures import Measure


def reference_store() -> Any:
    """The built reference store, or a message saying how to build it."""
    from csc_inequalities.reference.store import load_store

    try:
        return load_store()
    except FileNotFoundError as error:
        raise UserError(str(error)) from None


def add_analysis_arguments(parser: argparse.ArgumentParser) -> None:
    """--la, --records, --measure, --at/--starts, --imd and --deciles, as the app offers them."""
    parser.add_argument("--la", required=True, help="authority GSS code (e.g. E06000009) or name")
    parser.add_argument(
        "--records", required=True, nargs="+", type=Path, metavar="FILE",
        help="SSDA903 CSVs, CIN census XML, address or case-system extracts, or LSOA counts",
    )  # fmt: skip
    parser.add_argument("--measure", required=True, choices=["cin", "cpp", "cla"])
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--at", type=date.fromisoformat, metavar="YYYY-MM-DD",
        help="count children with the intervention open on this date",
    )  # fmt: skip
    when.add_argument(
        "--starts", type=int, metavar="YYYY",
        help="count starts in the year 1 April (YYYY-1) to 31 March YYYY",
    )  # fmt: skip
    parser.add_argument("--imd", type=int, choices=[2019, 2025], default=2025)
    parser.add_argument("--deciles", choices=["national", "local"], default="national")


def measure_from(args: argparse.Namespace) -> Measure:
    """The Measure the options ask for."""
    intervention = args.measure.upper()
    if args.at is not None:
        return Measure(intervention, "at_date", args.at)
    return Measure.starts_in_year(intervention, args.starts)


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each file's name and bytes, held in memory only."""
    files = []
    for path in paths:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            raise UserError(f"cannot read {path}: {error.strerror}") from None
    return files


def analysis_from(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """Store, records and analysis for the options: the same code path as the app."""
    from csc_inequalities.commands.context import resolve_authority
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.records.load import load_records
    from csc_inequalities.results.analysis import run_analysis

    store = reference_store()
    la_code = resolve_authority(store.authorities, args.la)
    try:
        records = load_records(read_files(args.records), la_code, store)
        analysis = run_analysis(records, store, la_code, args.imd, measure_from(args), args.deciles)
    except (RecordsError, ValueError) as error:
        raise UserError(str(error)) from None
    return store, records, analysis
