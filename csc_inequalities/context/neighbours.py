"""DfE's 2025 statistical-neighbour model, resolved from three-digit numbers to current codes."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

NEIGHBOUR_TABLE = "dfe_sn"
NEIGHBOURS_PER_AUTHORITY = 10
CLOSENESS_ORDER = ["Extremely close", "Very close", "Close", "Somewhat close", "Not close"]


def neighbour_table(store: Store) -> pd.DataFrame:
    """Every authority's ten neighbours in DfE's order, each with its current code and closeness."""
    return _neighbour_table(store).copy()


@functools.lru_cache(maxsize=8)
def _neighbour_table(store: Store) -> pd.DataFrame:
    """The resolved table, built once per store."""
    raw = store.table(NEIGHBOUR_TABLE)
    authorities = store.authorities
    by_number = authorities.set_index(authorities["dfe_la_number"].astype(int))
    rows = []
    for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1):
        part = pd.DataFrame(
            {
                "dfe_la_number": pd.to_numeric(raw["old_la_code"]).astype(int),
                "rank": rank,
                "neighbour_dfe_number": pd.to_numeric(raw[f"SN_{rank}"]).astype(int),
                "closeness": raw[f"SN_{rank}P"].astype("str").str.strip(),
            }
        )
        rows.append(part)
    table = pd.concat(rows, ignore_index=True)
    table["la_code"] = table["dfe_la_number"].map(by_number["la_code"])
    table["neighbour_code"] = table["neighbour_dfe_number"].map(by_number["la_code"])
    table["neighbour_name"] = table["neighbour_dfe_number"].map(by_number["la_name"])
    columns = ["la_code", "rank", "neighbour_code", "neighbour_name", "closeness"]
    columns += ["dfe_la_number", "neighbour_dfe_number"]
    return table[columns].sort_values(["la_code", "rank"], ignore_index=True)


def statistical_neighbours(store: Store, la_code: str) -> pd.DataFrame:
    """The chosen authority's ten neighbours, nearest first, named with their closeness."""
    table = neighbour_table(store)
    mine = table[table["la_code"] == la_code]
    if mine.empty:
        raise ValueError(f"DfE's statistical-neighbour model has no entry for '{la_code}'.")
    mine = mine.rename(columns={"neighbour_code": "code", "neighbour_name": "name"})
    return (
        mine[["rank", "code", "name", "closeness"]]
        .rename(columns={"code": "la_code", "name": "la_name"})
        .reset_index(drop=True)
    )
