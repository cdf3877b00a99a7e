"""The screen's view: publication shows no count of 1 to 5 anywhere; internal is exact."""

from __future__ import annotations

import pandas as pd
import pytest

from csc_inequalities.demo.prepared import demo_records
from csc_inequalities.publication.disclosure import SUPPRESSED
from csc_inequalities.publication.shown import shown_results
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.measures import Measure, year_ending

RUTLAND = "E06000017"  # small: many small counts to suppress


@pytest.fixture(scope="module")
def analysis(store):
    records = demo_records(RUTLAND)
    return run_analysis(records, store, RUTLAND, 2025, Measure("CLA", "at_date", year_ending(2025)))


def test_internal_view_shows_the_analysis_exactly(analysis) -> None:
    shown = shown_results(analysis, "internal", demo=True)
    pd.testing.assert_series_equal(
        shown.frame("gradient")["count"].astype(float),
        analysis.gradient["count"].astype(float),
        check_names=False,
    )
    assert shown.sentences and not shown.withheld


def test_publication_view_hides_every_count_from_one_to_five(analysis) -> None:
    shown = shown_results(analysis, "publication", demo=True)
    for key, table in shown.tables.items():
        if "count" not in table.frame.columns:
            continue
        counts = pd.to_numeric(table.frame["count"].replace(SUPPRESSED, None), errors="coerce")
        assert not counts.between(1, 5).any(), key
    assert shown.context.view_label.startswith("Publication")
    internal = shown_results(analysis, "internal", demo=True)
    assert set(shown.sentences) <= set(internal.sentences)


@pytest.mark.parametrize("view", ["internal", "publication"])
def test_files_give_the_screens_tables_with_the_authority_first(analysis, view) -> None:
    shown = shown_results(analysis, view, demo=True)
    assert shown.tables.keys() == shown.screen_tables.keys()
    for key, table in shown.tables.items():
        screen = shown.frame(key)
        assert list(table.frame.columns) == ["la_code", "la_name", *screen.columns], key
        assert set(table.frame["la_code"]) == {RUTLAND}
        assert set(table.frame["la_name"]) == {analysis.la_name}
        pd.testing.assert_frame_equal(
            table.frame.drop(columns=["la_code", "la_name"]), screen, check_dtype=False, obj=key
        )
        assert table.title == shown.screen_tables[key].title
