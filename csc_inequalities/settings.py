"""Every environment variable the explorer reads: its default, its meaning, and its check.

One place reads them all, so a misspelt or impossible value is reported when the app starts
(`check_environment`) instead of silently falling back to a default, and the README's table of
settings is tested against this one (tests/unit/test_settings.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Measured with bench/load_client.py on a 2-core machine (bench/RESULTS.md, "Capacity under
# load"): with 20 users changing authority, measure and tab every 1-3 s one process answered
# half the changes within about 0.5 s and stayed near 400 MB; with 25 the slowest twentieth took
# over 2 s. Beyond 20 a new visitor is asked to come back rather than slow everyone down.
DEFAULT_MAX_SESSIONS = 20
DEFAULT_IDLE_MINUTES = 30.0
DEFAULT_UPLOAD_MAX_MB = 50.0


class SettingError(ValueError):
    """A setting whose value cannot be used, named with what it should be."""


def _positive_number(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("not above zero")
    return value


def _whole_number(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("below one")
    return value


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes"}:
        return True
    if lowered in {"0", "false", "no", ""}:
        return False
    raise ValueError("not a yes or no")


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default, meaning and how its text is read."""

    name: str
    default: object
    default_text: str
    meaning: str
    parse: Callable[[str], object] = str
    expected: str = "text"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CSC_DATA_MIRROR", None, "unset (official addresses)",
        "folder with copies of the official files (or one filled by `data fetch`)",
        Path, "a folder",
    ),
    Setting(
        "CSC_STORE_DIR", None, "`data/store`", "where the built reference store lives",
        Path, "a folder",
    ),
    Setting(
        "CSC_UPLOAD_MAX_MB", DEFAULT_UPLOAD_MAX_MB, "`50`",
        "largest upload accepted, checked before parsing",
        _positive_number, "a number of megabytes above zero",
    ),
    Setting(
        "CSC_TRUST_PROXY_USER", False, "unset",
        "`1` behind a sign-in proxy: show the user it names in the page header",
        _flag, "1 or 0",
    ),
    Setting(
        "CSC_ALLOWED_ORIGINS", "", "unset",
        "page origins allowed to open the websocket when a proxy rewrites `Host`",
    ),
    Setting(
        "BROWSER_PATH", None, "`/usr/bin/chromium`",
        "the Chromium kaleido uses for image exports", Path, "a program's path",
    ),
    Setting(
        "CSC_MAX_SESSIONS", DEFAULT_MAX_SESSIONS, "`20`",
        "sessions one process holds; a new visitor beyond it gets a short \"busy, try again in "
        "a few minutes\" page (HTTP 503, Retry-After)",
        _whole_number, "a whole number of sessions, 1 or more",
    ),
    Setting(
        "CSC_IDLE_MINUTES", DEFAULT_IDLE_MINUTES, "`30`",
        "minutes without activity after which a session ends, its records are freed and the "
        "page says why",
        _positive_number, "a number of minutes above zero",
    ),
    Setting(
        "TMPDIR", None, "the system's",
        "where an upload lands before it is read into memory and deleted (point it at a "
        "memory-backed folder such as `/dev/shm`)",
        Path, "a folder",
    ),
)  # fmt: skip
BY_NAME = {setting.name: setting for setting in SETTINGS}


def setting(name: str, environ: Mapping[str, str] | None = None) -> object:
    """The setting's value: its default when unset, a clear SettingError when unusable."""
    spec = BY_NAME[name]
    text = (environ if environ is not None else os.environ).get(name, "").strip()
    if not text:
        return spec.default
    try:
        return spec.parse(text)
    except ValueError:
        raise SettingError(f"{name}={text!r} cannot be used: expected {spec.expected}.") from None


def number_setting(name: str, environ: Mapping[str, str] | None = None) -> float:
    """A numeric setting (megabytes, minutes, sessions) as a float."""
    value = setting(name, environ)
    if not isinstance(value, (int, float)):
        raise TypeError(f"{name} is not a numeric setting")
    return float(value)


def path_setting(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """A folder or program setting, or None when unset."""
    value = setting(name, environ)
    if value is not None and not isinstance(value, Path):
        raise TypeError(f"{name} is not a path setting")
    return value


def flag_setting(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """A yes-or-no setting."""
    return setting(name, environ) is True


def text_setting(name: str, environ: Mapping[str, str] | None = None) -> str:
    """A free-text setting (a list the caller splits), '' when unset."""
    return str(setting(name, environ) or "")


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Read every setting once, so a bad value stops the app at start with its name."""
    for spec in SETTINGS:
        setting(spec.name, environ)


def exit_on_unusable_settings() -> None:
    """At the app's start: stop with the bad setting named, not a traceback or a silent default."""
    try:
        check_environment()
    except SettingError as error:
        raise SystemExit(f"The explorer cannot start: {error}") from None
