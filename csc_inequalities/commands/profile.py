"""`csc-inequalities profile`: an authority's LSOAs and children per national IMD decile, as CSV."""

from __future__ import annotations

import argparse

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import reference_store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the profile sub-command."""
    parser = subparsers.add_parser(
        "profile",
        help="an authority's deprivation profile per national decile, as CSV",
        description=(
            "Print, for each national IMD decile (1 = most deprived 10% in England), the "
            "authority's number of LSOAs and children aged 0-17 and its shares of each."
        ),
    )
    parser.add_argument("--la", required=True, help="authority GSS code, e.g. E06000009")
    parser.add_argument(
        "--imd",
        type=int,
        choices=(2019, 2025),
        default=2025,
        help="index: 2019 (2011 LSOAs) or 2025 (2021 LSOAs)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the profile table."""
    from csc_inequalities.results.profile import deprivation_profile

    store = reference_store()
    try:
        table = deprivation_profile(store, args.la, args.imd)
    except (FileNotFoundError, KeyError) as error:
        raise UserError(str(error)) from None
    table["children_0_17"] = table["children_0_17"].round(1)
    print(table.to_csv(index=False, float_format="%.6g"), end="")
    return 0
