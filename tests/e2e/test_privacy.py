"""Children's data stays in memory: after a whole journey (upload, every tab, every export) with
debug logging, no child's id, postcode or date of birth and no uploaded file's name is in any
log line or in any file the app left in its temporary folder."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, expect

from csc_inequalities.demo import STANDARD_RETURN_FILES, demo_files
from tests.helpers.browsing import open_app, open_tab, wait_until_settled
from tests.helpers.downloads import check_file, download
from tests.helpers.own_app import own_app

BLACKPOOL = "E06000009"
# Names no log line could contain by chance.
PRIVATE_NAMES = {
    "demo_903_header.csv": "looked-after-header-q7r2k.csv",
    "demo_903_episodes.csv": "looked-after-episodes-q7r2k.csv",
    "demo_cin_census.xml": "children-in-need-census-q7r2k.xml",
    "demo_cin_addresses.csv": "children-addresses-q7r2k.csv",
}
INPUT_OF = {
    "demo_903_header.csv": "upload-files_903",
    "demo_903_episodes.csv": "upload-files_903",
    "demo_cin_census.xml": "upload-files_cin",
    "demo_cin_addresses.csv": "upload-files_cin",
}
DEBUG_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "DEBUG", "handlers": ["stderr"]},
    "loggers": {
        name: {"level": "DEBUG", "handlers": ["stderr"], "propagate": False}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    },
}


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def private_values(files: dict[str, bytes]) -> set[str]:
    """Every child id, postcode (as written and without its space) and date of birth."""
    values: set[str] = set()
    for row in csv_rows(files["demo_903_header.csv"]):
        values |= {row["CHILD"], row["DOB"]}
    for row in csv_rows(files["demo_903_episodes.csv"]):
        values |= {row["CHILD"], row["HOME_POST"], row["PL_POST"]}
    for row in csv_rows(files["demo_cin_addresses.csv"]):
        values |= {row["LAchildID"], row["Postcode"]}
    census = files["demo_cin_census.xml"].decode()
    values |= set(re.findall(r"<LAchildID>([^<]+)</LAchildID>", census))
    births = set(re.findall(r"<PersonBirthDate>([^<]+)</PersonBirthDate>", census))
    day_first = {f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d in births}
    iso = {f"{d[6:10]}-{d[3:5]}-{d[:2]}" for d in values if re.fullmatch(r"\d\d/\d\d/\d{4}", d)}
    values |= births | day_first | iso
    values |= {value.replace(" ", "") for value in values if " " in value}
    return {value for value in values if value.strip()}


def test_a_whole_journey_leaves_no_childs_details_in_logs_or_on_disk(
    browser: Browser, store, tmp_path
) -> None:
    files = demo_files(BLACKPOOL, store, names=STANDARD_RETURN_FILES)
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    for name, content in files.items():
        (chosen / PRIVATE_NAMES[name]).write_bytes(content)
    # A short path: Chromium (image exports) puts a socket in it, and socket paths are short.
    temporary = Path(tempfile.mkdtemp(prefix="csc-", dir="/tmp"))
    log, logging_config = tmp_path / "app.log", tmp_path / "logging.json"
    logging_config.write_text(json.dumps(DEBUG_LOGGING))
    options = ["--log-config", str(logging_config), "--log-level", "debug"]

    with own_app({"TMPDIR": str(temporary)}, log, options) as url:
        page = browser.new_context(accept_downloads=True).new_page()
        open_app(page, url)
        open_tab(page, "data")
        for input_id in ("upload-files_903", "upload-files_cin"):
            names = [PRIVATE_NAMES[n] for n, i in INPUT_OF.items() if i == input_id]
            page.set_input_files(f"#{input_id}", [str(chosen / name) for name in names])
            expect(page.locator(f"#{input_id}_progress")).to_contain_text("complete")
        page.locator("#upload-read").click()
        expect(page.locator("#upload-status")).to_contain_text("What was read", timeout=60_000)
        check_file("issues.csv", download(page, "upload-issues_download")[1])
        for tab in ("areas", "gradient", "ethnicity", "trend", "context"):
            open_tab(page, tab)
        open_tab(page, "export")
        links = page.locator('.tab-pane[data-value="export"] .shiny-download-link')
        ids = sorted({link.get_attribute("id") for link in links.all()})
        assert len(ids) >= 20
        for link_id in ids:
            check_file(*download(page, link_id))
        wait_until_settled(page)
        page.context.close()

    private = private_values(files) | set(PRIVATE_NAMES.values())
    assert len(private) > 1000
    anything_private = re.compile("|".join(map(re.escape, sorted(private, key=len, reverse=True))))
    text = log.read_text(errors="replace")
    assert re.search(r"^DEBUG ", text, re.MULTILINE)  # debug logging was on
    assert "/download/exports-" in text  # and saw the journey
    leaked = sorted(set(anything_private.findall(text)))
    assert not leaked, f"in the log: {leaked[:10]}"
    try:
        for path in temporary.rglob("*"):
            assert not anything_private.search(path.name), path
            if path.is_file():
                content = path.read_bytes().decode("utf-8", errors="replace")
                found = anything_private.findall(content)
                assert not found, f"{path} holds {sorted(set(found))[:10]}"
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
