"""The banner above every panel: whose data are shown and whether the view may be published."""

from __future__ import annotations

from collections.abc import Callable

from shiny import module, render, ui

from modules.state import Settings

VIEW_TEXT = {
    "internal": "Internal view: exact figures, not for publication.",
    "publication": "Publication view: counts of 1 to 5 suppressed (shown as c) with secondary "
    "suppression.",
}


@module.ui
def banner_ui() -> ui.Tag:
    """A live region so screen readers hear when the data source or view changes."""
    return ui.div(ui.output_ui("banner"), role="status", aria_live="polite")


@module.server
def banner_server(input, output, session, settings: Settings, is_demo: Callable[[], bool]):
    """Say in words which data and which view every figure on the page comes from."""

    @render.ui
    def banner():
        source = (
            "Synthetic demonstration data: no real child is in these figures."
            if is_demo()
            else "Your uploaded records (held in this browser session only)."
        )
        css = "alert-warning" if is_demo() else "alert-info"
        return ui.div(
            ui.span(source, class_="data-banner", id="data-source"),
            " ",
            ui.span(VIEW_TEXT[settings.view()], id="view-label"),
            class_=f"alert {css} py-2 mb-2",
        )
