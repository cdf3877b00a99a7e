"""`csc-inequalities context`: the authority's official trend beside its comparators, and its
deprivation-adjusted rate, as text, CSV or JSON."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import reference_store, resolve_authority
from csc_inequalities.context.adjusted import (
    PREDICTOR_LABELS,
    AdjustedComparison,
    adjusted_comparison,
    adjusted_sentence,
    method_paragraph,
    rank_sentence,
)
from csc_inequalities.context.dfe_values import comparator_rates, format_rate
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_measures import OFFICIAL_MEASURES, official_measure
from csc_inequalities.context.official_rates import trend_table

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

OUTPUT_COLUMNS = {
    "year": "year",
    "authority_rate": "authority",
    "authority_status": "authority_status",
    "england_rate": "england",
    "region_rate": "region",
    "neighbours_average": "neighbours_average",
    "neighbours_with_rate": "neighbours_with_rate",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the context sub-command."""
    parser = subparsers.add_parser(
        "context",
        help="an authority's official DfE rates against England, region and neighbours",
        description=(
            "Print the authority's DfE rates per 10,000 children by year beside England, its "
            "region and its statistical neighbours' average, and its rate relative to what "
            "its deprivation predicts."
        ),
    )
    parser.add_argument("--la", required=True, help="authority GSS code (e.g. E06000009) or name")
    parser.add_argument("--measure", required=True, choices=sorted(OFFICIAL_MEASURES))
    parser.add_argument("--format", choices=["text", "csv", "json"], default="text")
    parser.add_argument(
        "--predictor", choices=sorted(PREDICTOR_LABELS), default="most_deprived_quintile"
    )
    parser.add_argument("--imd-year", type=int, choices=[2019, 2025], default=2025)
    parser.add_argument(
        "--weighted", action="store_true", help="weight the fit by each authority's children"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the tables for one authority and measure."""

    store = reference_store()
    la_code = resolve_authority(store.authorities, args.la)
    try:
        trend = trend_table(store, la_code, args.measure)
        comparison = adjusted_comparison(
            store, la_code, args.measure, args.predictor, args.imd_year, args.weighted
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.format == "csv":
        print(trend_output(trend, comparison).to_csv(index=False), end="")
    elif args.format == "json":
        print(json.dumps(context_json(store, trend, comparison), indent=2))
    else:
        print(context_text(store, trend, comparison))
    return 0


def trend_output(trend: pd.DataFrame, comparison: AdjustedComparison) -> pd.DataFrame:
    """The trend table with the adjusted figure on the row of the year it was computed for."""
    table = trend[list(OUTPUT_COLUMNS)].rename(columns=OUTPUT_COLUMNS)
    latest = table["year"] == comparison.year
    table["typical_for_deprivation"] = pd.Series(comparison.predicted, index=table.index).where(
        latest
    )
    table["ratio_to_typical"] = pd.Series(comparison.ratio, index=table.index).where(latest)
    return table.round(
        {
            "authority": 2,
            "england": 2,
            "region": 2,
            "neighbours_average": 2,
            "typical_for_deprivation": 2,
            "ratio_to_typical": 4,
        }
    )


def context_json(store: Store, trend: pd.DataFrame, comparison: AdjustedComparison) -> dict:
    """Everything the command prints, as one JSON-ready dictionary (missing values as null)."""
    authority = store.authorities.set_index("la_code").loc[comparison.la_code]
    measure = official_measure(comparison.measure_key)
    return _clean(
        {
            "la_code": comparison.la_code,
            "la_name": comparison.la_name,
            "region": authority["region_name"],
            "measure": measure.key,
            "measure_label": measure.label,
            "rate_source": measure.rate_source,
            "trend": trend_output(trend, comparison).to_dict(orient="records"),
            "neighbours": statistical_neighbours(store, comparison.la_code).to_dict(
                orient="records"
            ),
            "adjusted": {
                "year": comparison.year,
                "predictor": comparison.predictor,
                "imd_year": comparison.imd_year,
                "weighted": comparison.fit.weighted,
                "observed_rate": comparison.observed,
                "observed_status": comparison.observed_status,
                "typical_for_deprivation": comparison.predicted,
                "ratio_to_typical": comparison.ratio,
                "intercept": comparison.fit.intercept,
                "slope": comparison.fit.slope,
                "authorities_in_fit": int(comparison.points["in_fit"].sum()),
                "sentence": adjusted_sentence(comparison),
                "rank": rank_sentence(comparison),
                "method": method_paragraph(comparison),
            },
        }
    )


def _clean(value):
    """NaN to None and numpy scalars to Python ones, recursively, for json.dumps."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def context_text(store: Store, trend: pd.DataFrame, comparison: AdjustedComparison) -> str:
    """A readable report: the trend table, neighbours, and the adjusted comparison."""
    authority = store.authorities.set_index("la_code").loc[comparison.la_code]
    measure = official_measure(comparison.measure_key)
    shown = pd.DataFrame(
        {
            "Year": trend["year"].astype(str),
            comparison.la_name: comparator_rates(trend, "authority"),
            "England": comparator_rates(trend, "england"),
            authority["region_name"]: comparator_rates(trend, "region"),
            "Neighbours' average (n)": [
                f"{rate:,.1f} ({n})" if n else format_rate(rate, "x")
                for rate, n in zip(
                    trend["neighbours_average"], trend["neighbours_with_rate"], strict=True
                )
            ],
        }
    )
    neighbours = statistical_neighbours(store, comparison.la_code)
    lines = [
        f"{measure.label}, rate per 10,000 children aged 0-17: "
        f"{comparison.la_name} ({comparison.la_code})",
        "",
        shown.to_string(index=False),
        "",
        measure.rate_source,
        "Neighbours' average: simple mean of the statistical neighbours with a published rate.",
        "",
        "Statistical neighbours (DfE 2025 model), nearest first:",
        *[
            f"  {row.rank:>2}. {row.la_name} ({row.la_code}): {row.closeness}"
            for row in neighbours.itertuples(index=False)
        ],
        "",
        f"Deprivation-adjusted comparison ({comparison.year}):",
        f"  observed rate {format_rate(comparison.observed, comparison.observed_status)}; "
        f"typical for its deprivation {comparison.predicted:,.1f}; "
        f"ratio {comparison.ratio:.2f}",
        f"  {adjusted_sentence(comparison)}",
        f"  {rank_sentence(comparison)}",
        "",
        method_paragraph(comparison),
    ]
    return "\n".join(lines)
