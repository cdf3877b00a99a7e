"""How many children the demo puts on each intervention at each 31 March.

The authority's own rate as published by DfE for that year, else England's, applied to the
children living in the authority's LSOAs, so the demo looks like the authority it stands for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.context.official_measures import ENGLAND_CODE
from csc_inequalities.context.official_rates import official_rates

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

MEASURE_KEYS = {"CIN": "cin", "CPP": "cpp", "CLA": "cla"}


def open_targets(
    store: Store, la_code: str, years: tuple[int, ...], children: float
) -> pd.DataFrame:
    """Children to have open at each 31 March (index: year; columns: CIN, CPP, CLA)."""
    table = pd.DataFrame(index=pd.Index(years, name="year"))
    for intervention, key in MEASURE_KEYS.items():
        rates = _usable_rates(official_rates(store, key))
        rate = [_rate_for(rates, la_code, year) for year in years]
        table[intervention] = np.round(np.array(rate) * children / 10_000)
    return table.astype(np.int64)


def _usable_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """Published rates only (suppressed, missing or not-yet-created cells left out)."""
    usable = rates[(rates["rate_status"] == "") & rates["rate_per_10000"].notna()]
    return usable.set_index(["area_code", "year"])["rate_per_10000"].to_frame()


def _rate_for(rates: pd.DataFrame, la_code: str, year: int) -> float:
    """The authority's rate for the year (or its nearest earlier year), else England's."""
    for area in (la_code, ENGLAND_CODE):
        if area not in rates.index.get_level_values("area_code"):
            continue
        series = rates.loc[area, "rate_per_10000"].sort_index()
        earlier = series[series.index <= year]
        if not earlier.empty:
            return float(earlier.iloc[-1])
        return float(series.iloc[0])
    raise ValueError("The reference store holds no published DfE rate for England.")
