"""requirements.lock, which the image installs with hash checking, pins every dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# "name==version \" followed by its "--hash=sha256:..." lines.
ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}.*\n)+)", re.M)


def locked() -> dict[str, tuple[Version, int]]:
    """Each locked package: its version and how many hashes it carries."""
    text = (ROOT / "requirements.lock").read_text()
    entries = {
        canonicalize_name(name): (Version(version), hashes.count("--hash=sha256:"))
        for name, version, hashes in ENTRY.findall(text)
    }
    pins = [line for line in text.splitlines() if "==" in line and not line.startswith("#")]
    assert len(entries) == len(pins), "a pinned line without hashes"
    return entries


LOCKED = locked()


@pytest.mark.parametrize(
    "requirement",
    PROJECT["project"]["dependencies"] + PROJECT["build-system"]["requires"],
)
def test_every_dependency_is_pinned_with_hashes(requirement: str) -> None:
    parsed = Requirement(requirement)
    name = canonicalize_name(parsed.name)
    assert name in LOCKED, f"{parsed.name} is not in requirements.lock: run tools/lock-requirements"
    version, hashes = LOCKED[name]
    assert parsed.specifier.contains(version, prereleases=True), (
        f"requirements.lock has {parsed.name}=={version}, outside {parsed.specifier}: "
        "run tools/lock-requirements"
    )
    assert hashes >= 1


def test_the_lock_holds_nothing_from_this_machine() -> None:
    text = (ROOT / "requirements.lock").read_text()
    assert "file://" not in text and "--find-links" not in text and "--index-url" not in text
