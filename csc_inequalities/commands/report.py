"""`csc-inequalities report`: the app's Word or HTML report, from the authority's own files."""

from __future__ import annotations

import argparse
from pathlib import Path

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import (
    add_analysis_arguments,
    add_population_arguments,
    analysis_from,
)


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
    add_analysis_arguments(parser)
    add_population_arguments(parser)
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
    parser.add_argument(
        "--reference", type=Path, metavar="CSV",
        help="reference rates by national decile for the standardisation section (as for "
        "'standardise'; default: England's estimate)",
    )  # fmt: skip
    parser.add_argument(
        "--scheme", default=None, metavar="district|ward|FILE",
        help="localities for the localities section (as for 'localities')",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis and write the report."""
    from csc_inequalities.exports.images import ImageExportError
    from csc_inequalities.exports.report import REPORT_FORMATS, report_bytes
    from csc_inequalities.publication.disclosure import DisclosureRule
    from csc_inequalities.publication.view_context import view_context

    report_format = args.out.suffix.lower().lstrip(".")
    if report_format not in REPORT_FORMATS:
        raise UserError("--out must name a .docx or .html file.")
    if args.out.parent and not args.out.parent.exists():
        raise UserError(f"The folder {args.out.parent} does not exist.")
    try:
        rule = DisclosureRule(args.threshold, args.round_counts, args.round_totals)
    except ValueError as error:
        raise UserError(str(error)) from None
    store, records, analysis = analysis_from(args)
    context = view_context(analysis, args.view, rule)
    sections = area_sections_for(args, store, analysis, context)
    try:
        content = report_bytes(
            analysis, records, context, report_format, progress=print, store=store,
            extra_sections=sections,
        )  # fmt: skip
    except ImageExportError as error:
        raise UserError(str(error)) from None
    args.out.write_bytes(content)
    print(f"wrote {args.out} ({len(content):,} bytes): {context.view_label}")
    return 0


def area_sections_for(args: argparse.Namespace, store, analysis, context) -> tuple:
    """The standardisation and localities sections for the chosen reference and scheme."""
    from csc_inequalities.commands.localities import scheme_from
    from csc_inequalities.commands.standardise import reference_from
    from csc_inequalities.context.standardise import standardise
    from csc_inequalities.publication.report_sections import area_sections
    from csc_inequalities.publication.tables import analysis_tables
    from csc_inequalities.results.localities import localities

    reference = reference_from(args.reference) if args.reference else None
    scheme = scheme_from(args.scheme, store, analysis.la_code, analysis.imd_year)
    compared = scheme.problem or localities(analysis, scheme)
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    return area_sections(standardise(analysis, store, reference), compared, tables, context)
