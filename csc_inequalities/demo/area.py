"""The chosen authority as the demo needs it: its LSOAs, postcodes, gradient and ethnic mix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from csc_inequalities.reference.store import ReferenceStore

ENGLAND = "England"
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
SHARE_COLUMNS = {group: f"eth_{group.lower()}" for group in GROUPS}
# CWIP measured CPP and CLA only; CIN is given the CPP shape.
GRADIENT_COLUMN = {
    "CIN": "cpp_rate_per_10000",
    "CPP": "cpp_rate_per_10000",
    "CLA": "cla_rate_per_10000",
}
GEOGRAPHY_YEAR = 2025
ETHNIC_POPULATION_TABLE = "dfe_ethnic_population"
AREA_COLUMN = "2023 Upper tier local authorities Code"
CATEGORY_COLUMN = "Ethnic group (20 categories) Code"
COUNT_COLUMN = "Observation"
# Census 2021's 20 ethnic categories (by their code) as DfE ethnicity codes, in Census groups
# (Chinese is in the Census Asian group; Arab and any other ethnic group are DfE's OOTH).
CENSUS_CATEGORY_CODES = {
    "1": ("Asian", "ABAN"),
    "2": ("Asian", "CHNE"),
    "3": ("Asian", "AIND"),
    "4": ("Asian", "APKN"),
    "5": ("Asian", "AOTH"),
    "6": ("Black", "BAFR"),
    "7": ("Black", "BCRB"),
    "8": ("Black", "BOTH"),
    "9": ("Mixed", "MWAS"),
    "10": ("Mixed", "MWBA"),
    "11": ("Mixed", "MWBC"),
    "12": ("Mixed", "MOTH"),
    "13": ("White", "WBRI"),
    "14": ("White", "WIRI"),
    "15": ("White", "WIRT"),
    "16": ("White", "WROM"),
    "17": ("White", "WOTH"),
    "18": ("Other", "OOTH"),
    "19": ("Other", "OOTH"),
}
CANDIDATE_DRAWS = 40


@dataclass(frozen=True)
class AuthorityArea:
    """One authority's neighbourhoods with what a synthetic child's home is drawn from."""

    la_code: str
    la_name: str
    dfe_la_number: int
    region_code: str
    lsoas: pd.DataFrame
    postcodes: pd.DataFrame
    all_postcodes: pd.DataFrame
    region_of_authority: dict[str, str]
    codes_within_group: dict[str, pd.Series]

    @property
    def children(self) -> float:
        """Children aged 0-17 living in the authority (the rate denominator)."""
        return float(self.lsoas["children_0_17"].sum())

    def draw_lsoas(self, rng: np.random.Generator, n: int, intervention: str) -> np.ndarray:
        """Row positions in `lsoas`, weighted by children and the national gradient."""
        weights = self.lsoas[f"weight_{intervention}"].to_numpy()
        return rng.choice(len(weights), size=n, p=weights / weights.sum())

    def draw_groups(
        self, rng: np.random.Generator, lsoa_rows: np.ndarray, relative: dict[str, float]
    ) -> np.ndarray:
        """A Census broad group for each child, from their LSOA's children and group likelihood."""
        shares = self.lsoas[[f"child_{group}" for group in GROUPS]].to_numpy()[lsoa_rows]
        shares = shares * np.array([relative[group] for group in GROUPS])
        cumulative = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
        picks = (rng.random(len(lsoa_rows))[:, None] > cumulative).sum(axis=1)
        return np.array(GROUPS)[np.minimum(picks, len(GROUPS) - 1)]

    def draw_postcodes(self, rng: np.random.Generator, lsoa_rows: np.ndarray) -> pd.DataFrame:
        """A real postcode inside each chosen LSOA, with its 2011 and 2021 LSOA codes."""
        first = self.lsoas["postcode_first"].to_numpy()[lsoa_rows]
        count = self.lsoas["postcode_count"].to_numpy()[lsoa_rows]
        rows = first + (rng.random(len(lsoa_rows)) * count).astype(np.int64)
        return self.postcodes.iloc[rows].reset_index(drop=True)

    def draw_codes(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        """A DfE ethnicity code for each child, in the authority's mix within their group."""
        codes = np.empty(len(groups), dtype=object)
        for group, shares in self.codes_within_group.items():
            rows = np.flatnonzero(groups == group)
            codes[rows] = rng.choice(
                shares.index.to_numpy(dtype=object), size=len(rows), p=shares.to_numpy()
            )
        return codes

    def draw_postcodes_elsewhere(
        self, rng: np.random.Generator, n: int, same_region: bool
    ) -> pd.DataFrame:
        """Real postcodes outside the authority (in its region, or anywhere in England)."""
        frames = [self.all_postcodes.iloc[:0]]
        remaining = n
        while remaining > 0:
            rows = rng.integers(0, len(self.all_postcodes), size=remaining * CANDIDATE_DRAWS)
            sample = self.all_postcodes.iloc[rows]
            keep = sample["la_code"] != self.la_code
            if same_region:
                regions = sample["la_code"].map(self.region_of_authority)
                keep &= regions == self.region_code
            chosen = sample[keep.to_numpy()].head(remaining)
            frames.append(chosen)
            remaining -= len(chosen)
        return pd.concat(frames, ignore_index=True)


def authority_area(store: ReferenceStore, la_code: str) -> AuthorityArea:
    """Gather the authority's LSOAs, postcodes and weights from the reference store."""
    row = store.authority(la_code)
    la_code = str(row["la_code"])
    authorities = store.authorities
    all_postcodes = store.postcodes_in(_authorities_for_elsewhere(authorities, la_code))
    postcodes = _authority_postcodes(store.postcodes_in([la_code]), la_code)
    lsoas = _lsoa_frame(store, la_code, postcodes)
    postcodes = postcodes[postcodes["lsoa21_code"].isin(lsoas["lsoa_code"])]
    return AuthorityArea(
        la_code=la_code,
        la_name=str(row["la_name"]),
        dfe_la_number=int(row["dfe_la_number"]),
        region_code=str(row["region_code"]),
        lsoas=lsoas,
        postcodes=postcodes.reset_index(drop=True),
        all_postcodes=all_postcodes,
        codes_within_group=_codes_within_group(store, la_code),
        region_of_authority=dict(
            zip(authorities["la_code"], authorities["region_code"], strict=True)
        ),
    )


def _authorities_for_elsewhere(authorities: pd.DataFrame, la_code: str) -> list[str]:
    """Where homes and placements outside the authority are drawn from: the rest of its region
    and one authority in each other region (the first by code), read from disk for the demo only.
    """
    region = authorities.loc[authorities["la_code"] == la_code, "region_code"].iloc[0]
    others = authorities[authorities["la_code"] != la_code].sort_values("la_code")
    same_region = others.loc[others["region_code"] == region, "la_code"]
    elsewhere = others[others["region_code"] != region].groupby("region_code")["la_code"].first()
    return [*same_region, *elsewhere]


def _authority_postcodes(all_postcodes: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """The authority's postcodes, grouped by 2021 LSOA so each LSOA is one contiguous run."""
    mine = all_postcodes[all_postcodes["la_code"] == la_code]
    mine = mine[mine["lsoa21_code"].notna() & mine["lsoa11_code"].notna()]
    columns = ["postcode", "lsoa11_code", "lsoa21_code"]
    return mine[columns].sort_values(["lsoa21_code", "postcode"], ignore_index=True)


def _lsoa_frame(store: ReferenceStore, la_code: str, postcodes: pd.DataFrame) -> pd.DataFrame:
    """LSOAs with children, gradient weights, children's ethnic shares and postcode runs."""
    lsoas = store.lsoas(GEOGRAPHY_YEAR)
    lsoas = lsoas[lsoas["la_code"] == la_code].copy()
    runs = postcodes.groupby("lsoa21_code", sort=True).size()
    lsoas["postcode_count"] = lsoas["lsoa_code"].map(runs).fillna(0).astype(np.int64)
    lsoas = lsoas[(lsoas["postcode_count"] > 0) & (lsoas["children_0_17"] > 0)]
    lsoas = lsoas.sort_values("lsoa_code", ignore_index=True)
    lsoas["postcode_first"] = np.concatenate(([0], np.cumsum(lsoas["postcode_count"])[:-1]))
    gradient = _national_gradient(store)
    for intervention, column in GRADIENT_COLUMN.items():
        relative = lsoas["imd_decile"].map(gradient[column]).to_numpy()
        lsoas[f"weight_{intervention}"] = lsoas["children_0_17"].to_numpy() * relative
    child_factor = _child_to_all_ages_factor(store, la_code, lsoas)
    for group in GROUPS:
        lsoas[f"child_{group}"] = lsoas[SHARE_COLUMNS[group]].fillna(0) * child_factor[group]
    return lsoas


def _national_gradient(store: ReferenceStore) -> pd.DataFrame:
    """CWIP's England rates by decile (1 = most deprived), indexed by decile."""
    cwip = store.cwip
    england = cwip[cwip["country"] == ENGLAND]
    return england.set_index("decile")[list(set(GRADIENT_COLUMN.values()))]


def _child_to_all_ages_factor(
    store: ReferenceStore, la_code: str, lsoas: pd.DataFrame
) -> dict[str, float]:
    """How much more common each group is among the authority's children than among all ages."""
    children = store.ethnicity_children
    mine = children[children["la_code"] == la_code].set_index("ethnic_group")["children_0_15"]
    residents = lsoas["residents_2021"].fillna(0).to_numpy()
    factors = {}
    for group in GROUPS:
        all_ages = float((lsoas[SHARE_COLUMNS[group]].fillna(0).to_numpy() * residents).sum())
        all_ages_share = all_ages / residents.sum() if residents.sum() else 0.0
        child_share = float(mine.get(group, 0.0)) / float(mine.sum()) if mine.sum() else 0.0
        factors[group] = child_share / all_ages_share if all_ages_share > 0 else 1.0
    return factors


def _codes_within_group(store: ReferenceStore, la_code: str) -> dict[str, pd.Series]:
    """Shares of each DfE code within its Census group in the authority (all ages, Census 2021)."""
    table = store.table(ETHNIC_POPULATION_TABLE)
    mine = table[table[AREA_COLUMN] == la_code]
    if mine.empty:
        mine = table
    mapped = mine[CATEGORY_COLUMN].astype("str").map(CENSUS_CATEGORY_CODES)
    counts = pd.DataFrame(
        {
            "group": mapped.str[0],
            "code": mapped.str[1],
            "count": pd.to_numeric(mine[COUNT_COLUMN], errors="coerce").fillna(0),
        }
    ).dropna(subset=["group"])
    totals = counts.groupby(["group", "code"])["count"].sum() + 1.0
    return {group: totals[group] / totals[group].sum() for group in GROUPS}


def spaced(postcodes) -> np.ndarray:
    """Postcodes written as people write them, with a space before the inward code."""
    text = pd.Series(postcodes, dtype="str").fillna("").str.replace(" ", "", regex=False)
    joined = text.str[:-3] + " " + text.str[-3:]
    return joined.where(text.str.len() >= 5, text).to_numpy(dtype=object)
