"""Files the app gives a user, fetched as a browser downloads them and opened by their type."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree

import docx
import openpyxl
from playwright.sync_api import Page, expect

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_file(name: str, content: bytes) -> None:
    """Open the file by its type, as a user's program would, and check it is not empty."""
    assert content, name
    if name.endswith(".png"):
        assert content.startswith(PNG_SIGNATURE), name
    elif name.endswith(".svg"):
        assert ElementTree.fromstring(content).tag.endswith("svg"), name
    elif name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert len(rows) >= 2 and len(rows[0]) >= 2, name
    elif name.endswith(".xlsx"):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert len(workbook.sheetnames) >= 2, name  # the table and its metadata sheet
    elif name.endswith(".docx"):
        assert docx.Document(io.BytesIO(content)).paragraphs, name
    elif name.endswith(".html"):
        assert b"<html" in content[:500].lower(), name
    else:
        raise AssertionError(f"unexpected download {name}")


def download(page: Page, link_id: str) -> tuple[str, bytes]:
    """Click a download link once it is ready: the suggested file name and the file's bytes."""
    link = page.locator(f"#{link_id}")
    expect(link).not_to_have_class(re.compile(r"\bdisabled\b"), timeout=60_000)
    with page.expect_download(timeout=180_000) as info:
        link.click()
    with open(info.value.path(), "rb") as handle:
        return info.value.suggested_filename, handle.read()
