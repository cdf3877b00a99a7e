"""`csc-inequalities gradient`: the table behind the gradient chart and the inequality summary,
from the authority's own files, through the same code path as the app."""

from __future__ import annotations

import argparse
import json
import math
from datetime import date
from pathlib import Path

import pandas as pd

from csc_inequalities.commands import UserError
from csc_inequalities.inequality import summary_rows
from csc_inequalities.measures import Measure

OUTPUT_COLUMNS = {
    "group": "decile",
    "group_label": "label",
    "children": "children",
    "count": "count",
    "rate_per_10000": "rate",
    "lower_95ci": "lower",
    "upper_95ci": "upper",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the gradient sub-command."""
    parser = subparsers.add_parser(
        "gradient",
        help="rates per 10,000 by deprivation decile from the authority's own records",
        description=(
            "Print the rate per 10,000 children aged 0-17 by deprivation decile (1 = most "
            "deprived) with 95% confidence intervals, and the inequality summary (SII, RII, "
            "rate ratios, share in the most deprived fifth, excess), from the authority's files."
        ),
    )
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
    parser.add_argument("--imd", type=int, choices=[2019, 2025], default=2019)
    parser.add_argument("--deciles", choices=["national", "local"], default="national")
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.set_defaults(handler=run)


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


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis and print the gradient and summary."""
    from csc_inequalities.analysis import run_analysis
    from csc_inequalities.commands.context import resolve_authority
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.records.load import load_records
    from csc_inequalities.store import load_store

    try:
        store = load_store()
    except FileNotFoundError as error:
        raise UserError(
            f"The reference store is not built ({error}); run 'csc-inequalities data build'."
        ) from None
    la_code = resolve_authority(store.authorities, args.la)
    try:
        records = load_records(read_files(args.records), la_code, store)
        analysis = run_analysis(records, store, la_code, args.imd, measure_from(args), args.deciles)
    except (RecordsError, ValueError) as error:
        raise UserError(str(error)) from None
    table = gradient_output(analysis.gradient)
    summary = summary_rows(analysis.summary)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
        print()
        print(summary.to_csv(index=False), end="")
    elif args.format == "json":
        print(json.dumps(json_output(analysis, table, summary), indent=2))
    else:
        print(analysis.metadata["measure_label"], f"- {analysis.la_name}")
        print(analysis.metadata["imd"], "-", analysis.metadata["deciles_note"])
        print(table.to_string(index=False))
        print()
        print(summary.to_string(index=False))
        print()
        for sentence in analysis.sentences.values():
            print(sentence)
    return 0


def gradient_output(gradient: pd.DataFrame) -> pd.DataFrame:
    """The gradient table with short column names and rounded figures."""
    table = gradient[list(OUTPUT_COLUMNS)].rename(columns=OUTPUT_COLUMNS)
    return table.round({"children": 0, "count": 2, "rate": 2, "lower": 2, "upper": 2})


def _plain(value):
    """JSON-safe scalars: NaN becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def json_output(analysis, table: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """Everything the text output shows, as one JSON document."""
    return {
        "la_code": analysis.la_code,
        "la_name": analysis.la_name,
        "measure": analysis.metadata["measure_label"],
        "reference_date": analysis.metadata["reference_date"],
        "imd": analysis.metadata["imd"],
        "deciles": analysis.deciles,
        "gradient": [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")],
        "summary": [{k: _plain(v) for k, v in row.items()} for row in summary.to_dict("records")],
        "sentences": analysis.sentences,
    }
