"""The report as a Word document: headings, charts with alt text, captioned tables."""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from csc_inequalities.exports.images import A4_TEXT_WIDTH_CM, chart_png
from csc_inequalities.publication.report_content import Report, ReportTable

Progress = Callable[[str], None]


def report_docx(report: Report, progress: Progress | None = None) -> bytes:
    """The report as DOCX bytes; `progress` hears of each chart as it is drawn."""
    document = Document()
    document.core_properties.title = report.title
    document.core_properties.subject = report.context.measure_label
    document.core_properties.author = f"csc-inequalities {report.context.version}"
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    header.text = report.context.view_label
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for bullet in section.bullets:
            document.add_paragraph(bullet, style="List Bullet")
        for chart in section.charts:
            if progress:
                progress(f"Drawing {chart.title}")
            document.add_picture(
                io.BytesIO(chart_png(chart, report.context)), width=Cm(A4_TEXT_WIDTH_CM)
            )
            document.inline_shapes[-1]._inline.docPr.set("descr", chart.alt_text)
            document.inline_shapes[-1]._inline.docPr.set("title", chart.title)
            document.add_paragraph(f"Figure: {chart.title}. {chart.alt_text}", style="Caption")
        for table in section.tables:
            _add_table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document: Document, table: ReportTable) -> None:
    """A captioned table whose heading row repeats on every page."""
    document.add_paragraph(f"Table: {table.caption}", style="Caption")
    grid = document.add_table(rows=1, cols=len(table.headings), style="Table Grid")
    for cell, heading in zip(grid.rows[0].cells, table.headings, strict=True):
        cell.text = heading
        for run in cell.paragraphs[0].runs:
            run.bold = True
    row_properties = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_properties.append(repeat)
    for values in table.rows:
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            cell.text = value
    document.add_paragraph()
