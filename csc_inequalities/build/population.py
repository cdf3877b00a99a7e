"""Children aged 0-17 by single year of age on 2011 LSOAs, carried to 2021 LSOAs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.build.checks import BuildCheckError, check_total_preserved

AGES = [f"age_{age}" for age in range(18)]
CENSUS_CHILD_BAND = "Aged 15 years and under"


def children_2011(population20: pd.DataFrame) -> pd.DataFrame:
    """Mid-2020 single-year estimates 0..17 for English 2011 LSOAs, plus all ages."""
    english = population20[population20["lsoa11_code"].str.startswith("E01")]
    out = pd.DataFrame({"lsoa_code": english["lsoa11_code"]})
    for age in range(18):
        out[f"age_{age}"] = english[str(age)].astype(float)
    out["children_0_17"] = out[AGES].sum(axis=1)
    out["total_population"] = english["total_population"].astype(float)
    return out.reset_index(drop=True)


def census_children_2021(census_age6: pd.DataFrame) -> pd.Series:
    """Census 2021 children aged 0-15 per 2021 LSOA (the apportioning weights' basis)."""
    rows = census_age6[census_age6["age_group"] == CENSUS_CHILD_BAND]
    if rows.empty:
        raise BuildCheckError(f"Census 2021 age file has no '{CENSUS_CHILD_BAND}' rows.")
    return rows.set_index("lsoa21_code")["usual_residents"].astype(float)


def exact_fit_weights(exact_fit: pd.DataFrame, census_children: pd.Series) -> pd.DataFrame:
    """Share of each 2011 LSOA's children in each 2021 part (U/M: 1; S/X: by Census 0-15)."""
    pairs = exact_fit[exact_fit["lsoa11_code"].str.startswith("E01")][
        ["lsoa11_code", "lsoa21_code", "change_code"]
    ].drop_duplicates(["lsoa11_code", "lsoa21_code"])
    missing = sorted(set(pairs["lsoa21_code"]) - set(census_children.index))
    if missing:
        raise BuildCheckError(f"2021 LSOAs without Census 2021 children: {missing[:5]}")
    pairs["census_children"] = pairs["lsoa21_code"].map(census_children)
    group = pairs.groupby("lsoa11_code")
    total = group["census_children"].transform("sum")
    parts = group["lsoa21_code"].transform("size")
    pairs["weight_11_to_21"] = np.where(
        total > 0, pairs["census_children"] / total.where(total > 0, 1.0), 1.0 / parts
    )
    return pairs.drop(columns="census_children").reset_index(drop=True)


def children_2021(children11: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Children by single year on 2021 LSOAs: each year of age apportioned by the weights."""
    missing = sorted(set(children11["lsoa_code"]) - set(weights["lsoa11_code"]))
    if missing:
        raise BuildCheckError(f"2011 LSOAs absent from the exact-fit lookup: {missing[:5]}")
    joined = weights.merge(
        children11[["lsoa_code", *AGES]], left_on="lsoa11_code", right_on="lsoa_code"
    )
    shares = joined[AGES].mul(joined["weight_11_to_21"], axis=0)
    shares["lsoa_code"] = joined["lsoa21_code"]
    out = shares.groupby("lsoa_code", as_index=False)[AGES].sum()
    out["children_0_17"] = out[AGES].sum(axis=1)
    check_total_preserved(
        children11["children_0_17"].sum(), out["children_0_17"].sum(), "Children 0-17, 2011 to 2021"
    )
    return out


def lsoa_lookup(
    weights: pd.DataFrame, children11: pd.DataFrame, children21: pd.DataFrame
) -> pd.DataFrame:
    """The exact-fit lookup with both directions' children shares."""
    out = weights.merge(
        children11[["lsoa_code", "children_0_17"]].rename(
            columns={"lsoa_code": "lsoa11_code", "children_0_17": "children11"}
        ),
        on="lsoa11_code",
    ).merge(
        children21[["lsoa_code", "children_0_17"]].rename(
            columns={"lsoa_code": "lsoa21_code", "children_0_17": "children21"}
        ),
        on="lsoa21_code",
    )
    received = out["weight_11_to_21"] * out["children11"]
    parts = out.groupby("lsoa21_code")["lsoa11_code"].transform("size")
    out["weight_21_to_11"] = np.where(
        out["children21"] > 0,
        received / out["children21"].where(out["children21"] > 0, 1.0),
        1.0 / parts,
    )
    return out[
        ["lsoa11_code", "lsoa21_code", "change_code", "weight_11_to_21", "weight_21_to_11"]
    ].sort_values(["lsoa11_code", "lsoa21_code"], ignore_index=True)
