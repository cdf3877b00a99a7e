"""Sessions in a real browser: a full process turns new visitors away and keeps serving its users,
an idle session ends and says why, and two sessions never reach each other's data."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from shiny.playwright import controller

from tests.helpers.accessibility import AXE_OPTIONS, readable
from tests.helpers.browsing import open_app, open_tab, read_uploads
from tests.helpers.own_app import own_app

DEMO_BANNER = "Synthetic demonstration data"
UPLOAD_BANNER = "Your uploaded records"


def health(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
        return json.loads(response.read())


def wait_for_sessions(url: str, count: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while health(url)["sessions"] != count:
        assert time.monotonic() < deadline, f"still {health(url)['sessions']} sessions"
        time.sleep(0.2)


def read_and_wait(page, files) -> None:
    read_uploads(page, files)
    expect(page.locator("#upload-status")).to_contain_text("What was read", timeout=60_000)
    expect(page.locator("#data-source")).to_contain_text(UPLOAD_BANNER)


def test_a_full_process_turns_new_visitors_away_and_keeps_serving_its_sessions(
    browser: Browser, tmp_path
) -> None:
    with own_app({"CSC_MAX_SESSIONS": "1"}, tmp_path / "app.log") as url:
        first = browser.new_context().new_page()
        open_app(first, url)
        state = health(url)
        assert (state["sessions"], state["max_sessions"], state["accepting"]) == (1, 1, False)
        assert state["rss_mb"] > 50
        assert state["cpus"] and set(state["cpus"]) <= os.sched_getaffinity(0)

        second = browser.new_context().new_page()
        response = second.goto(url)
        assert response.status == 503 and response.headers["retry-after"] == "120"
        expect(second.locator("html")).to_have_attribute("lang", "en")
        expect(second.get_by_role("heading", level=1)).to_have_text("The service is busy")
        expect(second.get_by_role("main")).to_contain_text("try again in a few minutes")
        result = Axe().run(second, options=AXE_OPTIONS)
        assert result.violations_count == 0, readable(result.response["violations"])

        controller.InputSelectize(first, "controls-la").set("E10000016")
        expect(first.locator("#neighbourhoods-map .chart-title")).to_contain_text(
            "Kent: neighbourhoods", timeout=60_000
        )
        first.context.close()
        wait_for_sessions(url, 0)
        open_app(second, url)


def test_an_idle_session_ends_frees_its_records_and_the_page_says_why(
    browser: Browser, tmp_path, demo_903_files
) -> None:
    with own_app({"CSC_IDLE_MINUTES": "0.2"}, tmp_path / "app.log") as url:
        page = browser.new_context().new_page()
        open_app(page, url)
        read_and_wait(page, demo_903_files)

        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_be_visible(timeout=60_000)
        expect(dialog.get_by_role("heading")).to_have_text("Your session has ended")
        expect(dialog).to_contain_text("ended after 12 seconds without activity")
        expect(dialog).to_contain_text("cleared from the server's memory")
        restart = dialog.get_by_role("button", name="Start a new session")
        expect(restart).to_be_focused()
        result = Axe().run(page, options=AXE_OPTIONS)
        assert result.violations_count == 0, readable(result.response["violations"])
        assert health(url)["sessions"] == 0

        restart.click()  # a new session: the demo again, nothing of the ended one
        open_app(page, url)
        expect(page.locator("#data-source")).to_contain_text(DEMO_BANNER)
        expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_two_sessions_never_reach_each_others_records_or_downloads(
    browser: Browser, app, demo_903_files
) -> None:
    mine, theirs = (browser.new_context().new_page() for _ in range(2))
    base = app.url.rstrip("/")
    for page in (mine, theirs):
        open_app(page, base)
    read_and_wait(mine, demo_903_files)
    expect(theirs.locator("#data-source")).to_contain_text(DEMO_BANNER)

    # My list of dropped records names my children: it is mine to download, and no one else's,
    # even with its exact address (which travels in logs and the page).
    address = mine.locator("#upload-issues_download").get_attribute("href")
    assert address and address.startswith("session/")
    issues = mine.request.get(f"{base}/{address}")
    assert issues.status == 200 and b"child" in issues.body().lower()
    assert theirs.request.get(f"{base}/{address}").status == 404
    session_of_mine = address.split("/")[1]
    upload = f"{base}/session/{session_of_mine}/upload/0?w="
    assert theirs.request.post(upload, data=b"CHILD\n1\n").status == 404

    # Each session's own exports carry its own records only.
    tables = {}
    for name, page in (("mine", mine), ("theirs", theirs)):
        open_tab(page, "export")
        link = page.locator("#exports-gradient_csv")
        with page.expect_download(timeout=120_000) as info:
            link.click()
        tables[name] = Path(info.value.path()).read_bytes()
    assert tables["mine"] != tables["theirs"]
    expect(theirs.locator("#data-source")).to_contain_text(DEMO_BANNER)
    expect(mine.locator("#data-source")).to_contain_text(UPLOAD_BANNER)
