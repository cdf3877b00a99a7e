"""Exports that cannot be made fail fast and in plain words; odd file names never break them."""

from __future__ import annotations

import io
import os
import stat
import time
from dataclasses import replace

import plotly.graph_objects as go
import pytest
from docx import Document

from csc_inequalities.exports import images
from csc_inequalities.exports.report_docx import report_docx
from csc_inequalities.publication.report_content import build_report
from csc_inequalities.publication.view_context import view_context
from tests.helpers.exports_analysis import synthetic_analysis


@pytest.fixture
def fresh_image_server(monkeypatch):
    """No kaleido server started yet in this process, as on a fresh server."""
    monkeypatch.setattr(images, "_topojson_folder", None)


def broken_browser(folder) -> str:
    """An executable that fails as a browser whose libraries are missing would."""
    path = folder / "chromium"
    path.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize("kind", ["missing", "broken"])
def test_no_working_browser_is_a_clear_error_at_once(
    kind, tmp_path, monkeypatch, fresh_image_server
):
    path = str(tmp_path / "nowhere") if kind == "missing" else broken_browser(tmp_path)
    monkeypatch.setenv("BROWSER_PATH", path)
    began = time.perf_counter()
    with pytest.raises(images.ImageExportError, match="Chart images need Chromium"):
        images.figure_image(go.Figure(go.Bar(x=[1], y=[2])), "png")
    assert time.perf_counter() - began < 10
    assert os.environ["BROWSER_PATH"] == path


def test_a_render_that_never_returns_times_out_with_a_message(monkeypatch):
    monkeypatch.setattr(images, "RENDER_TIMEOUT_S", 0.2)
    with pytest.raises(images.ImageExportError, match="stopped answering"):
        images._with_timeout(lambda: time.sleep(5) or b"")


def test_the_command_line_report_without_a_browser_exits_with_the_reason(
    tmp_path, monkeypatch, capsys, fresh_image_server
):
    from csc_inequalities.commands import report as command

    analysis, records = synthetic_analysis()
    monkeypatch.setattr(command, "analysis_from", lambda args: (None, records, analysis))
    # The synthetic analysis has no store for the standardisation and localities sections.
    monkeypatch.setattr(command, "area_sections_for", lambda *args: ())
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nowhere"))
    from csc_inequalities.cli import main

    code = main(
        ["report", "--la", "E06000009", "--records", "x.csv", "--measure", "cpp",
         "--at", "2025-03-31", "--out", str(tmp_path / "r.docx")]
    )  # fmt: skip
    assert code == 2
    assert "Chart images need Chromium" in capsys.readouterr().err
    assert not (tmp_path / "r.docx").exists()


def test_a_control_character_in_a_file_name_does_not_break_the_docx():
    analysis, records = synthetic_analysis()
    summary = records.summary.copy()
    summary.loc[0, "file"] = "extract\x07\x1b[31m.csv"
    context = view_context(analysis, "internal")
    report = build_report(analysis, replace(records, summary=summary), context, charts=())
    document = Document(io.BytesIO(report_docx(report)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "extract\ufffd\ufffd[31m.csv" in cells
