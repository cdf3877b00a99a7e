"""Sub-commands of csc-inequalities: each module defines register(subparsers) and sets a handler."""


class UserError(Exception):
    """A problem the user can fix (unknown authority, missing store, bad file): no traceback."""
