"""`csc-inequalities localities`: each locality's count, rate, expected count and standardised
ratio against the authority's own rates, through the same code path as the app."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import add_analysis_arguments, analysis_from, read_files
from csc_inequalities.commands.standardise import json_rows, print_issues

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

OUTPUT_COLUMNS = {
    "locality": "locality",
    "count": "count",
    "children": "children",
    "rate_per_10000": "rate",
    "expected": "expected",
    "ratio": "ratio",
    "ratio_lower": "ratio_lower",
    "ratio_upper": "ratio_upper",
    "limit_95_lower": "limit_95_lower",
    "limit_95_upper": "limit_95_upper",
    "limit_998_lower": "limit_998_lower",
    "limit_998_upper": "limit_998_upper",
    "position": "funnel_position",
}
BUILT_IN = ("district", "ward")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the localities sub-command."""
    parser = subparsers.add_parser(
        "localities",
        help="each locality's standardised ratio against the authority's own decile rates",
        description=(
            "Print one row per locality (district, electoral ward, or the authority's own areas "
            "from a CSV or XLSX of LSOA code and locality name): count, children, rate per "
            "10,000, the count expected from the authority's own rates by deprivation decile, "
            "the standardised ratio with its 95%% interval, the funnel plot's 95%% and 99.8%% "
            "limits and where the locality lies against them."
        ),
    )
    add_analysis_arguments(parser)
    parser.add_argument(
        "--scheme", default=None, metavar="district|ward|FILE",
        help="districts, electoral wards, or a file of LSOA code and locality name (default: "
        "districts where the authority has several, wards otherwise)",
    )  # fmt: skip
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.set_defaults(handler=run)


def scheme_from(text: str | None, store: Store, la_code: str, imd_year: int) -> Any:
    """The chosen locality scheme; a file's bad rows are reported and an empty one refused."""
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.results.localities import default_scheme_kind, file_scheme, scheme_for

    kind = text or default_scheme_kind(store, la_code, imd_year)
    if kind in BUILT_IN:
        return scheme_for(kind, store, la_code, imd_year)
    path = Path(kind)
    if not path.exists():
        raise UserError(f"--scheme is district, ward or a file; {kind} is none of these.")
    ((name, content),) = read_files([path])
    try:
        scheme = file_scheme(name, content, store, la_code, imd_year)
    except RecordsError as error:
        raise UserError(str(error)) from None
    if scheme.file is not None:
        print_issues(scheme.file.issues, "locality file")
    return scheme


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis and print the locality table."""
    from csc_inequalities.results.localities import localities

    store, _, analysis = analysis_from(args)
    scheme = scheme_from(args.scheme, store, analysis.la_code, analysis.imd_year)
    if scheme.problem:
        raise UserError(scheme.problem)
    result = localities(analysis, scheme)
    table = result.table[list(OUTPUT_COLUMNS)].rename(columns=OUTPUT_COLUMNS)
    table = table.round({c: 4 for c in table.columns if c.startswith(("ratio", "limit"))})
    table = table.round({"children": 0, "rate": 2, "expected": 2})
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        document = {
            "la_code": result.la_code,
            "la_name": result.la_name,
            "measure": analysis.notes.measure_label,
            "imd": analysis.notes.imd,
            "scheme": scheme.label,
            "localities": json_rows(table),
            "sentences": result.sentences,
            "notes": list(result.notes),
        }
        print(json.dumps(document, indent=2))
    else:
        print(analysis.notes.measure_label, f"- {result.la_name} - {scheme.label}")
        print(table.to_string(index=False))
        print()
        for sentence in result.sentences.values():
            print(sentence)
        print()
        for note in result.notes:
            print(f"Note: {note}")
    return 0
