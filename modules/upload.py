"""Your data: upload the authority's files, confirm extract columns, see what was used and why."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from htmltools import TagChild
from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from csc_inequalities.exports.tables import issues_csv
from csc_inequalities.records.address import ADDRESS_RULE
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.extract import (
    EXTRACT_FIELDS,
    FIXED_INTERVENTIONS,
    REQUIRED_FIELDS,
    extract_columns,
    suggest_mapping,
)
from csc_inequalities.records.fields import FIELD_LABELS
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from csc_inequalities.records.sniff import check_declared_size, upload_limit_bytes
from csc_inequalities.records.ssda903 import GEOGRAPHY_RULE, PERIOD_RULE
from csc_inequalities.reference.store import ReferenceStore
from csc_inequalities.serving.readers import read_upload
from modules.html_table import html_table
from modules.state import Settings

FILE_INPUTS = {
    "files_903": (
        "SSDA903 tables: Header, Episodes and UASC (CSV or XLSX)",
        [".csv", ".xlsx", ".txt"],
        True,
    ),
    "files_cin": (
        "CIN census XML, with an address extract: child id, postcode or LSOA (CSV or XLSX)",
        [".xml", ".csv", ".xlsx"],
        True,
    ),
    "files_extract": ("Case-system extract (CSV or XLSX)", [".csv", ".xlsx", ".txt"], False),
    "files_counts": (
        "Counts per LSOA: LSOA code, measure, count, optional ethnic group (CSV or XLSX)",
        [".csv", ".xlsx", ".txt"],
        False,
    ),
}
NOT_IN_FILE = ""
FIXED_CHOICE_LABELS = {code: f"Every row is {name}" for code, name in FIXED_INTERVENTIONS.items()}
SUMMARY_LABELS = {
    "file": "File",
    "kind": "Recognised as",
    "records_read": "Records read",
    "spells_used": "Spells or counts used",
    "dropped": "Dropped",
    "warnings": "Warnings",
    "outside_authority": "Outside the authority",
}
REASON_LABELS = {"severity": "Severity", "reason": "Reason", "records": "Records"}


def read_and_delete(fileinfo: list[dict] | None) -> list[tuple[str, bytes]]:
    """The uploaded files' bytes; each temporary copy is deleted as soon as it has been read."""
    files, problems = [], []
    for info in fileinfo or []:
        path = info["datapath"]
        try:
            check_declared_size(info["name"], int(info.get("size") or 0))
            with open(path, "rb") as handle:
                files.append((info["name"], handle.read()))
        except RecordsError as error:
            problems.append(error)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
    if problems:
        raise problems[0]
    return files


def mapping_select(field: str, columns: list[str], suggested: dict[str, str]) -> ui.Tag:
    """One select per canonical field, prefilled with the suggested column."""
    choices = {NOT_IN_FILE: "(not in the file)", **{column: column for column in columns}}
    if field == "intervention":
        choices |= FIXED_CHOICE_LABELS
    label = FIELD_LABELS[field] + (" (required)" if field in REQUIRED_FIELDS else "")
    return ui.input_select(
        f"map_{field}", label, choices, selected=suggested.get(field, NOT_IN_FILE)
    )


@module.ui
def upload_ui() -> ui.TagList:
    """File inputs per kind of file, the column-mapping step, and the validation summary."""
    limit = upload_limit_bytes() / 1048576
    return ui.TagList(
        ui.h2("Load your authority's records", class_="h4 mt-2"),
        ui.p(
            "Files are read into this browser session's memory only: nothing is saved on the "
            "server and nothing about a child is logged. Each file is recognised by its columns, "
            f"not its name. Files up to {limit:.0f} MB."
        ),
        ui.layout_columns(
            *[
                ui.input_file(input_id, label, multiple=multiple, accept=accept)
                for input_id, (label, accept, multiple) in FILE_INPUTS.items()
            ],
            col_widths=(6, 6, 6, 6),
        ),
        ui.tags.details(
            ui.tags.summary("How records are counted and placed"),
            ui.tags.ul(
                ui.tags.li(PERIOD_RULE),
                ui.tags.li(GEOGRAPHY_RULE),
                ui.tags.li(ADDRESS_RULE),
                ui.tags.li(
                    "Every record that is not used is listed with its file, row (row 1 is the "
                    "heading row; for CIN census XML, the child's position in the file), child "
                    "id and reason. Records placed outside the chosen authority are counted "
                    "separately."
                ),
            ),
            class_="mb-2",
        ),
        ui.output_ui("mapping"),
        ui.div(
            ui.input_action_button("read", "Read the files", class_="btn-primary me-2"),
            ui.input_action_button("use_demo", "Use the demonstration data instead"),
            class_="my-2",
        ),
        ui.div(ui.output_ui("status"), role="status", aria_live="polite"),
    )


def mapping_card(columns: list[str], suggested: dict[str, str], problem: str) -> ui.Tag | None:
    """The extract's column-mapping step: a select per field, or why the columns are unknown."""
    if problem:
        return ui.div(problem, class_="alert alert-danger", role="alert")
    if not columns:
        return None
    return ui.card(
        ui.card_header(ui.h3("Confirm the columns of your extract", class_="h6 m-0")),
        ui.p(
            "Each field was matched to a column by its name. Check or correct the matches "
            "before the files are read; nothing is counted until you press 'Read the files'."
        ),
        ui.layout_column_wrap(
            *[mapping_select(field, columns, suggested) for field in EXTRACT_FIELDS],
            width="18rem",
        ),
    )


