"""Who is signed in, above every panel, when a sign-in proxy in front of the app says so."""

from __future__ import annotations

from shiny import ui


def signed_in_ui(name: str | None) -> ui.Tag | None:
    """'Signed in as NAME' (escaped as text) when a trusted proxy named the user, else nothing."""
    if name is None:
        return None
    return ui.p("Signed in as ", ui.strong(name), class_="signed-in small mb-1", id="signed-in")
