"""A small reference store and spells table made in code, shaped like the real ones."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csc_inequalities.reference.authority_views import AuthorityViews

DOMAINS = (
    "income",
    "employment",
    "education",
    "health",
    "crime",
    "housing",
    "environment",
    "idaci",
)
GROUPS = ["White", "Mixed", "Asian", "Black", "Other"]


def synthetic_lsoas(la_code: str, n: int, seed: int = 1, prefix: str = "E01") -> pd.DataFrame:
    """LSOAs of one authority spread over every national decile, with children and ethnic shares."""
    rng = np.random.default_rng(seed)
    ranks = np.sort(rng.choice(np.arange(1, 32_845), size=n, replace=False))
    deciles = np.minimum((ranks - 1) * 10 // 32_844 + 1, 10)
    white = rng.uniform(0.4, 0.95, n)
    rest = rng.dirichlet(np.ones(4), n) * (1 - white)[:, None]
    frame = pd.DataFrame(
        {
            "lsoa_code": [f"{prefix}{seed:02d}{i:05d}" for i in range(n)],
            "lsoa_name": [f"{la_code} {i:03d}A" for i in range(n)],
            "la_code": la_code,
            "imd_rank": ranks,
            "imd_decile": deciles,
            "children_0_17": rng.integers(150, 600, n).astype(float),
            "eth_white": white,
            "eth_mixed": rest[:, 0],
            "eth_asian": rest[:, 1],
            "eth_black": rest[:, 2],
            "eth_other": rest[:, 3],
        }
    )
    for domain in DOMAINS:
        frame[f"{domain}_rank"] = ranks
        frame[f"{domain}_decile"] = deciles
    return frame


@dataclass
class SyntheticStore(AuthorityViews):
    """Duck-typed stand-in for ReferenceStore with one or more authorities."""

    lsoa_tables: dict[int, pd.DataFrame]
    authorities: pd.DataFrame
    ethnicity_children: pd.DataFrame
    cwip: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "country": ["England"] * 10,
                "decile": range(1, 11),
                "cpp_rate_per_10000": np.linspace(110.0, 10.0, 10),
                "cla_rate_per_10000": np.linspace(130.0, 12.0, 10),
            }
        )
    )
    lsoa_lookup: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {
                "lsoa11_code": pd.Series(dtype="str"),
                "lsoa21_code": pd.Series(dtype="str"),
                "change_code": pd.Series(dtype="str"),
                "weight_11_to_21": pd.Series(dtype="float"),
                "weight_21_to_11": pd.Series(dtype="float"),
            }
        )
    )

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        """All LSOAs for one index year."""
        return self.lsoa_tables[imd_year]

    def __hash__(self) -> int:
        return id(self)


def synthetic_store(
    la_code: str = "E06000009", n_lsoas: int = 200, seed: int = 1
) -> SyntheticStore:
    """A store holding one authority on both geographies (same LSOAs, for simplicity)."""
    lsoas = synthetic_lsoas(la_code, n_lsoas, seed)
    shares = np.array([0.7, 0.08, 0.12, 0.06, 0.04])
    children = lsoas["children_0_17"].sum() * 16 / 18
    return SyntheticStore(
        lsoa_tables={2019: lsoas, 2025: lsoas},
        authorities=pd.DataFrame({"la_code": [la_code], "la_name": ["Testshire"]}),
        ethnicity_children=pd.DataFrame(
            {"la_code": la_code, "ethnic_group": GROUPS, "children_0_15": shares * children}
        ),
    )


def synthetic_spells(
    lsoas: pd.DataFrame,
    n_children: int,
    seed: int = 2,
    first_year: int = 2021,
    last_year: int = 2024,
) -> pd.DataFrame:
    """Spells of all three interventions, commoner in more deprived LSOAs, over several years."""
    rng = np.random.default_rng(seed)
    weight = lsoas["children_0_17"].to_numpy() * (11 - lsoas["imd_decile"].to_numpy()) ** 1.5
    lsoa = rng.choice(lsoas["lsoa_code"].to_numpy(), size=n_children, p=weight / weight.sum())
    span = (pd.Timestamp(f"{last_year}-03-31") - pd.Timestamp(f"{first_year - 1}-04-01")).days
    start = pd.Timestamp(f"{first_year - 1}-04-01") + pd.to_timedelta(
        rng.integers(0, span, n_children), unit="D"
    )
    length = pd.to_timedelta(rng.integers(30, 900, n_children), unit="D")
    end = pd.Series(start + length)
    end[end > pd.Timestamp(f"{last_year}-03-31")] = pd.NaT
    codes = np.array(["WBRI", "MWBC", "APKN", "BAFR", "OOTH", "CHNE", "NOBT"])
    groups = {"WBRI": "White", "MWBC": "Mixed", "APKN": "Asian", "BAFR": "Black", "OOTH": "Other",
              "CHNE": "Other", "NOBT": "Not known"}  # fmt: skip
    code = rng.choice(codes, size=n_children, p=[0.7, 0.07, 0.1, 0.06, 0.03, 0.01, 0.03])
    return pd.DataFrame(
        {
            "child_id": [f"C{i:06d}" for i in range(n_children)],
            "intervention": rng.choice(["CIN", "CPP", "CLA"], size=n_children, p=[0.6, 0.2, 0.2]),
            "start_date": pd.Series(start, dtype="datetime64[ns]"),
            "end_date": end.astype("datetime64[ns]"),
            "lsoa11_code": lsoa,
            "lsoa21_code": lsoa,
            "ethnicity_code": code,
            "ethnic_group": [groups[c] for c in code],
            "sex": rng.choice(["M", "F"], size=n_children),
            "date_of_birth": pd.Timestamp("2012-01-01"),
            "legal_status": "C2",
            "reason_new_episode": "S",
            "cin_nfa": rng.random(n_children) < 0.05,
            "source_file": "synthetic.csv",
            "source_row": np.arange(n_children),
        }
    )
