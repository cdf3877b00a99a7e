"""Deprivation groups for an authority's LSOAs: national or local deciles and quintiles.

Group 1 is always the most deprived. National groups are the published deciles (quintiles
join pairs of deciles). Local groups re-rank the authority's own LSOAs by their national
rank and split them into equal numbers of LSOAs (as PHE's local deprivation quintiles and
deciles do), so each local decile holds a tenth of the authority's neighbourhoods,
whatever their population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCHEMES = ("national_decile", "national_quintile", "local_decile", "local_quintile")
DOMAIN_NAMES = {
    "imd": "Index of Multiple Deprivation",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "housing": "Barriers to Housing and Services",
    "environment": "Living Environment",
    "idaci": "Income Deprivation Affecting Children Index (IDACI)",
}
DOMAINS = tuple(DOMAIN_NAMES)

NATIONAL_EXPLANATION = (
    "National deciles compare each neighbourhood with all of England, so decile 1 holds "
    "the most deprived 10% of neighbourhoods in the country and some deciles may be empty "
    "in this authority."
)
LOCAL_EXPLANATION = (
    "Local deciles re-rank only this authority's neighbourhoods by their national rank and "
    "split them into ten equal-sized groups, so decile 1 holds the authority's own most "
    "deprived tenth."
)


def scheme_name(deciles: str, size: int) -> str:
    """The scheme for 'national'/'local' choice and group count (10 deciles or 5 quintiles)."""
    if deciles not in ("national", "local"):
        raise ValueError("deciles must be 'national' or 'local'")
    return f"{deciles}_{'decile' if size == 10 else 'quintile'}"


def group_count(scheme: str) -> int:
    """How many groups a scheme has."""
    return 10 if scheme.endswith("decile") else 5


def group_labels(scheme: str) -> list[str]:
    """Labels that always say which end is most deprived."""
    return labels_for_size(group_count(scheme))


def labels_for_size(size: int) -> list[str]:
    """Labels for groups 1..size: '1 most deprived', '2', ..., 'size least deprived'."""
    labels = [str(number) for number in range(1, size + 1)]
    labels[0] = "1 most deprived"
    labels[-1] = f"{size} least deprived"
    return labels


def group_word(scheme: str) -> str:
    """'decile' or 'quintile'."""
    return "decile" if scheme.endswith("decile") else "quintile"


def assign_groups(
    lsoas: pd.DataFrame, domain: str = "imd", scheme: str = "national_decile"
) -> pd.Series:
    """Group number per LSOA (1 = most deprived), indexed like ``lsoas``."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown deprivation domain {domain!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"unknown grouping scheme {scheme!r}")
    size = group_count(scheme)
    if scheme.startswith("national"):
        deciles = lsoas[f"{domain}_decile"].astype(int)
        groups = deciles if size == 10 else (deciles + 1) // 2
        return groups.rename(scheme)
    ranks = lsoas[f"{domain}_rank"].to_numpy(dtype=float)
    order = np.argsort(ranks, kind="stable")
    local_rank = np.empty(len(ranks), dtype=int)
    local_rank[order] = np.arange(len(ranks))
    groups = local_rank * size // max(len(ranks), 1) + 1
    return pd.Series(groups, index=lsoas.index, name=scheme)
