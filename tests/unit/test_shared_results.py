"""Sessions on the same demo choice share one analysis; an upload's analysis is never shared."""

from __future__ import annotations

import dataclasses
import gc
import pickle

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from csc_inequalities.context.standardise import standardise
from csc_inequalities.demo.files import STANDARD_RETURN_FILES, demo_files
from csc_inequalities.demo.prepared import demo_records, is_shared_demo
from csc_inequalities.figures.layers import LAYERS, layer_map
from csc_inequalities.publication.charts import analysis_charts
from csc_inequalities.publication.shown import shown_results
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import view_context
from csc_inequalities.records.load import load_records
from csc_inequalities.reference.maps_data import authority_geojson
from csc_inequalities.results.localities import localities, scheme_for
from csc_inequalities.results.measures import Measure, year_ending
from csc_inequalities.serving.shared_results import (
    DEMO_ANALYSES,
    DEMO_SHOWN,
    AnalysisChoice,
    analysis_for,
    shown_for,
)

LA = "E06000009"  # Blackpool
pytestmark = pytest.mark.slow


def choice_of(intervention: str = "CPP", year: int = 2025) -> AnalysisChoice:
    return AnalysisChoice(LA, 2025, Measure(intervention, "at_date", year_ending(year)))


def test_sessions_on_one_demo_choice_get_one_analysis_freed_when_none_shows_it(store):
    records = demo_records(LA)
    first = analysis_for(records, store, choice_of())
    assert analysis_for(records, store, choice_of()) is first
    assert analysis_for(records, store, choice_of("CLA")) is not first
    fresh = choice_of().analysis(records, store)
    assert_frame_equal(first.gradient, fresh.gradient)
    assert first.sentences == fresh.sentences

    shown = shown_for(records, choice_of(), first, "publication", demo=True)
    assert shown_for(records, choice_of(), first, "publication", demo=True) is shown
    assert shown_for(records, choice_of(), first, "internal", demo=True) is not shown
    assert shown.context.demo

    del first, fresh, shown
    gc.collect()
    assert choice_of() not in DEMO_ANALYSES
    assert (choice_of(), "publication") not in DEMO_SHOWN


def test_an_uploads_analysis_is_its_sessions_alone(store):
    files = demo_files(LA, store, names=STANDARD_RETURN_FILES)
    uploaded = load_records(list(files.items()), LA, store)
    assert not is_shared_demo(uploaded, LA)
    held = len(DEMO_ANALYSES), len(DEMO_SHOWN)
    one = analysis_for(uploaded, store, choice_of())
    other = analysis_for(uploaded, store, choice_of())
    assert one is not other
    assert shown_for(uploaded, choice_of(), one, "internal", demo=False) is not shown_for(
        uploaded, choice_of(), one, "internal", demo=False
    )
    assert (len(DEMO_ANALYSES), len(DEMO_SHOWN)) == held
    # Even another session's demo choice is never handed to an upload.
    demo = analysis_for(demo_records(LA), store, choice_of())
    assert analysis_for(uploaded, store, choice_of()) is not demo


def frames_of(value: object, path: str = "") -> dict[str, pd.DataFrame]:
    """Every data frame inside a result, by where it sits."""
    if isinstance(value, pd.DataFrame):
        return {path: value}
    found: dict[str, pd.DataFrame] = {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            found |= frames_of(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            found |= frames_of(item, f"{path}[{key!r}]")
    return found


def test_what_every_panel_and_export_does_with_a_shared_analysis_leaves_it_unchanged(store):
    records = demo_records(LA)
    analysis = analysis_for(records, store, choice_of())
    shown = {
        v: shown_for(records, choice_of(), analysis, v, demo=True)
        for v in ("internal", "publication")
    }
    before = pickle.dumps((frames_of(analysis), {v: frames_of(s) for v, s in shown.items()}))
    assert len(frames_of(analysis)) >= 8 and len(frames_of(shown["publication"])) >= 6

    geojson = authority_geojson(2025, LA)
    for layer in LAYERS:
        layer_map(geojson, analysis.lsoas, layer, analysis.la_name, "label")
    for view in ("internal", "publication"):
        context = view_context(analysis, view, demo=True)
        tables = {t.key: t for t in analysis_tables(analysis, context)}
        analysis_charts(analysis, tables, context, store)
        shown_results(analysis, view, demo=True)
    standardise(analysis, store)
    localities(analysis, scheme_for("district", store, LA, 2025))

    after = pickle.dumps((frames_of(analysis), {v: frames_of(s) for v, s in shown.items()}))
    assert after == before
