"""Which district, upper-tier (children's services) authority and region each LSOA belongs to."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.build.checks import (
    WARD_PATTERN,
    BuildCheckError,
    check_codes,
    check_no_missing,
    check_unique,
)

GEOGRAPHY_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "lad_code",
    "lad_name",
    "la_code",
    "la_name",
    "region_code",
    "region_name",
]

# April 2019 reorganisations, which predate every lookup in the store (Structural Changes
# Orders 2018): Bournemouth and Poole unitaries and Dorset County (with Christchurch district)
# became Bournemouth, Christchurch and Poole and the new Dorset unitary. The 2020-2023 changes
# (Buckinghamshire, Northamptonshire, Cumbria, North Yorkshire, Somerset) are derived from the
# ONS LSOA (2011) to UTLA (2019) lookup instead.
REORGANISED_IN_2019 = {
    "E06000058": ("E06000028", "E06000029"),
    "E06000059": ("E10000009",),
}


def upper_tier_districts(ltla_utla: pd.DataFrame, ltla_region: pd.DataFrame) -> pd.DataFrame:
    """English districts (April 2023) with their upper-tier authority and region."""
    districts = ltla_utla[ltla_utla["ltla23_code"].str.startswith("E")].rename(
        columns={
            "ltla23_code": "lad_code",
            "ltla23_name": "lad_name",
            "utla23_code": "la_code",
            "utla23_name": "la_name",
        }
    )
    regions = ltla_region.rename(
        columns={
            "ltla24_code": "lad_code",
            "region24_code": "region_code",
            "region24_name": "region_name",
        }
    )[["lad_code", "region_code", "region_name"]]
    merged = districts.merge(regions, on="lad_code", how="left", validate="one_to_one")
    _require_complete(
        merged, "region_code", "district", "lad_code", "the LAD 2024 to region lookup"
    )
    return merged[["lad_code", "lad_name", "la_code", "la_name", "region_code", "region_name"]]


def lsoa21_geography(lsoa_ltla24: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """2021 LSOAs with their LAD 2024 (codes equal LAD 2023 in England) and authority."""
    lsoas = lsoa_ltla24[lsoa_ltla24["lsoa21_code"].str.startswith("E01")].rename(
        columns={"lsoa21_code": "lsoa_code", "lsoa21_name": "lsoa_name", "ltla24_code": "lad_code"}
    )[["lsoa_code", "lsoa_name", "lad_code"]]
    merged = lsoas.merge(districts, on="lad_code", how="left", validate="many_to_one")
    _require_complete(merged, "la_code", "2021 LSOA", "lsoa_code", "the LAD 2023 to UTLA lookup")
    return merged[GEOGRAPHY_COLUMNS]


def lsoa21_wards(lsoa_ward_ltla24: pd.DataFrame) -> pd.DataFrame:
    """Each English 2021 LSOA's electoral ward (May 2024, ONS best fit), for ward localities."""
    wards = lsoa_ward_ltla24[lsoa_ward_ltla24["lsoa21_code"].str.startswith("E01")].rename(
        columns={"lsoa21_code": "lsoa_code", "ward24_code": "ward_code", "ward24_name": "ward_name"}
    )[["lsoa_code", "ward_code", "ward_name"]]
    check_unique(wards, "lsoa_code", "wards_2021")
    check_codes(wards, "ward_code", WARD_PATTERN, "wards_2021")
    check_no_missing(wards, ["ward_name"], "wards_2021")
    return wards.sort_values("lsoa_code", ignore_index=True)


