"""load_records as a whole: detection by content, summary, privacy and robustness to bad input."""

from __future__ import annotations

import builtins
import io
import logging
import os
import tempfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csc_inequalities.exports.tables import issues_csv
from csc_inequalities.records.canonical import SPELL_COLUMNS, SUMMARY_COLUMNS, LoadResult
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from tests.helpers.fake_store import LA, FakeStore
from tests.helpers.return_samples import ADDRESSES, CHILDREN, EPISODES, HEADER, census

FILES = [
    ("one.csv", EPISODES.encode()),
    ("two.csv", HEADER.encode("cp1252")),
    ("three.xml", census(CHILDREN)),
    ("four.csv", ADDRESSES),
]


def test_each_file_is_detected_by_content_and_summarised():
    result = load_records(FILES, LA, FakeStore())
    summary = result.summary.set_index("file")
    assert list(result.summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["kind"].to_dict() == {
        "one.csv": "SSDA903 Episodes",
        "two.csv": "SSDA903 Header",
        "three.xml": "CIN census XML",
        "four.csv": "Address extract",
    }
    assert summary.loc["one.csv", "records_read"] == 11
    assert summary.loc["three.xml", "records_read"] == 6
    assert summary["spells_used"].sum() == len(result.spells)
    assert summary["dropped"].sum() == (result.issues["severity"] == "dropped").sum()
    assert summary["outside_authority"].sum() == 2
    assert list(result.spells.columns) == list(SPELL_COLUMNS)
    assert set(result.spells["intervention"]) == {"CIN", "CPP", "CLA"}


def test_reason_counts_add_up_to_the_issue_list():
    result = load_records(FILES, LA, FakeStore())
    reasons = result.reason_counts()
    assert reasons["records"].sum() == len(result.issues)
    assert set(reasons["severity"]) == {"dropped", "warning"}


def test_issue_csv_holds_only_file_row_child_id_and_reason():
    result = load_records(FILES, LA, FakeStore())
    text = issues_csv(result.issues).decode("utf-8-sig")
    assert text.splitlines()[0] == "file,row,child_id,severity,reason,detail"
    for private in ("AB1", "ZZ9", "2010", "2015-03-27", "WBRI"):
        assert private not in text


def test_no_files_and_unrecognised_files_get_clear_messages():
    with pytest.raises(RecordsError, match="No files were given"):
        load_records([], LA, FakeStore())
    with pytest.raises(RecordsError, match=r"notes.csv \(columns Name, Team\) matches no file"):
        load_records([("notes.csv", b"Name,Team\na,b\n")], LA, FakeStore())


def workbook_extract() -> bytes:
    """A case-system extract as an .xlsx workbook, made in memory."""
    buffer = io.BytesIO()
    frame = pd.DataFrame(
        {
            "child_id": ["W1"],
            "intervention": ["CPP"],
            "start_date": ["01/05/2024"],
            "postcode": ["AB1 2CD"],
        }
    )
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def test_loading_writes_nothing_to_disk(tmp_path, monkeypatch):
    files = FILES + [("extract.xlsx", workbook_extract())]
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(work)
    # A temporary folder of its own, so other processes' files cannot be mistaken for ours.
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    writes = []
    real_open, real_os_open = builtins.open, os.open

    def watched_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def watched_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(os, "open", watched_os_open)
    load_records(files, LA, FakeStore())
    assert writes == []
    assert list(work.iterdir()) == []
    assert list(temporary.iterdir()) == []


def test_loading_logs_and_prints_nothing_about_a_child(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    result = load_records(FILES, LA, FakeStore())
    assert not result.spells.empty
    logged = " ".join(record.getMessage() for record in caplog.records)
    for child_id in ("K1", "K2", "AB1 2CD", "2015-03-27"):
        assert child_id not in logged
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_results_of_two_loads_are_independent():
    first = load_records(FILES[:2], LA, FakeStore())
    second = load_records(FILES[2:], LA, FakeStore())
    assert set(first.spells["intervention"]) == {"CLA"}
    assert set(second.spells["intervention"]) <= {"CIN", "CPP"}
    assert not set(first.spells["child_id"]) & set(second.spells["child_id"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_give_a_result_or_a_records_error(content):
    try:
        result = load_records([("f.csv", content)], LA, FakeStore())
    except RecordsError as error:
        assert str(error)
    else:
        assert isinstance(result, LoadResult)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "CHILD",
                    "DECOM",
                    "RNE",
                    "LS",
                    "DEC",
                    "HOME_POST",
                    "A",
                    "",
                    "01/02/2024",
                    "S",
                    "V3",
                    "AB1 2CD",
                    '"',
                    ";",
                    "E01000001",
                    "CPP",
                    "99/99/9999",
                    "2024-01-01",
                ]
            ),
            min_size=1,
            max_size=7,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_tables_give_a_result_or_a_records_error(rows):
    content = "\n".join(",".join(row) for row in rows).encode()
    try:
        load_records([("f.csv", content)], LA, FakeStore())
    except RecordsError as error:
        assert str(error)
