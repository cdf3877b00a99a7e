"""What the screen shows in the chosen view: the same tables and sentences the exports publish."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from csc_inequalities.publication.disclosure import View
from csc_inequalities.publication.report_content import findings_sentences
from csc_inequalities.publication.tables import ViewTable, screen_tables, with_geography
from csc_inequalities.publication.view_context import ViewContext, view_context

if TYPE_CHECKING:
    from csc_inequalities.results.analysis import Analysis

WITHHELD_ON_SCREEN = (
    "Some findings are withheld in the publication view because they would reveal a "
    "suppressed count."
)


@dataclass(frozen=True)
class ShownResults:
    """The analysis as one view shows it: tables by key, findings, and whether any are withheld."""

    context: ViewContext
    # The tables as the screen shows them, without the authority's code and name columns.
    screen_tables: dict[str, ViewTable]
    sentences: list[str]
    withheld: bool

    @cached_property
    def tables(self) -> dict[str, ViewTable]:
        """The tables as files give them, made on the first export: adding the authority's
        code and name to every table cost more than the rest of applying an internal view."""
        return {
            key: with_geography(table, self.context) for key, table in self.screen_tables.items()
        }

    def frame(self, key: str) -> pd.DataFrame | None:
        """A table as shown ('c' where suppressed), or None when the view withholds it."""
        table = self.screen_tables.get(key)
        return None if table is None else table.frame


def shown_results(analysis: Analysis, view: str, demo: bool) -> ShownResults:
    """Apply the view (internal or publication) once, for every panel and export of a session."""
    context = view_context(analysis, View(view), demo=demo)
    tables = {table.key: table for table in screen_tables(analysis, context)}
    sentences, withheld = findings_sentences(analysis, tables, context)
    return ShownResults(context, tables, sentences, withheld)
