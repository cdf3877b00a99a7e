"""Browser tests: the app started as a user would start it, driven in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from shiny.pytest import create_app_fixture

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
