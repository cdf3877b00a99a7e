"""Where the built reference store and the mirror of official files live."""

from __future__ import annotations

from pathlib import Path

from csc_inequalities.settings import path_setting

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def store_dir() -> Path:
    """The built reference store: CSC_STORE_DIR, else data/store in the project."""
    return path_setting("CSC_STORE_DIR") or PROJECT_ROOT / "data" / "store"


def mirror_dir() -> Path | None:
    """A local folder holding copies of the official files (CSC_DATA_MIRROR), if set."""
    return path_setting("CSC_DATA_MIRROR")


def manifest_path() -> Path:
    """The manifest of official sources, kept in the repository's data/ folder."""
    return PROJECT_ROOT / "data" / "manifest.toml"
