"""`csc-inequalities standardise`: how much of the authority's difference from England is its
deprivation and how much its rates within deciles, through the same code path as the app."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import add_analysis_arguments, analysis_from, read_files

DECILE_OUTPUT = {
    "decile": "decile",
    "children": "children",
    "england_share_of_children": "england_share",
    "count": "count",
    "rate_per_10000": "rate",
    "reference_rate": "reference_rate",
    "expected": "expected",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the standardise sub-command."""
    parser = subparsers.add_parser(
        "standardise",
        help="observed against expected at England's decile rates, and the Kitagawa split",
        description=(
            "Print the count expected if the authority's children had England's rate for their "
            "neighbourhood's national IMD decile, against the count observed (standardised "
            "ratio with 95%% interval); the split of the difference between the authority's "
            "rate and England's into deprivation mix and rates within deciles; and the "
            "population attributable fraction. England's decile rates are estimated from the "
            "CWIP 2015 gradient scaled to DfE's England rate unless --reference gives them."
        ),
    )
    add_analysis_arguments(parser)
    parser.add_argument(
        "--reference", type=Path, metavar="CSV",
        help="reference rates per 10,000 by national decile: a CSV or XLSX with columns "
        "decile (1 = most deprived) and rate",
    )  # fmt: skip
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.set_defaults(handler=run)


def print_issues(issues: pd.DataFrame, what: str) -> None:
    """Rows of a small file that were not used, on standard error, each with its row."""
    from csc_inequalities.records.area_files import issue_rows_text

    if issues.empty:
        return
    print(f"warning: {len(issues):,} row(s) of the {what} were not used as given:", file=sys.stderr)
    for line in issue_rows_text(issues):
        print(f"  {line}", file=sys.stderr)


def reference_from(path: Path) -> Any:
    """The user's reference gradient, its bad rows reported; refused when a decile is missing."""
    from csc_inequalities.context.standardise import uploaded_reference
    from csc_inequalities.records.area_files import read_reference_gradient
    from csc_inequalities.records.issues import RecordsError

    ((name, content),) = read_files([path])
    try:
        read = read_reference_gradient(name, content)
    except RecordsError as error:
        raise UserError(str(error)) from None
    print_issues(read.issues, "reference gradient")
    if read.problem:
        raise UserError(read.problem)
    if read.warning:
        print(f"warning: {read.warning}", file=sys.stderr)
    return uploaded_reference(read.rates, read.file)


def plain(value: Any) -> Any:
    """JSON-safe scalars: NaN becomes null, numpy numbers plain numbers."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """A table as a list of JSON-safe rows."""
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis, standardise and print the figures."""
    from csc_inequalities.context.standardise import standardise, summary_rows

    store, _, analysis = analysis_from(args)
    reference = reference_from(args.reference) if args.reference else None
    result = standardise(analysis, store, reference)
    if result.reason:
        raise UserError(
            f"No standardised ratio for {analysis.la_name}: {result.reason} (--reference CSV)."
        )
    deciles = result.deciles[list(DECILE_OUTPUT)].rename(columns=DECILE_OUTPUT)
    deciles = deciles.round({"children": 0, "england_share": 4, "rate": 2, "reference_rate": 2,
                             "expected": 2})  # fmt: skip
    summary = summary_rows(result).drop(columns="key")
    if args.format == "csv":
        print(deciles.to_csv(index=False), end="")
        print()
        print(summary.to_csv(index=False), end="")
    elif args.format == "json":
        document = {
            "la_code": result.la_code,
            "la_name": result.la_name,
            "measure": analysis.notes.measure_label,
            "imd": analysis.notes.imd,
            "reference": result.reference_label,
            "reference_is_estimate": result.reference_is_estimate,
            "deciles": json_rows(deciles),
            "summary": json_rows(summary),
            "sentences": result.sentences,
            "notes": list(result.notes),
        }
        print(json.dumps(document, indent=2))
    else:
        print(analysis.notes.measure_label, f"- {result.la_name}")
        print(f"Compared with: {result.reference_label}")
        print(deciles.to_string(index=False))
        print()
        print(summary.to_string(index=False))
        print()
        for sentence in result.sentences.values():
            print(sentence)
        print()
        for note in result.notes:
            print(f"Note: {note}")
    return 0
