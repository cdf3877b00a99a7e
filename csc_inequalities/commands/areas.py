"""`csc-inequalities areas`: the upper-tier authorities with their LSOAs and children, as CSV."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.commands.options import reference_store

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the areas sub-command."""
    parser = subparsers.add_parser(
        "areas",
        help="list the authorities (code, name, LSOAs, children 0-17) as CSV",
        description="Print every English upper-tier (children's services) authority as CSV.",
    )
    parser.add_argument(
        "--imd",
        type=int,
        choices=(2019, 2025),
        default=2025,
        help="index year whose LSOA geography is counted (2019: 2011 LSOAs, 2025: 2021 LSOAs)",
    )
    parser.set_defaults(handler=run)


def areas_table(store: Store, imd_year: int) -> pd.DataFrame:
    """code, name, lsoas, children_0_17 for every authority, from the LSOA table itself."""
    per_la = (
        store.lsoas(imd_year)
        .groupby("la_code")
        .agg(lsoas=("lsoa_code", "size"), children_0_17=("children_0_17", "sum"))
    )
    table = store.authorities[["la_code", "la_name"]].join(per_la, on="la_code")
    table["children_0_17"] = table["children_0_17"].round().astype(int)
    return table.rename(columns={"la_code": "code", "la_name": "name"})


def run(args: argparse.Namespace) -> int:
    """Print the authorities table."""

    store = reference_store()
    print(areas_table(store, args.imd).to_csv(index=False), end="")
    return 0
