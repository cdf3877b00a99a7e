"""Census 2021 broad ethnic groups: all-ages shares per LSOA and children 0-15 per authority."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.build.checks import BuildCheckError, check_equal

GROUPS = ["White", "Mixed", "Asian", "Black", "Other"]
SHARE_COLUMNS = [f"eth_{group.lower()}" for group in GROUPS]
ENGLAND_CODE = "E92000001"
SEX_CODES = {"Female": "F", "Male": "M"}

_TS021_GROUPS = {
    "White": "White",
    "Mixed or Multiple ethnic groups": "Mixed",
    "Asian, Asian British or Asian Welsh": "Asian",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Other ethnic group": "Other",
}


def residents_by_group_2021(ts021: pd.DataFrame) -> pd.DataFrame:
    """Usual residents per English 2021 LSOA in each of the 5 groups (counts, wide)."""
    english = ts021[ts021["lsoa21_code"].str.startswith("E01")].copy()
    english["group"] = english["ethnic_group"].map(_TS021_GROUPS)
    unknown = english.loc[english["group"].isna(), "ethnic_group"].unique()
    if len(unknown):
        raise BuildCheckError(f"TS021: unknown ethnic groups {list(unknown)}")
    wide = english.pivot_table(
        index="lsoa21_code", columns="group", values="n", aggfunc="sum", fill_value=0
    )
    return wide[GROUPS].astype(float).rename_axis(index="lsoa_code", columns=None)


def shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Residents and group shares summing to 1, from counts per LSOA."""
    residents = counts[GROUPS].sum(axis=1)
    out = counts[GROUPS].div(residents, axis=0)
    out.columns = SHARE_COLUMNS
    out.insert(0, "residents_2021", residents)
    return out.reset_index()


def residents_by_group_2011(
    counts21: pd.DataFrame, exact_fit: pd.DataFrame, population11: pd.DataFrame
) -> pd.DataFrame:
    """2021 counts on 2011 LSOAs; a 2021 LSOA shared by several is split by mid-2020 residents."""
    pairs = exact_fit[exact_fit["lsoa11_code"].str.startswith("E01")][
        ["lsoa11_code", "lsoa21_code"]
    ].drop_duplicates()
    pairs = pairs.merge(
        population11[["lsoa_code", "total_population"]].rename(
            columns={"lsoa_code": "lsoa11_code"}
        ),
        on="lsoa11_code",
    )
    pairs["weight"] = pairs["total_population"] / pairs.groupby("lsoa21_code")[
        "total_population"
    ].transform("sum")
    joined = pairs.merge(counts21, left_on="lsoa21_code", right_index=True)
    allocated = joined[GROUPS].mul(joined["weight"], axis=0)
    allocated["lsoa_code"] = joined["lsoa11_code"]
    return allocated.groupby("lsoa_code")[GROUPS].sum()


def english_msoas(
    msoa_ethnicity: pd.DataFrame,
    msoa_lad22: pd.DataFrame,
    ltla22_ltla23: pd.DataFrame,
    ltla_utla: pd.DataFrame,
) -> pd.DataFrame:
    """The English MSOA rows, each with its current authority (through the LAD lookups)."""
    english = msoa_ethnicity[msoa_ethnicity["msoa"].str.startswith("E02")]
    lad22 = msoa_lad22.drop_duplicates("MSOA21CD").set_index("MSOA21CD")["LAD22CD"]
    lad23 = ltla22_ltla23.set_index("ltla22_code")["ltla23_code"]
    utla = ltla_utla.set_index("ltla23_code")["utla23_code"]
    la_code = english["msoa"].map(lad22).map(lad23).map(utla)
    if la_code.isna().any():
        example = english.loc[la_code.isna(), "msoa"].iloc[0]
        raise BuildCheckError(f"MSOA {example} has no authority through the LAD lookups.")
    return english.assign(la_code=la_code)


def children_by_sex_la(english: pd.DataFrame, england_expected: int) -> pd.DataFrame:
    """Census 2021 girls and boys aged 0-15 per current authority, plus England.

    The store's only count of children by sex: it gives each authority's split of girls and
    boys, which the age and sex filter applies to every neighbourhood and year of age.
    """
    sex = english["sex"].map(SEX_CODES)
    if sex.isna().any():
        raise BuildCheckError(f"MSOA file: unknown sex {english.loc[sex.isna(), 'sex'].iloc[0]}")
    rows = english.assign(sex=sex)
    by_la = rows.groupby(["la_code", "sex"], as_index=False)["0-15"].sum()
    england = rows.groupby("sex", as_index=False)["0-15"].sum().assign(la_code=ENGLAND_CODE)
    check_equal(int(england["0-15"].sum()), england_expected, "England children 0-15 by sex")
    out = pd.concat([by_la, england], ignore_index=True).rename(columns={"0-15": "children_0_15"})
    out["children_0_15"] = out["children_0_15"].astype(int)
    return out.sort_values(["la_code", "sex"], ignore_index=True)[
        ["la_code", "sex", "children_0_15"]
    ]


def children_by_group_la(english: pd.DataFrame, england_expected: int) -> pd.DataFrame:
    """Census 2021 children aged 0-15 by group per current authority, plus England."""
    unknown = sorted(set(english["Ethnicity"]) - set(GROUPS))
    if unknown:
        raise BuildCheckError(f"MSOA ethnicity file: unknown groups {unknown}")
    by_la = english.groupby(["la_code", "Ethnicity"], as_index=False)["0-15"].sum()
    england = (
        english.groupby("Ethnicity", as_index=False)["0-15"].sum().assign(la_code=ENGLAND_CODE)
    )
    check_equal(int(england["0-15"].sum()), england_expected, "England children 0-15, Census 2021")
    out = pd.concat([by_la, england], ignore_index=True).rename(
        columns={"Ethnicity": "ethnic_group", "0-15": "children_0_15"}
    )
    out["ethnic_group"] = pd.Categorical(out["ethnic_group"], categories=GROUPS)
    out = out.sort_values(["la_code", "ethnic_group"], ignore_index=True)
    out["ethnic_group"] = out["ethnic_group"].astype(str)
    out["children_0_15"] = out["children_0_15"].astype(int)
    return out[["la_code", "ethnic_group", "children_0_15"]]
