"""The upload module's server: temp files deleted on read, summary shown, sessions kept apart."""

from __future__ import annotations

import time

from shiny import reactive, render
from shiny.testserver import test_server

from modules.state import Settings
from modules.upload import upload_server
from tests.helpers.fake_store import LA, FakeStore
from tests.helpers.return_samples import EPISODES, HEADER


def server(input, output, session):
    """A host app: the upload module and an output saying how many spells it produced."""

    @reactive.calc
    def la_code():
        return LA

    @reactive.calc
    def unused():
        return None

    settings = Settings(la_code, unused, unused, unused, unused, unused, unused, unused)
    uploaded = upload_server("upload", store=FakeStore(), settings=settings)

    @render.text
    def spells():
        result = uploaded()
        return "demo" if result is None else str(len(result.spells))


def read_the_files(session, presses: int = 1) -> None:
    """Press 'Read the files' and wait for the read, which runs beside the event loop."""
    session.set_inputs(**{"upload-read": presses})
    deadline = time.monotonic() + 30
    while "Reading and checking the files" in str(session.get_output("upload-status").value):
        assert time.monotonic() < deadline, "the files were not read within 30 s"
        time.sleep(0.02)
        session.flush()
    time.sleep(0.05)
    session.flush()  # outputs that depend on what was read are refreshed after the status


def file_value(path, name):
    return [{"name": name, "size": path.stat().st_size, "type": "text/csv", "datapath": str(path)}]


def test_files_are_deleted_once_read_and_the_summary_is_shown(tmp_path):
    episodes = tmp_path / "0.csv"
    header = tmp_path / "1.csv"
    episodes.write_text(EPISODES)
    header.write_text(HEADER)
    with test_server(server) as session:
        assert session.get_output("spells") == "demo"
        session.set_inputs(
            **{"upload-files_903": file_value(episodes, "e.csv") + file_value(header, "h.csv")}
        )
        assert not episodes.exists() and not header.exists()
        read_the_files(session)
        assert session.get_output("spells") == "3"
        status = str(session.get_output("upload-status").value)
        assert "Records read, used and dropped, by file" in status
        assert "outside the authority" in status
        assert "issues_download" in status
        session.set_inputs(**{"upload-use_demo": 1})
        assert session.get_output("spells") == "demo"


def test_a_bad_file_gives_its_message_and_keeps_the_demo(tmp_path):
    empty = tmp_path / "0.csv"
    empty.write_text("CHILD,DECOM\n")
    with test_server(server) as session:
        session.set_inputs(**{"upload-files_counts": file_value(empty, "empty.csv")})
        read_the_files(session)
        assert session.get_output("spells") == "demo"
        assert "no records below them" in str(session.get_output("upload-status").value)


def test_two_sessions_never_see_each_others_records(tmp_path):
    episodes = tmp_path / "0.csv"
    episodes.write_text(EPISODES)
    with test_server(server) as first, test_server(server) as second:
        first.set_inputs(**{"upload-files_903": file_value(episodes, "e.csv")})
        read_the_files(first)
        read_the_files(second)
        assert first.get_output("spells") == "3"
        assert second.get_output("spells") == "demo"


def test_extract_columns_are_confirmed_before_reading(tmp_path):
    extract = tmp_path / "0.csv"
    extract.write_text("ref,opened,where\nX1,01/04/2024,AB1 2CD\nX2,05/04/2024,AB1 4CD\n")
    with test_server(server) as session:
        session.set_inputs(**{"upload-files_extract": file_value(extract, "cp.csv")})
        mapping = str(session.get_output("upload-mapping").value)
        assert "Confirm the columns of your extract" in mapping
        assert "Every row is CPP" in mapping
        assert session.get_output("spells") == "demo"
        session.set_inputs(
            **{
                "upload-map_child_id": "ref",
                "upload-map_intervention": "=CPP",
                "upload-map_start_date": "opened",
                "upload-map_postcode": "where",
            }
        )
        assert session.get_output("spells") == "demo"
        read_the_files(session)
        assert session.get_output("spells") == "2"


def test_a_file_above_the_cap_is_refused_unread_and_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("CSC_UPLOAD_MAX_MB", "0.0001")
    big = tmp_path / "0.csv"
    small = tmp_path / "1.csv"
    big.write_text(EPISODES * 3)
    small.write_text("CHILD\n")
    with test_server(server) as session:
        session.set_inputs(
            **{"upload-files_903": file_value(big, "big.csv") + file_value(small, "s.csv")}
        )
        assert not big.exists() and not small.exists()
        assert "above the upload limit" in str(session.get_output("upload-status").value)
        assert session.get_output("spells") == "demo"
