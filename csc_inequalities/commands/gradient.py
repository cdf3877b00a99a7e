"""`csc-inequalities gradient`: the table behind the gradient chart and the inequality summary,
from the authority's own files, through the same code path as the app."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.commands.options import (
    add_analysis_arguments,
    add_population_arguments,
    analysis_from,
)
from csc_inequalities.stats.inequality import summary_rows

if TYPE_CHECKING:
    from csc_inequalities.results.analysis import Analysis

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
    add_analysis_arguments(parser)
    add_population_arguments(parser)
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the records, run the analysis and print the gradient and summary."""
    _, _, analysis = analysis_from(args)
    table = gradient_output(analysis.gradient)
    summary = summary_rows(analysis.summary)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
        print()
        print(summary.to_csv(index=False), end="")
    elif args.format == "json":
        print(json.dumps(json_output(analysis, table, summary), indent=2))
    else:
        print(analysis.notes.measure_label, f"- {analysis.la_name}")
        print(analysis.notes.imd, "-", analysis.notes.deciles_note)
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


def json_output(analysis: Analysis, table: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """Everything the text output shows, as one JSON document."""
    return {
        "la_code": analysis.la_code,
        "la_name": analysis.la_name,
        "measure": analysis.notes.measure_label,
        "reference_date": analysis.notes.reference_date,
        "imd": analysis.notes.imd,
        "deciles": analysis.deciles,
        "gradient": [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")],
        "summary": [{k: _plain(v) for k, v in row.items()} for row in summary.to_dict("records")],
        "sentences": analysis.sentences,
    }
