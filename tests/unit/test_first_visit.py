"""Panels start on their tab's first visit, once, and then work as if started with the session."""

from __future__ import annotations

from shiny import module, reactive, render
from shiny.testserver import test_server

from modules.first_visit import start_on_first_visit

STARTS: list[str] = []


@module.server
def panel_server(input, output, session, source):
    """A panel with one output that follows the host's value, counting its starts."""
    STARTS.append(session.ns("x"))

    @render.text
    def shown():
        return f"shown {source()}"

    @reactive.calc
    def result():
        return source() * 10

    return result


def server(input, output, session):
    """A host app: a tab input, a value the panels show, two panels and one that needs the other."""
    source = reactive.value(1)

    @reactive.effect
    @reactive.event(input.bump)
    def _():
        source.set(input.bump() + 1)

    first = start_on_first_visit(input.page, "first", lambda: panel_server("first", source=source))
    start_on_first_visit(input.page, "second", lambda: panel_server("second", source=source))

    def start_needing_first():
        needed = first.ensure()

        @render.text
        def needs():
            return f"needs {needed()}"

    start_on_first_visit(input.page, "third", start_needing_first)


def show(session, page: str, *outputs: str) -> None:
    """Open a tab as the browser does: the page input and its outputs' visibility together.

    The browser reports every output of the page as it binds it, started or not; the test
    server reports only the outputs registered when the session began.
    """
    visible = {f".clientdata_output_{name}_hidden": False for name in outputs}
    session.set_inputs(page=page, **visible)


def test_a_panel_starts_only_when_its_tab_is_opened_and_only_once():
    STARTS.clear()
    with test_server(server) as session:
        session.set_inputs(page="home", bump=0)
        assert STARTS == []

        show(session, "first", "first-shown")
        assert STARTS == ["first-x"]
        assert session.get_output("first-shown") == "shown 1"

        session.set_inputs(page="home")
        session.set_inputs(page="first")
        assert STARTS == ["first-x"]


def test_a_panel_started_late_follows_changes_made_before_and_after():
    STARTS.clear()
    with test_server(server) as session:
        session.set_inputs(page="home", bump=0)
        session.set_inputs(bump=1)
        show(session, "second", "second-shown")
        assert session.get_output("second-shown") == "shown 2"
        session.set_inputs(bump=2)
        assert session.get_output("second-shown") == "shown 3"


def test_a_panel_another_needs_is_started_by_it_once():
    STARTS.clear()
    with test_server(server) as session:
        session.set_inputs(bump=0)
        show(session, "third", "needs")
        assert STARTS == ["first-x"]
        assert session.get_output("needs") == "needs 10"
        session.set_inputs(page="first")
        assert STARTS == ["first-x"]
