"""The Content-Security-Policy enforced in a real browser: no violation on any tab."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.helpers.browsing import TAB_READY, open_app, open_tab

# Collects every violation the page reports, from the first script on.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """The console's errors and warnings about the policy, as the browser words them."""
    found: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            found.append(text)

    page.on("console", keep)
    return found


def test_no_policy_violation_on_any_tab(page: Page, app, console_errors: list[str]) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.request.get(app.url)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy

    open_app(page, app.url)
    for tab in TAB_READY:
        open_tab(page, tab)
    # plotly's own image download draws the chart through data: and blob: addresses.
    open_tab(page, "gradient")
    page.locator("#gradient-plot").hover()
    with page.expect_download() as download:
        page.locator("#gradient-plot .modebar-btn[data-title^='Download plot']").click()
    assert download.value.suggested_filename.endswith(".png")

    assert page.evaluate("typeof Plotly") == "object", "plotly.js did not run"
    assert page.evaluate("window.cspViolations") == []
    assert console_errors == []
