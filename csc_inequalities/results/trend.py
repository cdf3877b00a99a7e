"""The gradient and the SII for every reporting year the records cover.

All years are counted at once (a spells x years matrix), with the same counting rules as
``measures.counted_spells``: open on 31 March of each year (one per child, in the LSOA of
the latest open spell), or starting in each 1 April-31 March year (children starting care
counted once a year). Denominators are the store's and stay the same for every year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csc_inequalities.results.deprivation import labels_for_size
from csc_inequalities.results.gradient import GRADIENT_COLUMNS, rate_columns
from csc_inequalities.results.measures import Measure, year_ending
from csc_inequalities.stats.inequality import slope_index_of_table
from csc_inequalities.stats.rates import rate_per_10000

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


def _one_per_child(
    rows: np.ndarray, child: np.ndarray, start: np.ndarray, last: bool
) -> np.ndarray:
    """Keep, per child and year column, only the latest (or earliest) marked spell."""
    order = np.lexsort((start, child))
    if last:
        order = order[::-1]
    marked = rows[order].astype(np.int64)
    ordered_child = child[order]
    starts_child = np.ones(len(ordered_child), dtype=bool)
    starts_child[1:] = ordered_child[1:] != ordered_child[:-1]
    first = np.flatnonzero(starts_child)
    # Running count of marked spells within each child's rows: the cumulative sum, less
    # what it was before the child's first row.
    total = np.cumsum(marked, axis=0)
    before = total[first] - marked[first]
    running = total - np.repeat(before, np.diff(np.r_[first, len(marked)]), axis=0)
    kept = np.zeros_like(rows)
    kept[order] = rows[order] & (running == 1)
    return kept


def counted_matrix(spells: pd.DataFrame, measure: Measure, years: list[int]) -> np.ndarray:
    """Boolean spells x years: whether each spell is counted in each year's figure."""
    start = spells["start_date"].to_numpy(dtype="datetime64[ns]")
    child = pd.factorize(spells["child_id"])[0]
    ends = np.array([np.datetime64(year_ending(year), "ns") for year in years])
    if measure.count_kind == "at_date":
        end = spells["end_date"].to_numpy(dtype="datetime64[ns]")
        still_open = np.isnat(end)[:, None] | (end[:, None] > ends[None, :])
        counted = (start[:, None] <= ends[None, :]) & still_open
        counted = _one_per_child(counted, child, start, last=True)
    else:
        starts = pd.DatetimeIndex(start)
        year_of = starts.year + (starts.month >= 4)
        counted = year_of.to_numpy()[:, None] == np.array(years)[None, :]
        if measure.intervention == "CLA":
            counted = _one_per_child(counted, child, start, last=False)
    if measure.who.everyone:
        return counted
    # Age on each year's 31 March (children open then) or at the start (starts in the year).
    on = ends[None, :] if measure.count_kind == "at_date" else start[:, None]
    return counted & measure.who.keep(spells["sex"], spells["date_of_birth"], on)


def trend(
    spells: pd.DataFrame,
    measure: Measure,
    years: list[int],
    lsoas: pd.DataFrame,
    deciles: pd.Series,
    quintiles: pd.Series,
    geography: int,
) -> Trend:
    """Quintile gradient and decile SII for each year, from one intervention's countable spells."""
    if not years:
        return Trend(
            gradient=pd.DataFrame(columns=[*GRADIENT_COLUMNS, "year", "reference_date"]),
            sii=pd.DataFrame(columns=SII_COLUMNS),
        )
    column = "lsoa11_code" if geography == 2011 else "lsoa21_code"
    position = pd.Index(lsoas["lsoa_code"]).get_indexer(spells[column])
    located = spells[position >= 0]
    position = position[position >= 0]
    counted = counted_matrix(located, measure, years)
    rows, cols = np.nonzero(counted)
    per_lsoa = np.bincount(
        position[rows] * len(years) + cols, minlength=len(lsoas) * len(years)
    ).reshape(len(lsoas), len(years))
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    by_quintile = _group_sums(per_lsoa, quintiles.to_numpy(dtype=int), 5)
    by_decile = _group_sums(per_lsoa, deciles.to_numpy(dtype=int), 10)
    quintile_children = np.bincount(quintiles.to_numpy(dtype=int), children, minlength=6)[1:]
    decile_children = np.bincount(deciles.to_numpy(dtype=int), children, minlength=11)[1:]
    year_count = len(years)
    quintile_count = by_quintile.T.ravel().astype(float)
    quintile_children = np.tile(quintile_children, year_count)
    gradient = pd.DataFrame(
        {
            "group": np.tile(np.arange(1, 6), year_count),
            "group_label": labels_for_size(5) * year_count,
            "lsoas": np.tile(
                np.bincount(quintiles.to_numpy(dtype=int), minlength=6)[1:], year_count
            ),
            "children": quintile_children,
            "count": quintile_count,
            **rate_columns(quintile_count, quintile_children),
            "year": np.repeat(years, 5).astype(int),
            "reference_date": np.repeat([year_ending(year) for year in years], 5),
        }
    )
    decile_count = by_decile.T.ravel().astype(float)
    decile_children = np.tile(decile_children, year_count)
    decile_rates = {
        "count": decile_count,
        "children": decile_children,
        **rate_columns(decile_count, decile_children),
    }
    slopes = [
        slope_index_of_table({k: v[index * 10 : (index + 1) * 10] for k, v in decile_rates.items()})
        for index in range(year_count)
    ]
    totals = by_decile.sum(axis=0).astype(float)
    all_children = float(children.sum())
    sii = pd.DataFrame(
        {
            "year": years,
            "reference_date": [year_ending(year) for year in years],
            "count": totals,
            "children": all_children,
            "rate_per_10000": rate_per_10000(totals, np.full(year_count, all_children)),
            **{
                column: np.array([getattr(slope, column) for slope in slopes], dtype=float)
                for column in SII_COLUMNS[5:]
            },
        }
    )
    return Trend(gradient=gradient, sii=sii)


def _group_sums(per_lsoa: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    """Rows of an LSOA x year matrix summed into groups 1..size (groups x years)."""
    sums = np.zeros((size, per_lsoa.shape[1]))
    np.add.at(sums, groups - 1, per_lsoa)
    return sums
