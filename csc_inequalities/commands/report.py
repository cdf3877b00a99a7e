"""`csc-inequalities report`: the app's Word or HTML report, from the authority's own files."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from csc_inequalities.commands import UserError
from csc_inequalities.commands.gradient import measure_from, read_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the report sub-command."""
    parser = subparsers.add_parser(
        "report",
        help="write the Word (DOCX) or HTML report for an authority and measure",
        description=(
            "Write the report the app produces: charts, tables, plain-language findings, "
            "methods, data quality, caveats and sources. The publication view (disclosure "
            "control applied) is the default; --view internal writes exact figures, marked "
            "not for publication."
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
    parser.add_argument("--view", choices=["publication", "internal"], default="publication")
    parser.add_argument(
        "--threshold", type=int, default=5, help="suppress counts from 1 to this (default 5)"
    )
    parser.add_argument(
        "--round-counts", type=int, choices=[5, 10], help="round published counts to this"
    )
    parser.add_argument(
        "--round-totals", type=int, choices=[5, 10], help="round published totals to this"
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="report file: a name ending .docx or .html"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis and write the report."""
    from csc_inequalities.analysis import run_analysis
    from csc_inequalities.commands.context import resolve_authority
    from csc_inequalities.disclosure import DisclosureRule
    from csc_inequalities.exports.provenance import export_context
    from csc_inequalities.exports.report import REPORT_FORMATS, report_bytes
    from csc_inequalities.records.issues import RecordsError
    from csc_inequalities.records.load import load_records
    from csc_inequalities.store import load_store

    report_format = args.out.suffix.lower().lstrip(".")
    if report_format not in REPORT_FORMATS:
        raise UserError("--out must name a .docx or .html file.")
    if args.out.parent and not args.out.parent.exists():
        raise UserError(f"The folder {args.out.parent} does not exist.")
    try:
        rule = DisclosureRule(args.threshold, args.round_counts, args.round_totals)
    except ValueError as error:
        raise UserError(str(error)) from None
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
    context = export_context(analysis, args.view, rule)
    content = report_bytes(analysis, records, context, report_format, progress=print, store=store)
    args.out.write_bytes(content)
    print(f"wrote {args.out} ({len(content):,} bytes): {context.view_label}")
    return 0
