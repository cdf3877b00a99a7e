"""`csc-inequalities demo`: write the synthetic demonstration files for an authority."""

from __future__ import annotations

import argparse
from pathlib import Path

from csc_inequalities.commands import UserError
from csc_inequalities.commands.options import reference_store
from csc_inequalities.demo.files import DEFAULT_SEED, DEFAULT_YEARS, demo_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the demo sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="write synthetic demonstration records (903, CIN census XML, extracts)",
        description=(
            "Write synthetic demonstration data for an authority in the formats authorities "
            "hold: SSDA903 Header and Episodes, CIN census XML with its address extract, and "
            "a case-system extract. Every child is made up (ids start DEMO)."
        ),
    )
    parser.add_argument("--la", required=True, help="authority GSS code, e.g. E06000009")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the files to")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--years", type=int, default=DEFAULT_YEARS, help="reporting years up to 31 March 2025"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Generate the files and write them, listing what was written."""

    if args.years < 1:
        raise UserError("--years must be at least 1.")
    if args.out.exists() and not args.out.is_dir():
        raise UserError(f"{args.out} exists and is not a folder.")
    store = reference_store()
    try:
        files = demo_files(args.la, store, seed=args.seed, years=args.years)
    except ValueError as error:
        raise UserError(str(error)) from None
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.out / name).write_bytes(content)
        print(f"wrote {args.out / name} ({len(content):,} bytes)")
    print("Synthetic demonstration data: no real child is described.")
    return 0
