"""The session's records (an upload, else the demo) and the one analysis every panel shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from shiny import Inputs, Outputs, Session, module, reactive
from shiny.types import SilentException

from csc_inequalities.demo.prepared import demo_ready, demo_records
from csc_inequalities.publication.shown import ShownResults
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.measures import Measure, year_ending
from csc_inequalities.serving.shared_results import AnalysisChoice, analysis_for, shown_for
from modules.state import Settings


@dataclass(frozen=True)
class SessionData:
    """Reactives shared by the result panels; uploads never leave this session's memory."""

    records: Callable[[], LoadResult]
    is_demo: Callable[[], bool]
    analysis: Callable[[], Analysis]
    shown: Callable[[], ShownResults]
    # The analysis as a view shows it (the exports' view): the screen's own when they match.
    shown_in: Callable[[str], ShownResults]


@module.server
def session_data_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    store: ReferenceStore,
    settings: Settings,
    uploaded: Callable[[], LoadResult | None],
) -> SessionData:
    """One reactive calc feeds every chart, table, map and export of the session."""

    @reactive.calc
    def is_demo() -> bool:
        return uploaded() is None

    # The demo the data build stored is read in milliseconds, here; one it did not store is
    # generated beside the event loop (seconds), and a session that ends cancels a generation
    # still waiting to start.
    @reactive.extended_task
    async def demo_task(la_code: str) -> LoadResult:
        return await asyncio.to_thread(demo_records, la_code)

    session.on_ended(demo_task.cancel)

    @reactive.effect
    def _make_a_demo_the_build_did_not_store() -> None:
        if uploaded() is None and not demo_ready(settings.la_code()):
            demo_task(settings.la_code())

    @reactive.calc
    def records() -> LoadResult:
        upload = uploaded()
        if upload is not None:
            return upload
        if demo_ready(settings.la_code()):
            return demo_records(settings.la_code())
        return demo_task.result()

    @reactive.calc
    def choice() -> AnalysisChoice:
        year = settings.year()
        if not year:
            raise SilentException()  # no year offered yet: wait, as req(year) would
        return AnalysisChoice(
            settings.la_code(),
            settings.imd_year(),
            Measure(settings.intervention(), settings.count_kind(), year_ending(year)),
            deciles=settings.deciles(),
            domain=settings.domain(),
            age_band=settings.age_band(),
            sex=settings.sex(),
        )

    # Sessions showing the same demo choice share one analysis (see shared_results).
    @reactive.calc
    def analysis() -> Analysis:
        return analysis_for(records(), store, choice())

    def shown_as(view: str) -> ShownResults:
        return shown_for(records(), choice(), analysis(), view, is_demo())

    @reactive.calc
    def shown() -> ShownResults:
        return shown_as(settings.view())

    def shown_in(view: str) -> ShownResults:
        return shown() if view == settings.view() else shown_as(view)

    return SessionData(
        records=records, is_demo=is_demo, analysis=analysis, shown=shown, shown_in=shown_in
    )
