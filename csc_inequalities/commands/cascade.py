"""`csc-inequalities cascade`: a reporting year's decisions, referral to care, by deprivation.

The same figures as the app's Decision cascade tab (under 'Where it widens'), from the
authority's CIN census and 903 files.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import (
    add_population_arguments,
    column_choice,
    population_from,
    records_from,
)

if TYPE_CHECKING:
    from csc_inequalities.results.cascade import Cascade

STAGE_COLUMNS = {
    "stage_label": "stage",
    "group": "quintile",
    "children": "children",
    "count": "count",
    "rate_per_10000": "rate",
    "lower_95ci": "lower",
    "upper_95ci": "upper",
}
CONVERSION_COLUMNS = {
    "conversion_label": "conversion",
    "group_label": "quintile",
    "numerator": "numerator",
    "denominator": "denominator",
    "proportion": "proportion",
    "lower_95ci": "lower",
    "upper_95ci": "upper",
}
GAP_COLUMNS = {"stage_label": "stage", "ratio": "ratio", "lower_95ci": "lower",
               "upper_95ci": "upper"}  # fmt: skip
ETHNIC_COLUMNS = {
    "stage_label": "stage",
    "group_name": "ethnic_group",
    "children": "children",
    "count": "count",
    "rate_per_10000": "rate",
    "ratio_to_white": "ratio_to_white",
}
CODE_COLUMNS = {"quintile": "quintile", "code": "code", "description": "description",
                "count": "count", "share": "share"}  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the cascade sub-command."""
    parser = subparsers.add_parser(
        "cascade",
        help="the decision cascade (referral to care) by deprivation for a reporting year",
        description=(
            "Print each decision's count and rate per 10,000 children by deprivation quintile "
            "(1 = most deprived) in the year 1 April (YYYY-1) to 31 March YYYY, counted as DfE "
            "counts them; conversions between decisions with Wilson intervals; the most to "
            "least deprived ratio at each decision; rates by ethnic group; primary need, "
            "category of abuse and assessment factors by quintile. Needs the CIN census XML "
            "with its address extract, and the SSDA903 files for care starts."
        ),
    )
    parser.add_argument("--la", required=True, help="authority GSS code (e.g. E06000009) or name")
    parser.add_argument(
        "--records", required=True, nargs="+", type=Path, metavar="FILE",
        help="CIN census XML with its address extract, and SSDA903 Header and Episodes CSVs",
    )  # fmt: skip
    parser.add_argument(
        "--year", required=True, type=int, metavar="YYYY",
        help="the reporting year ending 31 March YYYY",
    )  # fmt: skip
    parser.add_argument("--imd", type=int, choices=[2019, 2025], default=2025)
    parser.add_argument("--deciles", choices=["national", "local"], default="national")
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.add_argument(
        "--map", dest="column_map", action="append", type=column_choice, default=[],
        metavar="FIELD=COLUMN", help="which column of a case-system extract holds a field",
    )  # fmt: skip
    add_population_arguments(parser)
    parser.set_defaults(handler=run)


def tables(cascade: Cascade) -> dict[str, pd.DataFrame]:
    """The cascade's tables with short column names, as printed and as the app shows them."""
    parts = {
        "stages": (cascade.by_quintile, STAGE_COLUMNS),
        "totals": (cascade.totals, STAGE_COLUMNS),
        "conversions": (cascade.conversions, CONVERSION_COLUMNS),
        "gaps": (cascade.gaps, GAP_COLUMNS),
        "ethnicity": (cascade.ethnicity, ETHNIC_COLUMNS),
        "primary_need": (cascade.needs, CODE_COLUMNS),
        "category_of_abuse": (cascade.abuse, CODE_COLUMNS),
        "assessment_factors": (cascade.factors, CODE_COLUMNS),
    }
    out = {}
    for name, (frame, columns) in parts.items():
        present = [c for c in columns if c in frame.columns]
        out[name] = frame[present].rename(columns=columns).round(4).reset_index(drop=True)
    return out


def _plain(value: object) -> object:
    """JSON-safe scalars: NaN becomes null, numpy numbers plain numbers."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def run(args: argparse.Namespace) -> int:
    """Load the records, count the cascade and print it."""
    from csc_inequalities.results.cascade import MISSING_NOTES, run_cascade

    store, la_code, records = records_from(args)
    age_band, sex = population_from(args)
    try:
        cascade = run_cascade(
            records, store, la_code, args.imd, args.year, args.deciles,
            age_band=age_band, sex=sex,
        )  # fmt: skip
    except ValueError as error:
        raise UserError(str(error)) from None
    if not cascade.stages:
        raise UserError(" ".join(note for note in cascade.notes if note in MISSING_NOTES))
    printed = tables(cascade)
    if args.format == "csv":
        for number, (name, frame) in enumerate(printed.items()):
            print(("\n" if number else "") + frame.assign(table=name).to_csv(index=False), end="")
    elif args.format == "json":
        print(json.dumps(json_output(cascade, printed), indent=2))
    else:
        title = f"Decision cascade, {cascade.period}{cascade.who.suffix()} - {cascade.la_name}"
        print(title)
        for name, frame in printed.items():
            print(f"\n{name.replace('_', ' ').capitalize()}")
            print(frame.to_string(index=False))
        print()
        for sentence in (cascade.sentences | cascade.ethnicity_sentences).values():
            print(sentence)
        print()
        for note in cascade.notes:
            print(note)
    return 0


def json_output(cascade: Cascade, printed: dict[str, pd.DataFrame]) -> dict:
    """Everything the text output shows, as one JSON document."""
    return {
        "la_code": cascade.la_code,
        "la_name": cascade.la_name,
        "year_ending": f"{cascade.year}-03-31",
        "imd": cascade.imd_year,
        "deciles": cascade.deciles,
        "who": cascade.who.people(),
        "tables": {
            name: [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
            for name, frame in printed.items()
        },
        "sentences": cascade.sentences | cascade.ethnicity_sentences,
        "notes": list(cascade.notes),
    }
