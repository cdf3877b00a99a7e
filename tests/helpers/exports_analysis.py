"""A real Analysis computed on a tiny synthetic authority, for the export and report tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.authority_views import AuthorityViews
from csc_inequalities.results.analysis import Analysis, run_analysis
from csc_inequalities.results.measures import Measure

LA_CODE = "E09000099"
LA_NAME = "Testborough"
GROUPS = ["White", "Mixed", "Asian", "Black", "Other"]
LSOA_PER_DECILE = 4
DOMAINS = (
    *("imd", "income", "employment", "education"),
    *("health", "crime", "housing", "environment", "idaci"),
)


class TinyStore(AuthorityViews):
    """The parts of the reference store an analysis reads, for 40 made-up LSOAs."""

    def __init__(self) -> None:
        n = 10 * LSOA_PER_DECILE
        deciles = np.repeat(np.arange(1, 11), LSOA_PER_DECILE)
        frame = {
            "lsoa_code": [f"E0100{i:04d}" for i in range(n)],
            "lsoa_name": [f"{LA_NAME} {i:03d}A" for i in range(n)],
            "la_code": LA_CODE,
            "la_name": LA_NAME,
            "children_0_17": np.full(n, 400.0),
            "eth_white": np.full(n, 0.6),
            "eth_mixed": np.full(n, 0.1),
            "eth_asian": np.full(n, 0.15),
            "eth_black": np.full(n, 0.1),
            "eth_other": np.full(n, 0.05),
        }
        for domain in DOMAINS:
            frame[f"{domain}_rank"] = np.arange(1, n + 1) * 800
            frame[f"{domain}_decile"] = deciles
        self._lsoas = pd.DataFrame(frame)
        self.authorities = pd.DataFrame({"la_code": [LA_CODE], "la_name": [LA_NAME]})
        self.lsoa_lookup = pd.DataFrame(
            {"lsoa11_code": [], "lsoa21_code": [], "weight_11_to_21": [], "weight_21_to_11": []}
        )
        self.ethnicity_children = pd.DataFrame(
            {
                "la_code": LA_CODE,
                "ethnic_group": GROUPS,
                "children_0_15": [7200.0, 1200.0, 1800.0, 1200.0, 600.0],
            }
        )
        self.cwip = pd.DataFrame(
            {
                "country": "England",
                "decile": range(1, 11),
                "cpp_rate_per_10000": np.linspace(110, 9, 10),
                "cla_rate_per_10000": np.linspace(150, 13, 10),
            }
        )

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        """The made-up LSOAs, the same for both index years."""
        return self._lsoas


STORE = TinyStore()


def lsoa_counts(per_decile: list[int], intervention: str = "CPP") -> pd.DataFrame:
    """Counts per LSOA adding up to the given decile counts, spread over ethnic groups."""
    rows = []
    for decile, total in enumerate(per_decile, start=1):
        for k in range(int(total)):
            lsoa = (decile - 1) * LSOA_PER_DECILE + k % LSOA_PER_DECILE
            rows.append((f"E0100{lsoa:04d}", GROUPS[k % len(GROUPS)]))
    frame = pd.DataFrame(rows, columns=["lsoa_code", "ethnic_group"])
    counts = frame.groupby(["lsoa_code", "ethnic_group"]).size().rename("count").reset_index()
    return counts.assign(geography=2011, intervention=intervention)[
        ["lsoa_code", "geography", "intervention", "ethnic_group", "count"]
    ]


def synthetic_analysis(
    per_decile: list[int] | None = None, intervention: str = "CPP"
) -> tuple[Analysis, LoadResult]:
    """An analysis of counts with a gradient and some small deciles, and its upload."""
    per_decile = per_decile or [60, 48, 40, 31, 22, 18, 3, 12, 9, 2]
    summary = pd.DataFrame(
        {
            "file": ["counts.csv"],
            "kind": ["LSOA counts"],
            "records_read": [len(per_decile) * 4 + 3],
            "spells_used": [len(per_decile) * 4],
            "dropped": [3],
            "warnings": [0],
            "outside_authority": [2],
        }
    )
    issues = pd.DataFrame(
        {
            "file": ["counts.csv"] * 3,
            "row": [4, 9, 12],
            "child_id": ["", "", ""],
            "severity": ["dropped"] * 3,
            "reason": ["LSOA outside the authority", "LSOA outside the authority", "bad count"],
            "detail": ["", "", ""],
        }
    )
    records = LoadResult(
        counts=lsoa_counts(per_decile, intervention), summary=summary, issues=issues
    )
    measure = Measure(intervention, "at_date", date(2024, 3, 31))
    return run_analysis(records, STORE, LA_CODE, 2019, measure), records