def read_status(
    loaded: LoadResult | None, running: bool, message: str, notice: str
) -> ui.TagList | None:
    """What the upload panel says: reading, an error, or what was read, used and dropped."""
    parts: list[TagChild] = []
    if running:
        parts.append(
            ui.div(
                "Reading and checking the files, in this session's memory only.",
                class_="alert alert-info",
            )
        )
    if message:
        parts.append(ui.div(message, class_="alert alert-danger", role="alert"))
    elif notice and loaded is None:
        parts.append(ui.div(notice, class_="alert alert-info", role="status"))
    if loaded is None:
        return ui.TagList(*parts) if parts else None
    summary = loaded.summary.rename(columns=SUMMARY_LABELS)
    reasons = loaded.reason_counts().rename(columns=REASON_LABELS)
    totals = loaded.totals().rename(columns={"measure": "Measure", "records": "Records"})
    parts += [
        ui.h3("What was read", class_="h5 mt-3"),
        html_table(summary, "Records read, used and dropped, by file", "upload-summary"),
        html_table(totals, "Totals over all files", "upload-totals"),
        ui.h3("Why records were dropped or doubtful", class_="h5 mt-3"),
        html_table(reasons, "Dropped and doubtful records by reason", "upload-reasons")
        if not reasons.empty
        else ui.p("Every record was read and used."),
        ui.download_button(
            "issues_download", "Download the issue list (CSV: file, row, child id, reason)"
        )
        if not loaded.issues.empty
        else None,
        ui.h3("How the records were read", class_="h5 mt-3"),
        ui.tags.ul(*[ui.tags.li(note) for note in loaded.notes]),
    ]
    return ui.TagList(*parts)


@module.server
def upload_server(
    input: Inputs, output: Outputs, session: Session, store: ReferenceStore, settings: Settings
) -> Callable[[], LoadResult | None]:
    """Hold uploads in session memory, read them through load_records, and report the result."""
    held: dict[str, reactive.Value[list[tuple[str, bytes]]]] = {
        input_id: reactive.value([]) for input_id in FILE_INPUTS
    }
    result: reactive.Value[LoadResult | None] = reactive.value(None)
    message = reactive.value("")
    notice = reactive.value("")

    def hold(input_id: str) -> None:
        @reactive.effect
        @reactive.event(input[input_id])
        def _():
            try:
                held[input_id].set(read_and_delete(input[input_id]()))
            except RecordsError as error:
                held[input_id].set([])
                message.set(str(error))

    for input_id in FILE_INPUTS:
        hold(input_id)

    @reactive.calc
    def extract_choices() -> tuple[list[str], dict[str, str], str]:
        files = held["files_extract"]()
        if not files:
            return [], {}, ""
        name, content = files[0]
        try:
            columns = extract_columns(name, content)
        except RecordsError as error:
            return [], {}, str(error)
        return columns, suggest_mapping(columns), ""

    @render.ui
    def mapping():
        return mapping_card(*extract_choices())

    def confirmed_mapping() -> dict[str, str] | None:
        if not extract_choices()[0]:
            return None
        chosen = {
            field: input[f"map_{field}"]() for field in EXTRACT_FIELDS if f"map_{field}" in input
        }
        return {field: column for field, column in chosen.items() if column}

    # Reading runs on the upload threads beside the event loop, so other sessions of the
    # process carry on meanwhile; a session that ends (or goes back to the demo) cancels a read
    # still waiting to start.
    @reactive.extended_task
    async def read_task(
        files: list[tuple[str, bytes]], la_code: str, mapping: dict[str, str] | None
    ) -> LoadResult:
        return await read_upload(load_records, files, la_code, store, mapping)

    session.on_ended(read_task.cancel)

    def read_files(la_code: str) -> None:
        files = [file for input_id in FILE_INPUTS for file in held[input_id]()]
        if not files:
            message.set("Choose at least one file to read.")
            return
        message.set("")
        read_task(files, la_code, confirmed_mapping())

    @reactive.effect
    def _take_what_was_read() -> None:
        status = read_task.status()
        if status == "success":
            result.set(read_task.value())
        elif status == "error":
            error = read_task.error()
            if not isinstance(error, RecordsError):
                raise error
            message.set(str(error))

    @reactive.effect
    @reactive.event(input.read)
    def _():
        with reactive.isolate():
            la_code = settings.la_code()
        read_files(la_code)

    @reactive.effect
    @reactive.event(settings.la_code, ignore_init=True)
    def _():
        if result() is not None:
            read_files(settings.la_code())

    @reactive.effect
    @reactive.event(input.use_demo)
    def _():
        read_task.cancel()
        for value in held.values():
            value.set([])
        result.set(None)
        message.set("")
        notice.set("Showing the synthetic demonstration data; your files were cleared.")

    @render.download_button(filename="record-issues.csv", media_type="text/csv")
    def issues_download():
        loaded = result()
        if loaded is not None:
            yield issues_csv(loaded.issues)

    @render.ui
    def status():
        running = read_task.status() == "running"
        return read_status(result(), running, message(), notice())

    @reactive.calc
    def uploaded() -> LoadResult | None:
        return result()

    return uploaded
