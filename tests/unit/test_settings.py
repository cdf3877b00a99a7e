"""The settings module is the one reader of the environment, and the README's table is its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from csc_inequalities import settings
from csc_inequalities.settings import SETTINGS, SettingError, check_environment, setting

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *(ROOT / "csc_inequalities").rglob("*.py"),
    *(ROOT / "modules").glob("*.py"),
    ROOT / "app.py",
]


def readme_settings() -> list[tuple[str, str, str]]:
    """The rows of the README's '## Settings' table: variable, default, meaning."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    cells = [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]
    return [(name.strip("`"), default, meaning) for name, default, meaning in cells]


def test_the_readme_table_lists_every_setting_with_its_default_and_meaning():
    expected = [(s.name, s.default_text, s.meaning) for s in SETTINGS]
    assert readme_settings() == expected


def test_no_module_but_settings_reads_an_explorer_setting_from_the_environment():
    names = "|".join(re.escape(s.name) for s in SETTINGS)
    # A read, not a write such as handing kaleido the browser the settings chose.
    reading = re.compile(
        rf"environ\)?\.get\(\s*\"({names})\"|environ\[\s*\"({names})\"\s*\](?!\s*=[^=])"
        rf"|getenv\(\s*\"({names})\""
    )
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in SOURCES
        if path.name != "settings.py" and reading.search(path.read_text())
    ]
    assert readers == []


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("CSC_UPLOAD_MAX_MB", "", settings.DEFAULT_UPLOAD_MAX_MB),
        ("CSC_UPLOAD_MAX_MB", " 12.5 ", 12.5),
        ("CSC_MAX_SESSIONS", "8", 8),
        ("CSC_IDLE_MINUTES", "0.5", 0.5),
        ("CSC_TRUST_PROXY_USER", "yes", True),
        ("CSC_TRUST_PROXY_USER", "0", False),
        ("CSC_STORE_DIR", "/srv/store", Path("/srv/store")),
        ("CSC_DATA_MIRROR", "", None),
    ],
)
def test_values_are_read_as_their_kind_and_unset_means_the_default(name, text, value):
    assert setting(name, {name: text}) == value


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("CSC_UPLOAD_MAX_MB", "fifty"),
        ("CSC_UPLOAD_MAX_MB", "-1"),
        ("CSC_MAX_SESSIONS", "0"),
        ("CSC_MAX_SESSIONS", "2.5"),
        ("CSC_IDLE_MINUTES", "0"),
        ("CSC_TRUST_PROXY_USER", "maybe"),
    ],
)
def test_an_unusable_value_stops_the_start_with_the_setting_named(name, text):
    with pytest.raises(
        SettingError, match=rf"^{name}='{re.escape(text)}' cannot be used: expected"
    ):
        check_environment({name: text})


def test_a_clean_environment_passes_the_start_check():
    check_environment({})
