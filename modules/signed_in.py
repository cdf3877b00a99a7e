"""Who is signed in, above every panel, when a sign-in proxy in front of the app says so."""

from __future__ import annotations

from shiny import ui
from starlette.requests import Request

from csc_inequalities.serving.proxy_user import proxy_user_trusted, signed_in_user


def signed_in_ui(request: Request) -> ui.Tag | None:
    """'Signed in as NAME' from the proxy's headers (escaped as text), or nothing without one."""
    name = signed_in_user(request.headers, proxy_user_trusted())
    if name is None:
        return None
    return ui.p("Signed in as ", ui.strong(name), class_="signed-in small mb-1", id="signed-in")
