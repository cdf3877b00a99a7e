"""The gradient and the SII for every reporting year the records cover."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from csc_inequalities.gradient import gradient_table, overall_rate
from csc_inequalities.inequality import slope_index_of_table
from csc_inequalities.measures import Measure, count_by_lsoa, year_ending

SII_COLUMNS = [
    "year",
    "reference_date",
    "count",
    "children",
    "rate_per_10000",
    "sii",
    "sii_lower",
    "sii_upper",
    "rii",
    "rii_lower",
    "rii_upper",
]


@dataclass(frozen=True)
class Trend:
    """Quintile gradient per year (long table) and one SII row per year."""

    gradient: pd.DataFrame
    sii: pd.DataFrame


def measure_for_year(measure: Measure, year: int) -> Measure:
    """The same measure at 31 March of another reporting year."""
    return replace(measure, reference_date=year_ending(year))


def trend(
    records: Any,
    measure: Measure,
    years: list[int],
    lsoas: pd.DataFrame,
    deciles: pd.Series,
    quintiles: pd.Series,
    geography: int,
    lookup: pd.DataFrame | None = None,
) -> Trend:
    """Quintile gradient and decile SII for each year, with the same denominators throughout."""
    gradients, rows = [], []
    for year in years:
        year_measure = measure_for_year(measure, year)
        counts = count_by_lsoa(records, year_measure, geography, lookup)
        by_quintile = gradient_table(counts, lsoas, quintiles)
        gradients.append(by_quintile.assign(year=year, reference_date=year_measure.reference_date))
        slope = slope_index_of_table(gradient_table(counts, lsoas, deciles))
        overall = overall_rate(by_quintile)
        rows.append(
            {
                "year": year,
                "reference_date": year_measure.reference_date,
                "count": overall.count,
                "children": overall.children,
                "rate_per_10000": overall.rate_per_10000,
                "sii": slope.sii,
                "sii_lower": slope.sii_lower,
                "sii_upper": slope.sii_upper,
                "rii": slope.rii,
                "rii_lower": slope.rii_lower,
                "rii_upper": slope.rii_upper,
            }
        )
    gradient = pd.concat(gradients, ignore_index=True) if gradients else pd.DataFrame()
    sii = pd.DataFrame(rows, columns=SII_COLUMNS)
    return Trend(gradient=gradient, sii=sii.astype({c: float for c in SII_COLUMNS[5:]}))
