"""Rates by major ethnic group, and by group within national deprivation quintiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.results.deprivation import group_labels
from csc_inequalities.results.gradient import rate_columns, with_rates
from csc_inequalities.stats.inequality import rate_ratio

MAJOR_GROUPS = ["White", "Mixed", "Asian", "Black", "Other"]
NOT_KNOWN = "Not known"
# The rows of the ethnicity table: the major groups, then Not known.
TABLE_GROUPS = [*MAJOR_GROUPS, NOT_KNOWN]
GROUP_NAMES = {
    "White": "White",
    "Mixed": "Mixed or Multiple",
    "Asian": "Asian or Asian British",
    "Black": "Black, African, Caribbean or Black British",
    "Other": "Other ethnic group",
    NOT_KNOWN: "Not known (refused or not obtained)",
}
SHARE_COLUMNS = {group: f"eth_{group.lower()}" for group in MAJOR_GROUPS}

METHOD = (
    "Denominators by ethnic group: Census 2021 children aged 0-15 in each major group living "
    "in the authority, scaled so the groups add up to the authority's children aged 0-17 in "
    "the population estimates used for every other rate (the Census gives ethnic group by age "
    "only for 0-15 at this geography, so each group is assumed to have the same share of "
    "16-17 year olds as of 0-15 year olds). DfE places Chinese (CHNE) under Other, the Census "
    "under Asian, so records coded CHNE are counted as Asian here. Children whose ethnicity "
    "was refused or not obtained are shown as counts only: they have no denominator."
)
DEPRIVATION_METHOD = (
    "Rates by ethnic group within national deprivation quintiles are approximate: each "
    "neighbourhood's children aged 0-17 are split by its Census 2021 all-ages ethnic shares, "
    "then rescaled so each group adds up to the authority's total for that group. Children's "
    "ethnic mix differs from adults', so treat these denominators as estimates."
)


def ethnic_denominators(
    ethnicity_children: pd.DataFrame, la_code: str, children_0_17: float
) -> pd.Series:
    """Estimated children aged 0-17 per major group in the authority (see METHOD)."""
    rows = ethnicity_children[ethnicity_children["la_code"] == la_code]
    by_group = rows.groupby("ethnic_group")["children_0_15"].sum().reindex(MAJOR_GROUPS)
    by_group = by_group.fillna(0.0)
    total = by_group.sum()
    if total <= 0:
        return by_group * 0.0
    return by_group / total * children_0_17


def _counts_by_group(counts_by_lsoa: pd.DataFrame) -> np.ndarray:
    """Counted children per ethnic group in TABLE_GROUPS order (other codes are left out)."""
    position = pd.Index(TABLE_GROUPS).get_indexer(counts_by_lsoa["ethnic_group"])
    known = position >= 0
    weights = counts_by_lsoa["count"].to_numpy(dtype=float)[known]
    counted = np.bincount(position[known], weights=weights, minlength=len(TABLE_GROUPS))
    return counted.astype(float)  # bincount of nothing is integer


def ethnicity_table(counts_by_lsoa: pd.DataFrame, denominators: pd.Series) -> pd.DataFrame:
    """Rate per 10,000 for each major group with interval and ratio to White."""
    count = _counts_by_group(counts_by_lsoa)
    children = np.nan_to_num(denominators.reindex(TABLE_GROUPS).to_numpy(dtype=float))
    rates = rate_columns(count, children)
    # Children whose ethnicity is not known have no denominator: a count, never a rate.
    children[-1] = np.nan
    rates["ci_method"][-1] = "no denominator"
    white = TABLE_GROUPS.index("White")
    ratios = [
        rate_ratio(count[i], children[i], count[white], children[white])
        for i in range(len(MAJOR_GROUPS))
    ]
    return pd.DataFrame(
        {
            "ethnic_group": TABLE_GROUPS,
            "group_name": [GROUP_NAMES[group] for group in TABLE_GROUPS],
            "children": children,
            "count": count,
            **rates,
            "ratio_to_white": _floats([r.ratio for r in ratios]),
            "ratio_lower": _floats([r.lower for r in ratios]),
            "ratio_upper": _floats([r.upper for r in ratios]),
        }
    )


def _floats(values: list[float | None]) -> np.ndarray:
    """One value per major group, then NaN for Not known; None (undefined) as NaN."""
    return np.array([np.nan if v is None else v for v in values] + [np.nan], dtype=float)


def lsoa_ethnic_children(lsoas: pd.DataFrame, denominators: pd.Series) -> pd.DataFrame:
    """Estimated children per LSOA and major group, rescaled to the authority's group totals."""
    shares = lsoas[[SHARE_COLUMNS[group] for group in MAJOR_GROUPS]].to_numpy(dtype=float)
    raw = shares * lsoas["children_0_17"].to_numpy(dtype=float)[:, None]
    column_totals = raw.sum(axis=0)
    targets = denominators.reindex(MAJOR_GROUPS).to_numpy(dtype=float)
    scale = [t / c if c > 0 else 0.0 for t, c in zip(targets, column_totals, strict=True)]
    return pd.DataFrame(raw * scale, index=lsoas["lsoa_code"].to_numpy(), columns=MAJOR_GROUPS)


def ethnicity_by_deprivation(
    counts_by_lsoa: pd.DataFrame,
    lsoas: pd.DataFrame,
    quintiles: pd.Series,
    denominators: pd.Series,
) -> pd.DataFrame:
    """Rate per 10,000 by major group within each national deprivation quintile (approximate)."""
    groups = len(MAJOR_GROUPS)
    quintile = quintiles.to_numpy(dtype=int)
    children = lsoa_ethnic_children(lsoas, denominators).to_numpy()
    cell_children = np.zeros((5, groups))
    np.add.at(cell_children, quintile - 1, children)
    lsoa_position = pd.Index(lsoas["lsoa_code"]).get_indexer(counts_by_lsoa["lsoa_code"])
    group_position = pd.Index(MAJOR_GROUPS).get_indexer(counts_by_lsoa["ethnic_group"])
    usable = (lsoa_position >= 0) & (group_position >= 0)
    cell = (quintile[lsoa_position[usable]] - 1) * groups + group_position[usable]
    cell_count = np.bincount(
        cell,
        weights=counts_by_lsoa["count"].to_numpy(dtype=float)[usable],
        minlength=5 * groups,
    )
    labels = group_labels("national_quintile")
    table = pd.DataFrame(
        {
            "quintile": np.repeat(np.arange(1, 6), groups),
            "quintile_label": np.repeat(labels, groups),
            "ethnic_group": MAJOR_GROUPS * 5,
            "group_name": [GROUP_NAMES[group] for group in MAJOR_GROUPS] * 5,
            "children": cell_children.ravel(),
            "count": cell_count,
        }
    )
    return with_rates(table)
