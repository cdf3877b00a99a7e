"""Options and steps shared by the sub-commands that analyse an authority's own files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.commands import UserError
from csc_inequalities.results.measures import Measure

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.store import ReferenceStore
    from csc_inequalities.results.analysis import Analysis


def reference_store() -> ReferenceStore:
    """The built reference store, or a message saying how to build it."""
    from csc_inequalities.reference.store import load_store

    try:
        return load_store()
    except FileNotFoundError as error:
        raise UserError(str(error)) from None


def resolve_authority(authorities: pd.DataFrame, text: str) -> str:
    """A GSS code, DfE number or name (any case) to the current GSS code."""
    wanted = text.strip().lower()
    for column in ("la_code", "la_name"):
        hit = authorities[authorities[column].str.lower() == wanted]
        if not hit.empty:
            return str(hit.iloc[0]["la_code"])
    if wanted.isdigit():
        hit = authorities[authorities["dfe_la_number"].astype(int) == int(wanted)]
        if not hit.empty:
            return str(hit.iloc[0]["la_code"])
    raise UserError(
        f"'{text}' is not a current English children's services authority "
        "(give its GSS code, e.g. E06000009, its DfE number or its name)."
    )


def column_choice(text: str) -> tuple[str, str]:
    """One --map FIELD=COLUMN, checked against the fields an extract can have."""
    from csc_inequalities.records.extract import EXTRACT_FIELDS, FIXED_INTERVENTIONS

    field, _, column = text.partition("=")
    field, column = field.strip().lower(), column.strip()
    if field not in EXTRACT_FIELDS or not column:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not FIELD=COLUMN with FIELD one of {', '.join(EXTRACT_FIELDS)} "
            f"(and intervention={'|'.join(FIXED_INTERVENTIONS)} for one kind on every row)"
        )
    return field, column


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
    parser.add_argument(
        "--map", dest="column_map", action="append", type=column_choice, default=[],
        metavar="FIELD=COLUMN",
        help="which column of a case-system extract holds a field, as the app's mapping step "
        "does (repeat for each field; e.g. --map child_id='Person ID' --map start_date=Opened)",
    )  # fmt: skip


AGE_BAND_OPTIONS = {"all": "all", "under-1": "under_1", "1-4": "1_4", "5-9": "5_9",
                    "10-15": "10_15", "16-17": "16_17"}  # fmt: skip
SEX_OPTIONS = {"all": "all", "f": "F", "m": "M"}


def add_population_arguments(parser: argparse.ArgumentParser) -> None:
    """--age-band and --sex: count only one DfE age band and sex, denominators to match."""
    parser.add_argument(
        "--age-band", choices=list(AGE_BAND_OPTIONS), default="all",
        help="count only children of this DfE age band (age on the reference date or at the "
        "start), with that band's children as denominators",
    )  # fmt: skip
    parser.add_argument(
        "--sex", type=str.lower, choices=list(SEX_OPTIONS), default="all",
        help="count only girls (F) or boys (M); denominators use the authority's Census 2021 "
        "split of girls and boys",
    )  # fmt: skip


def population_from(args: argparse.Namespace) -> tuple[str, str]:
    """The age band and sex the options ask for, in the core's codes."""
    return (
        AGE_BAND_OPTIONS[getattr(args, "age_band", "all")],
        SEX_OPTIONS[getattr(args, "sex", "all")],
    )


def measure_from(args: argparse.Namespace) -> Measure:
    """The Measure the options ask for."""
    intervention = args.measure.upper()
    if args.at is not None:
        return Measure(intervention, "at_date", args.at)
    return Measure.starts_in_year(intervention, args.starts)


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each file's name and bytes, held in memory only; a file above the limit is not read."""
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.records.sniff import check_declared_size

    files = []
    for path in paths:
        try:
            check_declared_size(path.name, path.stat().st_size)
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            raise UserError(f"cannot read {path}: {error.strerror}") from None
        except RecordsError as error:
            raise UserError(str(error)) from None
    return files


def report_intake(records: LoadResult) -> None:
    """Say on standard error what was dropped and why; stop when nothing could be used.

    A run whose records were all refused must not print "0 children" as a finding.
    """
    from csc_inequalities.records.intake import NOTHING_USED, intake_alert

    alert = intake_alert(records)
    if alert is None:
        return
    if alert.level == NOTHING_USED:
        raise UserError(alert.text())
    print(f"warning: {alert.text()}", file=sys.stderr)


def records_from(args: argparse.Namespace) -> tuple[ReferenceStore, str, LoadResult]:
    """Store, authority code and records for the options, with what was dropped on stderr."""
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.records.load import load_records

    store = reference_store()
    la_code = resolve_authority(store.authorities, args.la)
    try:
        mapping = dict(args.column_map) or None
        records = load_records(read_files(args.records), la_code, store, mapping)
    except (RecordsError, ValueError) as error:
        raise UserError(str(error)) from None
    report_intake(records)
    return store, la_code, records


def analysis_from(args: argparse.Namespace) -> tuple[ReferenceStore, LoadResult, Analysis]:
    """Store, records and analysis for the options: the same code path as the app."""
    from csc_inequalities.results.analysis import run_analysis

    store, la_code, records = records_from(args)
    age_band, sex = population_from(args)
    try:
        analysis = run_analysis(
            records, store, la_code, args.imd, measure_from(args), args.deciles,
            age_band=age_band, sex=sex,
        )  # fmt: skip
    except ValueError as error:
        raise UserError(str(error)) from None
    return store, records, analysis
