"""Where the built reference store and the mirror of official files live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def store_dir() -> Path:
    """The built reference store: CSC_STORE_DIR, else data/store in the project."""
    configured = os.environ.get("CSC_STORE_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "data" / "store"


def mirror_dir() -> Path | None:
    """A local folder holding copies of the official files (CSC_DATA_MIRROR), if set."""
    configured = os.environ.get("CSC_DATA_MIRROR")
    return Path(configured) if configured else None


def manifest_path() -> Path:
    """The manifest of official sources, kept in the repository's data/ folder."""
    return PROJECT_ROOT / "data" / "manifest.toml"
