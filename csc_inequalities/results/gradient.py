"""The gradient table: counts, children and rates with intervals for every deprivation group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.results.deprivation import group_count, labels_for_size
from csc_inequalities.stats.rates import interval_method, rate_interval, rate_per_10000

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

GRADIENT_COLUMNS = [
    "group",
    "group_label",
    "lsoas",
    "children",
    "count",
    "rate_per_10000",
    "lower_95ci",
    "upper_95ci",
    "ci_method",
]
CWIP_LABEL = "England 2015 (CWIP sample of 18 LAs, IMD 2015)"
CWIP_NOTE = (
    "Child Welfare Inequalities Project (Bywaters et al. 2020): rates at 31 March 2015 in a "
    "sample of 18 English local authorities (about 13% of children), by IMD 2015 national "
    "decile. Only child protection plans and children looked after were published."
)
_CWIP_COLUMNS = {"CPP": "cpp_rate_per_10000", "CLA": "cla_rate_per_10000"}


@dataclass(frozen=True)
class OverallRate:
    """The authority's rate across all its LSOAs."""

    count: float
    children: float
    rate_per_10000: float
    lower_95ci: float
    upper_95ci: float


def rate_columns(count, children, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Rates, limits and interval method for counts among children, as a table's columns."""
    count, children = np.asarray(count, dtype=float), np.asarray(children, dtype=float)
    lower, upper = rate_interval(count, children, confidence)
    return {
        "rate_per_10000": rate_per_10000(count, children),
        "lower_95ci": lower,
        "upper_95ci": upper,
        "ci_method": interval_method(count, children),
    }


def with_rates(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """A table with count and children columns given rates, limits and interval method."""
    return table.assign(**rate_columns(table["count"], table["children"], confidence))


def counts_per_lsoa(counts_by_lsoa: pd.DataFrame, lsoa_codes: pd.Series) -> np.ndarray:
    """Counted children per LSOA in the order of ``lsoa_codes`` (0 where none)."""
    position = pd.Index(lsoa_codes).get_indexer(counts_by_lsoa["lsoa_code"])
    inside = position >= 0
    return np.bincount(
        position[inside],
        weights=counts_by_lsoa["count"].to_numpy(dtype=float)[inside],
        minlength=len(lsoa_codes),
    )


def gradient_table(
    counts_by_lsoa: pd.DataFrame,
    lsoas: pd.DataFrame,
    groups: pd.Series,
    n_groups: int | None = None,
) -> pd.DataFrame:
    """Rate per 10,000 children with 95% interval for every group 1..n (empty groups kept).

    Counts in LSOAs that are not in ``lsoas`` (outside the authority, or unknown) are left out.
    """
    size = n_groups or group_count(str(groups.name))
    group = groups.to_numpy(dtype=int)
    count = counts_per_lsoa(counts_by_lsoa, lsoas["lsoa_code"])
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    summed_children = np.bincount(group, weights=children, minlength=size + 1)[1:]
    summed_count = np.bincount(group, weights=count, minlength=size + 1)[1:]
    return pd.DataFrame(
        {
            "group": np.arange(1, size + 1),
            "group_label": labels_for_size(size),
            "lsoas": np.bincount(group, minlength=size + 1)[1:],
            "children": summed_children,
            "count": summed_count,
            **rate_columns(summed_count, summed_children),
        }
    )


def overall_rate(table: pd.DataFrame) -> OverallRate:
    """The authority's rate from the sum of a gradient table's groups."""
    count, children = float(table["count"].sum()), float(table["children"].sum())
    lower, upper = rate_interval(count, children)
    return OverallRate(
        count, children, float(rate_per_10000(count, children)[0]), float(lower[0]), float(upper[0])
    )


def cwip_overlay(store: Store, intervention: str) -> pd.DataFrame | None:
    """England's 2015 CWIP gradient by decile for CPP or CLA; None for CIN (never published)."""
    column = _CWIP_COLUMNS.get(intervention)
    if column is None:
        return None
    cwip = store.cwip
    england = cwip[cwip["country"] == "England"].sort_values("decile")
    return pd.DataFrame(
        {
            "decile": england["decile"].astype(int).to_numpy(),
            "rate_per_10000": england[column].astype(float).to_numpy(),
        }
    )
