"""DfE's published counts and rates by authority, region and England, on current authority codes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.context.dfe_values import NOT_CREATED, split_dfe_cells
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_measures import (
    ENGLAND_CODE,
    POPULATION_TABLE,
    official_measure,
)

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

LEVELS = {"National": "england", "Regional": "region", "Local authority": "authority"}


def official_rates(store: Store, measure_key: str) -> pd.DataFrame:
    """Every area and year of one DfE series, so trends and comparisons share one source."""
    return _official_rates(store, official_measure(measure_key).key).copy()


@functools.lru_cache(maxsize=32)
def _official_rates(store: Store, measure_key: str) -> pd.DataFrame:
    """The parsed series, computed once per store and measure (the store is read-only)."""
    measure = official_measure(measure_key)
    raw = store.table(measure.table)
    if measure.population_type is not None:
        raw = raw[raw["population_type"] == measure.population_type]
    frame = _with_area_codes(raw, store.authorities)
    frame["count"], frame["count_status"] = split_dfe_cells(frame[measure.count_column])
    if measure.has_published_rate:
        frame["population"] = split_dfe_cells(frame["population_estimate"])[0]
        frame["rate_per_10000"], frame["rate_status"] = split_dfe_cells(frame["rate_per_10000"])
    else:
        frame = frame.merge(_populations(store), on=["area_code", "year"], how="left")
        frame["rate_per_10000"] = frame["count"] / frame["population"] * 10_000
        frame["rate_status"] = frame["count_status"].mask(
            (frame["count_status"] == "") & frame["population"].isna(), "x"
        )
    columns = [
        "year",
        "level",
        "area_code",
        "count",
        "count_status",
        "population",
        "rate_per_10000",
        "rate_status",
    ]
    return _add_years_before_creation(frame[columns], store.authorities)


def trend_table(store: Store, la_code: str, measure_key: str) -> pd.DataFrame:
    """One row per year: the authority, its region, England and its neighbours' average rate."""
    rates = official_rates(store, measure_key)
    authority = _authority_row(store, la_code)
    years = pd.Index(sorted(rates["year"].unique()), name="year")
    table = pd.DataFrame(index=years)
    for prefix, level, code in (
        ("authority", "authority", la_code),
        ("region", "region", authority["region_code"]),
        ("england", "england", ENGLAND_CODE),
    ):
        series = rates[(rates["level"] == level) & (rates["area_code"] == code)]
        series = series.set_index("year").reindex(years)
        if prefix == "authority":
            table["authority_count"] = series["count"]
        table[f"{prefix}_rate"] = series["rate_per_10000"]
        table[f"{prefix}_status"] = series["rate_status"].fillna("x")
    neighbours = statistical_neighbours(store, la_code)["la_code"]
    neighbour_rates = rates[(rates["level"] == "authority") & rates["area_code"].isin(neighbours)]
    by_year = neighbour_rates.groupby("year")["rate_per_10000"]
    table["neighbours_average"] = by_year.mean().reindex(years)
    table["neighbours_with_rate"] = by_year.count().reindex(years).fillna(0).astype(int)
    return table.reset_index()


def latest_authority_rates(store: Store, measure_key: str) -> pd.DataFrame:
    """Every current authority's rate in the latest year DfE published, for cross-sectional fits."""
    rates = official_rates(store, measure_key)
    latest = rates[(rates["level"] == "authority") & (rates["year"] == rates["year"].max())]
    return latest.reset_index(drop=True)


def _with_area_codes(raw: pd.DataFrame, authorities: pd.DataFrame) -> pd.DataFrame:
    """Key each row by current GSS code; predecessors whose DfE number is retired are dropped.

    DfE keeps an authority's three-digit number when only its GSS code changes (North Yorkshire
    815, Somerset 933, Buckinghamshire 825), so those series continue; a number retired by a
    merger or split (Cumbria, Northamptonshire, Dorset county, Bournemouth, Poole) has no
    current authority and its series is not carried over to the successors.
    """
    frame = raw.copy()
    frame["year"] = pd.to_numeric(frame["time_period"]).astype(int)
    frame["level"] = frame["geographic_level"].map(LEVELS)
    numbers = pd.to_numeric(frame["old_la_code"], errors="coerce")
    by_number = authorities.set_index(authorities["dfe_la_number"].astype(int))["la_code"]
    frame["area_code"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    frame.loc[frame["level"] == "england", "area_code"] = ENGLAND_CODE
    is_region = frame["level"] == "region"
    frame.loc[is_region, "area_code"] = frame.loc[is_region, "region_code"]
    is_authority = frame["level"] == "authority"
    frame.loc[is_authority, "area_code"] = numbers[is_authority].map(by_number)
    keep = frame["area_code"].notna() & ~(is_region & ~frame["area_code"].str.startswith("E12"))
    return frame[keep].reset_index(drop=True)


def _populations(store: Store) -> pd.DataFrame:
    """Children aged 0-17 at the June before each year ending 31 March, as DfE divides by."""
    raw = _with_area_codes(store.table(POPULATION_TABLE), store.authorities)
    raw["population"] = split_dfe_cells(raw["population_estimate"])[0]
    raw["year"] = raw["year"] + 1
    return raw[["area_code", "year", "population"]]


def _add_years_before_creation(frame: pd.DataFrame, authorities: pd.DataFrame) -> pd.DataFrame:
    """Years before an authority first appears are marked as such rather than silently absent."""
    years = sorted(frame["year"].unique())
    full = pd.MultiIndex.from_product([authorities["la_code"], years], names=["area_code", "year"])
    present = frame[frame["level"] == "authority"].set_index(["area_code", "year"]).index
    missing = full.difference(present).to_frame(index=False)
    if missing.empty:
        return frame
    missing["level"] = "authority"
    missing["count_status"] = NOT_CREATED
    missing["rate_status"] = NOT_CREATED
    combined = pd.concat([frame, missing], ignore_index=True)
    return combined.sort_values(["level", "area_code", "year"], ignore_index=True)


def _authority_row(store: Store, la_code: str) -> pd.Series:
    """The authorities-table row for a code, with a clear message when the code is unknown."""
    rows = store.authorities[store.authorities["la_code"] == la_code]
    if rows.empty:
        raise ValueError(f"'{la_code}' is not a current English children's services authority.")
    return rows.iloc[0]
