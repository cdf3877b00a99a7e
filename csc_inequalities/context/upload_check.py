"""An upload's counts at 31 March beside what the authority itself returned to DfE that year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.context.dfe_values import published_count, status_label
from csc_inequalities.context.official_measures import OFFICIAL_MEASURES, OfficialMeasure
from csc_inequalities.context.official_rates import official_rates
from csc_inequalities.reference.store import geography_for
from csc_inequalities.results.measures import (
    Measure,
    available_years,
    counted_spells,
    counts_on_geography,
    year_ending,
)

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store

COVERAGE_LOW = 0.8
COVERAGE_HIGH = 1.2
LARGE_GAP = "large gap"


@dataclass(frozen=True)
class UploadCheck:
    """The comparison table, the known reasons for differences, and advice in plain words."""

    table: pd.DataFrame
    reasons: pd.DataFrame
    advice: tuple[str, ...]


def upload_against_return(
    records: LoadResult, store: Store, la_code: str, year: int | None = None, imd_year: int = 2025
) -> UploadCheck:
    """Counts in the upload set beside DfE's published counts for the same authority and year."""
    authority_lsoas = store.authority_lsoa_codes(imd_year, la_code)
    source = records.counts if records.is_aggregate else records.spells
    present = set(source["intervention"].dropna().unique())
    rows = []
    for measure in OFFICIAL_MEASURES.values():
        if measure.intervention not in present:
            continue
        published = _published_counts(store, measure, la_code)
        if records.is_aggregate:
            row = _aggregate_row(
                counts_on_geography(records.counts, geography_for(imd_year), store.lsoa_lookup),
                measure,
                published,
                authority_lsoas,
                year,
            )
        else:
            row = _spells_row(records.spells, measure, published, authority_lsoas, year, imd_year)
        if row is not None:
            rows.append(row)
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    table["coverage"] = table["uploaded"] / table["published"]
    table["placed_coverage"] = table["placed_in_authority"] / table["published"]
    outside = ~table["placed_coverage"].between(COVERAGE_LOW, COVERAGE_HIGH)
    table["gap"] = np.where(outside & table["published"].notna(), LARGE_GAP, "")
    return UploadCheck(table, records.reason_counts(), _advice(table, records.is_aggregate))


_TABLE_COLUMNS = [
    "measure",
    "label",
    "year",
    "uploaded",
    "without_lsoa",
    "outside_authority",
    "placed_in_authority",
    "published",
    "published_status",
]


def _published_counts(store: Store, measure: OfficialMeasure, la_code: str) -> pd.DataFrame:
    """The authority's published counts by year, with DfE's status symbols."""
    rates = official_rates(store, measure.key)
    mine = rates[(rates["level"] == "authority") & (rates["area_code"] == la_code)]
    return mine.set_index("year")[["count", "count_status"]]


def _chosen_year(candidates: list[int], published: pd.DataFrame, year: int | None) -> int | None:
    """The requested year, else the latest year both the upload and DfE's release cover."""
    if year is not None:
        return year
    shared = [y for y in candidates if y in published.index]
    return max(shared) if shared else None


def _spells_row(
    spells: pd.DataFrame,
    measure: OfficialMeasure,
    published: pd.DataFrame,
    authority_lsoas: frozenset[str],
    year: int | None,
    imd_year: int,
) -> dict | None:
    """One comparison row from child-level spells (None when the upload lacks the intervention)."""
    mine = spells[spells["intervention"] == measure.intervention]
    if mine.empty:
        return None
    chosen = _chosen_year(available_years(mine), published, year)
    if chosen is None:
        return None
    counted = counted_spells(
        mine, Measure(measure.intervention, measure.count_kind, year_ending(chosen))
    )
    if measure.counts_each_child_once:
        counted = counted.drop_duplicates("child_id")
    column = f"lsoa{geography_for(imd_year) % 100}_code"
    located = counted[column].dropna()
    inside = int(located.isin(authority_lsoas).sum())
    return _row(
        measure, chosen, len(counted), len(counted) - len(located), len(located) - inside, published
    )


def _aggregate_row(
    counts: pd.DataFrame,
    measure: OfficialMeasure,
    published: pd.DataFrame,
    authority_lsoas: frozenset[str],
    year: int | None,
) -> dict | None:
    """One row from counts per LSOA, which carry no date: compared at 31 March of the year."""
    if measure.count_kind != "at_date":
        return None
    mine = counts[counts["intervention"] == measure.intervention]
    chosen = _chosen_year(list(published.index), published, year)
    if mine.empty or chosen is None:
        return None
    total = float(mine["count"].sum())
    outside = float(mine.loc[~mine["lsoa_code"].isin(authority_lsoas), "count"].sum())
    return _row(measure, chosen, total, 0, outside, published)


def _row(measure, year, uploaded, without_lsoa, outside, published) -> dict:
    """A table row with the published figure (or the reason DfE gave none)."""
    if year in published.index:
        count, status = published.loc[year, "count"], published.loc[year, "count_status"]
    else:
        count, status = np.nan, "not_published"
    return {
        "measure": measure.key,
        "label": measure.label,
        "year": year,
        "uploaded": uploaded,
        "without_lsoa": without_lsoa,
        "outside_authority": outside,
        "placed_in_authority": uploaded - without_lsoa - outside,
        "published": count,
        "published_status": status,
    }


def _advice(table: pd.DataFrame, aggregate: bool) -> tuple[str, ...]:
    """Plain advice for each large gap, and for figures DfE did not publish."""
    advice = []
    if aggregate:
        advice.append(
            "Counts per neighbourhood carry no date, so they are compared with DfE's figure at "
            "31 March of the latest year it published; check that this is the date they describe."
        )
    for row in table.itertuples(index=False):
        if row.published_status:
            reason = (
                "DfE has not published this year yet"
                if row.published_status == "not_published"
                else status_label(row.published_status)
            )
            advice.append(f"{row.label}, {row.year}: no published figure to compare ({reason}).")
            continue
        if row.gap != LARGE_GAP:
            continue
        share = f"{row.placed_coverage:.0%}"
        if row.placed_coverage < COVERAGE_LOW:
            advice.append(
                f"{row.label}, {row.year}: the records placed in the authority are {share} of the "
                f"{row.published:,.0f} the authority returned to DfE. The extract may be partial, "
                "or records were dropped or could not be placed (see the reasons below): read "
                "the gradient with care."
            )
        else:
            advice.append(
                f"{row.label}, {row.year}: the records placed in the authority are {share} of the "
                f"{row.published:,.0f} the authority returned to DfE. The upload may hold records "
                "the return leaves out (another period, duplicate episodes, short breaks or "
                "referrals closed with no further action): read the gradient with care."
            )
    return tuple(advice)


def check_table_for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The upload check with readable headings and the published figure or its reason."""
    return pd.DataFrame(
        {
            "Measure": table["label"],
            "Year ending 31 March": table["year"].astype(str),
            "In your records": table["uploaded"].round(0).astype(int),
            "Without an LSOA": table["without_lsoa"].round(0).astype(int),
            "Outside the authority": table["outside_authority"].round(0).astype(int),
            "Placed in the authority": table["placed_in_authority"].round(0).astype(int),
            "Published by DfE": [
                published_count(count, status)
                for count, status in zip(table["published"], table["published_status"], strict=True)
            ],
            "Coverage": [
                f"{value:.0%}" if pd.notna(value) else "-" for value in table["placed_coverage"]
            ],
            "Large gap": table["gap"].eq(LARGE_GAP),
        }
    )
