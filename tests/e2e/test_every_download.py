"""A JSNA author clicks every download on the Export tab and each file is what it says it is."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.helpers.browsing import open_app, open_tab
from tests.helpers.downloads import check_file, download


def test_every_export_download_gives_a_valid_file(page: Page, app) -> None:
    open_app(page, app.url)
    open_tab(page, "export")
    links = page.locator('.tab-pane[data-value="export"] .shiny-download-link')
    ids = sorted({link.get_attribute("id") for link in links.all()})
    assert len(ids) >= 20, ids
    names = []
    for link_id in ids:
        name, content = download(page, link_id)
        names.append(name)
        check_file(name, content)
        assert name.endswith(
            (
                "publication.png",
                "publication.svg",
                "publication.csv",
                "publication.xlsx",
                "publication.docx",
                "publication.html",
            )
        ), name
    assert {n.rsplit(".", 1)[1] for n in names} >= {"png", "svg", "csv", "xlsx", "docx", "html"}
