"""The banner above every panel: whose data are shown and whether the view may be published."""

from __future__ import annotations

from collections.abc import Callable

from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.intake import NOTHING_USED, IntakeAlert, intake_alert
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
def banner_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    settings: Settings,
    is_demo: Callable[[], bool],
    records: Callable[[], LoadResult],
):
    """Say in words which data and which view every figure on the page comes from."""

    @reactive.calc
    def intake() -> IntakeAlert | None:
        return None if is_demo() else intake_alert(records())

    @render.ui
    def banner():
        source = (
            "Synthetic demonstration data: no real child is in these figures."
            if is_demo()
            else "Your uploaded records (held in this browser session only)."
        )
        css = "alert-warning" if is_demo() else "alert-info"
        return ui.TagList(
            intake_box(intake()),
            ui.div(
                ui.span(source, class_="data-banner", id="data-source"),
                " ",
                ui.span(VIEW_TEXT[settings.view()], id="view-label"),
                class_=f"alert {css} py-2 mb-2",
            ),
        )


def intake_box(alert: IntakeAlert | None) -> ui.Tag | None:
    """The reasons records were dropped, above every result they affect."""
    if alert is None:
        return None
    css = "alert-danger" if alert.level == NOTHING_USED else "alert-warning"
    headline = alert.headline()
    return ui.div(
        *[ui.p(join, class_="mb-1") for join in alert.joins],
        ui.p(ui.strong(headline), class_="mb-1") if headline else None,
        ui.tags.ul(*[ui.tags.li(reason) for reason in alert.reason_list()], class_="mb-1")
        if headline and alert.reasons
        else None,
        ui.p("The Your data tab lists every dropped record and why.", class_="mb-0 small"),
        class_=f"alert {css} py-2 mb-2",
        id="intake-alert",
    )
