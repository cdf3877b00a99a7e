"""The demo's results, worked out once for every session showing the same choice.

Every session on an authority's demo shows the same synthetic records, so sessions that choose
the same authority, measure and options would each compute the same analysis (40-70 ms of the
interpreter, the largest part of a measure or authority change). Here the first session computes
it and the others take it while any session still shows it; nothing is kept once none does.
An upload's results are never shared: they are computed for, and stay with, their own session.
Results are read-only by design (every panel of a session already shares them).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from csc_inequalities.demo.prepared import is_shared_demo
from csc_inequalities.publication.shown import ShownResults, shown_results
from csc_inequalities.results.analysis import Analysis, run_analysis
from csc_inequalities.results.measures import Measure
from csc_inequalities.results.population import ALL

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store

_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True)
class AnalysisChoice:
    """Everything a session chose that its analysis depends on, besides the records."""

    la_code: str
    imd_year: int
    measure: Measure
    deciles: str = "national"
    domain: str = "imd"
    age_band: str = ALL
    sex: str = ALL

    def analysis(self, records: LoadResult, store: Store) -> Analysis:
        """The analysis of these records for this choice."""
        return run_analysis(
            records,
            store,
            self.la_code,
            self.imd_year,
            self.measure,
            deciles=self.deciles,
            domain=self.domain,
            age_band=self.age_band,
            sex=self.sex,
        )


class SharedWhileHeld(Generic[_K, _V]):
    """Values made once per key and handed to every caller while any of them still holds one."""

    def __init__(self) -> None:
        self._held: weakref.WeakValueDictionary[_K, _V] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def get(self, key: _K, make: Callable[[], _V]) -> _V:
        """The value held for the key, else a new one made now (and held while it is used)."""
        with self._lock:
            found = self._held.get(key)
        if found is not None:
            return found
        made = make()
        with self._lock:
            return self._held.setdefault(key, made)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key: object) -> bool:
        return key in self._held


DEMO_ANALYSES: SharedWhileHeld[AnalysisChoice, Analysis] = SharedWhileHeld()
DEMO_SHOWN: SharedWhileHeld[tuple[AnalysisChoice, str], ShownResults] = SharedWhileHeld()


def analysis_for(records: LoadResult, store: Store, choice: AnalysisChoice) -> Analysis:
    """The analysis for a session: shared when its records are the authority's demo."""
    if not is_shared_demo(records, choice.la_code):
        return choice.analysis(records, store)
    return DEMO_ANALYSES.get(choice, lambda: choice.analysis(records, store))


def shown_for(
    records: LoadResult, choice: AnalysisChoice, analysis: Analysis, view: str, demo: bool
) -> ShownResults:
    """The analysis as the view shows it: shared like the analysis when it is of the demo."""
    if not (demo and is_shared_demo(records, choice.la_code)):
        return shown_results(analysis, view, demo)
    return DEMO_SHOWN.get((choice, view), lambda: shown_results(analysis, view, demo))
