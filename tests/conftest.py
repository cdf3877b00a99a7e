"""Shared fixtures: the reference store built once from the mirror of official files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def mirror_dir() -> Path:
    """The mirror the tests build from: CSC_DATA_MIRROR, else ../shared/data beside the checkout."""
    return Path(os.environ.get("CSC_DATA_MIRROR", SHARED / "data")).resolve()


@pytest.fixture(autouse=True, scope="session")
def _check_every_figure():
    """Every chart a test builds is validated by plotly too (the app skips it on each render)."""
    from csc_inequalities.figures import style

    style.CHECK_FIGURES = True
    yield
    style.CHECK_FIGURES = False


@pytest.fixture(scope="session")
def store():
    """The built reference store (built from the mirror on first use, then reused)."""
    from csc_inequalities.build.pipeline import build_store
    from csc_inequalities.reference.paths import store_dir
    from csc_inequalities.reference.store import load_store

    build_store(mirror=mirror_dir(), store_dir=store_dir())
    return load_store()


@pytest.fixture(scope="session")
def formats_dir() -> Path:
    """Specifications and fake-child samples of the authorities' file formats."""
    return SHARED / "formats"
