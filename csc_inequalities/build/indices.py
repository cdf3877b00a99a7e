"""IMD and domain ranks and deciles for both indices, under the store's column names."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.build.checks import BuildCheckError
from csc_inequalities.results import deprivation

# The domains besides the overall index, in the order the app lists them.
DOMAINS = [domain for domain in deprivation.DOMAINS if domain != "imd"]

_IOD2019_DOMAIN_NAMES = {
    "imd": "Index of Multiple Deprivation (IMD)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "housing": "Barriers to Housing and Services",
    "environment": "Living Environment",
    "idaci": "Income Deprivation Affecting Children Index (IDACI)",
}

_IOD2025_DOMAIN_NAMES = {
    "imd": "IMD",
    "income": "Income",
    "employment": "Employment",
    "education": "Education",
    "health": "Health",
    "crime": "Crime",
    "housing": "Housing_and_Services",
    "environment": "Environment",
}

INDEX_COLUMNS = ["imd_rank", "imd_decile", "imd_score"] + [
    f"{domain}_{kind}" for domain in DOMAINS for kind in ("rank", "decile")
]


def _official_rank_decile(name: str) -> tuple[str, str]:
    """The IoD2019 File 2/3 headers for a domain's rank and decile."""
    return (
        f"{name} Rank (where 1 is most deprived)",
        f"{name} Decile (where 1 is most deprived 10% of LSOAs)",
    )


def iod2019(file1: pd.DataFrame, file2: pd.DataFrame, file3: pd.DataFrame) -> pd.DataFrame:
    """IoD2019 on 2011 LSOAs: IMD from File 1, domains from File 2, IDACI from File 3."""
    out = pd.DataFrame(
        {
            "lsoa_code": file1["LSOA code (2011)"],
            "imd_rank": file1["Index of Multiple Deprivation (IMD) Rank"].astype(int),
            "imd_decile": file1["Index of Multiple Deprivation (IMD) Decile"].astype(int),
            "imd_score": float("nan"),
        }
    )
    domains = pd.DataFrame({"lsoa_code": file2["LSOA code (2011)"]})
    for domain in ["imd", *DOMAINS[:-1]]:
        rank, decile = _official_rank_decile(_IOD2019_DOMAIN_NAMES[domain])
        domains[f"{domain}_rank_file2"] = file2[rank].astype(int)
        domains[f"{domain}_decile_file2"] = file2[decile].astype(int)
    rank, decile = _official_rank_decile(_IOD2019_DOMAIN_NAMES["idaci"])
    idaci = pd.DataFrame(
        {
            "lsoa_code": file3["LSOA code (2011)"],
            "idaci_rank": file3[rank].astype(int),
            "idaci_decile": file3[decile].astype(int),
        }
    )
    out = out.merge(domains, on="lsoa_code", how="outer", validate="one_to_one", indicator=True)
    _require_both(out, "IoD2019 Files 1 and 2")
    if not (out["imd_rank"] == out["imd_rank_file2"]).all():
        raise BuildCheckError("IoD2019: IMD ranks differ between File 1 and File 2.")
    out = out.merge(idaci, on="lsoa_code", how="outer", validate="one_to_one", indicator=True)
    _require_both(out, "IoD2019 Files 1 and 3")
    for domain in DOMAINS[:-1]:
        out[f"{domain}_rank"] = out[f"{domain}_rank_file2"]
        out[f"{domain}_decile"] = out[f"{domain}_decile_file2"]
    return out[["lsoa_code", *INDEX_COLUMNS]]


def iod2025(imd: pd.DataFrame, file3: pd.DataFrame) -> pd.DataFrame:
    """IoD2025 on 2021 LSOAs: IMD and domains from the File 7 extract, IDACI from File 3."""
    out = pd.DataFrame({"lsoa_code": imd["lsoa21_code"]})
    for domain, name in _IOD2025_DOMAIN_NAMES.items():
        out[f"{domain}_rank"] = imd[f"{name}_rank"].astype(int)
        out[f"{domain}_decile"] = imd[f"{name}_decile"].astype(int)
    out["imd_score"] = imd["IMD_score"].astype(float)
    rank, decile = _official_rank_decile(_IOD2019_DOMAIN_NAMES["idaci"])
    idaci = pd.DataFrame(
        {
            "lsoa_code": file3["LSOA code (2021)"],
            "idaci_rank": file3[rank].astype(int),
            "idaci_decile": file3[decile].astype(int),
        }
    )
    out = out.merge(idaci, on="lsoa_code", how="outer", validate="one_to_one", indicator=True)
    _require_both(out, "IoD2025 File 7 extract and File 3")
    return out[["lsoa_code", *INDEX_COLUMNS]]


def _require_both(merged: pd.DataFrame, what: str) -> None:
    """Two files of one index cover the same LSOAs."""
    unmatched = merged.loc[merged.pop("_merge") != "both", "lsoa_code"]
    if len(unmatched):
        raise BuildCheckError(
            f"{what} cover different LSOAs ({len(unmatched)} unmatched, e.g. {unmatched.iloc[0]})."
        )
