"""One call from an analysis to a finished report file, shared by the app and the command line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from csc_inequalities.exports.filenames import export_filename
from csc_inequalities.exports.report_html import report_html
from csc_inequalities.publication.cascade_report import report_sections
from csc_inequalities.publication.charts import analysis_charts
from csc_inequalities.publication.report_content import Section, build_report
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import ViewContext

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store
    from csc_inequalities.results.analysis import Analysis

REPORT_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}


def report_bytes(
    analysis: Analysis,
    records: LoadResult,
    context: ViewContext,
    report_format: str,
    progress: Callable[[str], None] | None = None,
    store: Store | None = None,
    extra_sections: Sequence[Section] = (),
) -> bytes:
    """The whole report (charts, tables, findings, data quality, methods) as DOCX or HTML.

    With the reference store the report also maps the authority's deprivation deciles and
    has sections on the decision cascade and on age and sex; ``extra_sections``
    (standardisation, localities) follow them.
    """
    if report_format not in REPORT_FORMATS:
        raise ValueError(f"Reports are written as {' or '.join(REPORT_FORMATS)}.")
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    charts = analysis_charts(analysis, tables, context, store)
    cascade = report_sections(analysis, records, context, store) if store is not None else ()
    report = build_report(analysis, records, context, charts, (*cascade, *extra_sections))
    if report_format == "docx":
        from csc_inequalities.exports.report_docx import report_docx  # python-docx, on first use

        return report_docx(report, progress)
    return report_html(report, progress)


def report_filename(context: ViewContext, report_format: str) -> str:
    """The report's file name: authority, measure, date and view."""
    return export_filename(context, "report", report_format)