def lsoa11_geography(
    lsoa_ltla21: pd.DataFrame, ltla22_ltla23: pd.DataFrame, districts: pd.DataFrame
) -> pd.DataFrame:
    """2011 LSOAs with their current district and authority (LAD 2021 codes equal LAD 2022)."""
    lsoas = lsoa_ltla21[lsoa_ltla21["lsoa11_code"].str.startswith("E01")].rename(
        columns={"lsoa11_code": "lsoa_code", "lsoa11_name": "lsoa_name", "ltla21_code": "lad22"}
    )[["lsoa_code", "lsoa_name", "lad22"]]
    step = ltla22_ltla23.rename(columns={"ltla22_code": "lad22", "ltla23_code": "lad_code"})
    lsoas = lsoas.merge(step[["lad22", "lad_code"]], on="lad22", how="left", validate="many_to_one")
    _require_complete(lsoas, "lad_code", "2011 LSOA", "lsoa_code", "the LAD 2022 to 2023 lookup")
    merged = lsoas.merge(districts, on="lad_code", how="left", validate="many_to_one")
    _require_complete(merged, "la_code", "2011 LSOA", "lsoa_code", "the LAD 2023 to UTLA lookup")
    return merged[GEOGRAPHY_COLUMNS]


def authorities_base(
    districts: pd.DataFrame,
    mye_children: pd.DataFrame,
    lsoa_utla19: pd.DataFrame,
    lsoa11: pd.DataFrame,
) -> pd.DataFrame:
    """One row per current upper-tier authority, with its DfE number and predecessor codes."""
    authorities = districts.groupby("la_code", as_index=False).agg(
        la_name=("la_name", "first"),
        region_code=("region_code", "first"),
        region_name=("region_name", "first"),
        regions=("region_code", "nunique"),
    )
    split = authorities.loc[authorities["regions"] > 1, "la_code"].tolist()
    if split:
        raise BuildCheckError(f"Authorities whose districts lie in several regions: {split}")
    authorities["dfe_la_number"] = authorities["la_code"].map(dfe_numbers(mye_children))
    _require_complete(
        authorities, "dfe_la_number", "authority", "la_code", "the DfE population file"
    )
    authorities["dfe_la_number"] = authorities["dfe_la_number"].astype(int)
    predecessors = predecessor_codes(lsoa_utla19, lsoa11, set(authorities["la_code"]))
    authorities["previous_codes"] = authorities["la_code"].map(predecessors).fillna("")
    return authorities.drop(columns="regions")


def dfe_numbers(mye_children: pd.DataFrame) -> pd.Series:
    """DfE's three-digit authority number for each GSS code, from the latest year it publishes."""
    rows = mye_children[mye_children["geographic_level"] == "Local authority"]
    latest = rows[rows["time_period"] == rows["time_period"].max()]
    return latest.drop_duplicates("new_la_code").set_index("new_la_code")["old_la_code"].astype(int)


def predecessor_codes(
    lsoa_utla19: pd.DataFrame, lsoa11: pd.DataFrame, current_codes: set[str]
) -> pd.Series:
    """';'-joined earlier authority codes covering each current authority's area."""
    pairs = (
        lsoa_utla19.rename(columns={"LSOA11CD": "lsoa_code", "UTLA19CD": "old"})
        .merge(lsoa11[["lsoa_code", "la_code"]], on="lsoa_code")[["la_code", "old"]]
        .drop_duplicates()
    )
    pairs = pairs[pairs["old"] != pairs["la_code"]]
    earlier = [
        pd.DataFrame({"la_code": successor, "old": list(old)})
        for successor, old in REORGANISED_IN_2019.items()
    ]
    pairs = pd.concat([pairs, *earlier], ignore_index=True)
    unknown = sorted(set(pairs["la_code"]) - current_codes)
    if unknown:
        raise BuildCheckError(
            f"Reorganisation successors that are not current authorities: {unknown}"
        )
    return pairs.sort_values("old").groupby("la_code")["old"].agg(";".join)


def _require_complete(frame: pd.DataFrame, column: str, what: str, key: str, lookup: str) -> None:
    """Name the first few rows a lookup failed to match instead of leaving silent gaps."""
    missing = frame.loc[frame[column].isna(), key]
    if len(missing):
        examples = ", ".join(missing.astype(str).head(5))
        raise BuildCheckError(
            f"{len(missing)} {what} code(s) are not matched in {lookup} (e.g. {examples})."
        )
