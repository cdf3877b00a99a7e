"""Browser tests: the app started as a user would start it, driven in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from shiny.pytest import create_app_fixture

from csc_inequalities.demo import demo_files

APP = Path(__file__).resolve().parents[2] / "app.py"
CHROMIUM = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

app = create_app_fixture(APP, timeout_secs=60)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use the system Chromium: Playwright cannot download its own browsers here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _reference_store_is_built(store):
    """The app reads the store at start-up, so build it before the first browser test."""
    return store


@pytest.fixture(scope="session")
def blackpool_demo(store) -> dict[str, bytes]:
    """Blackpool's synthetic demonstration files, made once for the whole browser run."""
    return demo_files("E06000009", store)


@pytest.fixture(scope="session")
def demo_903_files(blackpool_demo, tmp_path_factory) -> list[Path]:
    """Blackpool's demo SSDA903 Header and Episodes files, as a user would have them on disk."""
    folder = tmp_path_factory.mktemp("demo903")
    paths = []
    for name in ("demo_903_header.csv", "demo_903_episodes.csv"):
        path = folder / name
        path.write_bytes(blackpool_demo[name])
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def case_extract_file(blackpool_demo, tmp_path_factory) -> Path:
    """Blackpool's demo case-system extract, which asks the user to confirm its columns."""
    path = tmp_path_factory.mktemp("extract") / "demo_case_extract.csv"
    path.write_bytes(blackpool_demo["demo_case_extract.csv"])
    return path


@pytest.fixture(scope="session")
def empty_csv(tmp_path_factory) -> Path:
    """A file that cannot be records: an empty CSV."""
    path = tmp_path_factory.mktemp("bad") / "episodes.csv"
    path.write_bytes(b"")
    return path
