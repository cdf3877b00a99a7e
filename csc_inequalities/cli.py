"""The csc-inequalities command line: one sub-command per module in csc_inequalities.commands."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from csc_inequalities import __version__, commands
from csc_inequalities.settings import SettingError, check_environment


def build_parser() -> argparse.ArgumentParser:
    """Collect every sub-command that registers itself in the commands package."""
    parser = argparse.ArgumentParser(
        prog="csc-inequalities",
        description="Children's social care inequalities explorer (command line).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):  # helpers such as options.py register nothing
            module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; errors meant for the user are printed without a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_environment()
        return int(args.handler(args) or 0)
    except (commands.UserError, SettingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
