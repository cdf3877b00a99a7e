"""Each authority's demo is made once by the data build and read back exactly as it was made."""

from __future__ import annotations

import dataclasses
import gc
import logging
import weakref

import pytest
from pandas.testing import assert_frame_equal

from csc_inequalities.demo import prepared
from csc_inequalities.demo.files import STANDARD_RETURN_FILES, demo_files
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.measures import Measure, available_years, year_ending

# A small unitary, the smallest authority (City of London) and a large metropolitan one.
AUTHORITIES = ("E06000009", "E09000001", "E08000025")

pytestmark = pytest.mark.slow


def assert_same_records(read, made) -> None:
    for name in prepared.TABLES:
        if name == "events":
            assert_frame_equal(read.decision_events(), made.decision_events())
        else:
            assert_frame_equal(getattr(read, name), getattr(made, name))
    assert read.notes == made.notes


def test_the_events_stay_in_the_store_until_the_cascade_asks_for_them(store):
    stored = prepared.read_demo(prepared.demo_folder(store.store_dir, "E06000009"))
    assert stored.events.empty and stored.events_reader is not None
    events = stored.decision_events()
    assert len(events) > 1000  # Blackpool's referrals, assessments and plans
    assert stored.decision_events() is events  # read once, then kept with the records
    shared = dataclasses.replace(stored, spells=stored.spells.head(0))
    assert shared.decision_events() is events


@pytest.mark.parametrize("la_code", AUTHORITIES)
def test_the_stored_demo_is_what_generating_it_now_gives(store, la_code):
    assert prepared.stored_demos_current(store.store_dir)
    stored = prepared.read_demo(prepared.demo_folder(store.store_dir, la_code))
    assert_same_records(stored, prepared.prepare_demo(la_code, store))
    assert len(stored.spells) > 0 and stored.summary["records_read"].sum() > 0


def test_categories_give_every_result_the_plain_spells_give(store):
    la_code = "E06000009"
    files = demo_files(la_code, store, names=STANDARD_RETURN_FILES)
    plain = load_records(list(files.items()), la_code, store)
    compact = prepared.read_demo(prepared.demo_folder(store.store_dir, la_code))
    assert compact.spells.memory_usage(deep=True).sum() < (
        plain.spells.memory_usage(deep=True).sum() / 2
    )
    assert_frame_equal(compact.spells.astype(plain.spells.dtypes), plain.spells)
    year = available_years(plain.spells)[-1]
    for imd_year, intervention, kind, deciles in (
        (2025, "CPP", "at_date", "national"),
        (2019, "CLA", "starts", "local"),
        (2025, "CIN", "starts", "national"),
    ):
        measure = Measure(intervention, kind, year_ending(year))
        ours, theirs = (
            run_analysis(records, store, la_code, imd_year, measure, deciles)
            for records in (compact, plain)
        )
        for item in dataclasses.fields(ours):
            mine, other = getattr(ours, item.name), getattr(theirs, item.name)
            if hasattr(mine, "equals"):
                assert mine.equals(other), item.name
            elif dataclasses.is_dataclass(mine):
                assert repr(mine) == repr(other), item.name
            else:
                assert mine == other, item.name


def test_sessions_share_one_copy_which_is_freed_when_none_shows_it(store):
    first = prepared.demo_records("E06000009")
    assert prepared.demo_records("E06000009") is first
    assert ("E06000009", prepared.DEFAULT_SEED) in prepared._SHARED
    del first
    gc.collect()
    assert ("E06000009", prepared.DEFAULT_SEED) not in prepared._SHARED


def test_without_a_current_stored_demo_it_is_generated_and_says_so(store, monkeypatch, caplog):
    monkeypatch.setattr(prepared, "stored_demos_current", lambda store_dir, seed: False)
    monkeypatch.setattr(prepared, "_SHARED", weakref.WeakValueDictionary())
    with caplog.at_level(logging.WARNING, logger=prepared.__name__):
        made = prepared.demo_records("E09000001")
    assert "No current prepared demo for E09000001" in caplog.text
    stored = prepared.read_demo(prepared.demo_folder(store.store_dir, "E09000001"))
    assert_same_records(made, stored)


def test_the_fingerprint_covers_the_readers_the_generators_and_what_they_import():
    behind = {
        path.relative_to(prepared._PACKAGE_ROOT).as_posix()
        for path in prepared._modules_behind(prepared.ENTRY_MODULES)
    }
    assert {
        "demo/prepared.py",
        "demo/files.py",
        "demo/cases.py",
        "records/load.py",
        "records/ssda903.py",
        "records/cin_census.py",
        "records/canonical.py",
        "context/official_rates.py",
    } <= behind
    assert not {"results/analysis.py", "reference/memory.py"} & behind


def test_a_demo_is_ready_at_once_when_stored_or_shared_and_not_when_it_must_be_made(
    store, monkeypatch
):
    assert prepared.demo_ready("E06000009")
    assert not prepared.demo_ready("E99999999")  # no such authority's folder in the store
    monkeypatch.setattr(prepared, "stored_demos_current", lambda store_dir, seed: False)
    monkeypatch.setattr(prepared, "_SHARED", weakref.WeakValueDictionary())
    assert not prepared.demo_ready("E06000009")  # the build's demos are another code's: made
    shown = prepared.read_demo(prepared.demo_folder(store.store_dir, "E06000009"))
    prepared._SHARED[("E06000009", prepared.DEFAULT_SEED)] = shown
    assert prepared.demo_ready("E06000009")  # another session holds it already
