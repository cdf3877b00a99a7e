"""The report as a Word document: headings, charts with alt text, captioned tables."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from csc_inequalities.exports.images import A4_TEXT_WIDTH_CM, chart_png
from csc_inequalities.publication.report_content import Report, ReportTable

if TYPE_CHECKING:
    # docx.Document is a factory function; the class it returns lives in docx.document.
    from docx.document import Document as WordDocument

Progress = Callable[[str], None]
# Characters XML 1.0 cannot hold (control characters, e.g. from an uploaded file's name).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text Word can store: characters XML forbids become U+FFFD, so nothing breaks the file."""
    return NOT_XML.sub("\ufffd", str(text))


def report_docx(report: Report, progress: Progress | None = None) -> bytes:
    """The report as DOCX bytes; `progress` hears of each chart as it is drawn."""
    document = Document()
    document.core_properties.title = xml_safe(report.title)
    document.core_properties.subject = xml_safe(report.context.measure_label)
    document.core_properties.author = f"csc-inequalities {report.context.version}"
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    header = document.sections[0].header.paragraphs[0]
    header.text = xml_safe(report.context.view_label)
    document.add_heading(xml_safe(report.title), level=0)
    document.add_paragraph(xml_safe(report.subtitle))
    for section in report.sections:
        document.add_heading(xml_safe(section.heading), level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(xml_safe(paragraph))
        for bullet in section.bullets:
            document.add_paragraph(xml_safe(bullet), style="List Bullet")
        for chart in section.charts:
            if progress:
                progress(f"Drawing {chart.title}")
            document.add_picture(
                io.BytesIO(chart_png(chart, report.context)), width=Cm(A4_TEXT_WIDTH_CM)
            )
            document.inline_shapes[-1]._inline.docPr.set("descr", xml_safe(chart.alt_text))
            document.inline_shapes[-1]._inline.docPr.set("title", xml_safe(chart.title))
            document.add_paragraph(
                xml_safe(f"Figure: {chart.title}. {chart.alt_text}"), style="Caption"
            )
        for table in section.tables:
            _add_table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document: WordDocument, table: ReportTable) -> None:
    """A captioned table whose heading row repeats on every page."""
    document.add_paragraph(xml_safe(f"Table: {table.caption}"), style="Caption")
    grid = document.add_table(rows=1, cols=len(table.headings), style="Table Grid")
    for cell, heading in zip(grid.rows[0].cells, table.headings, strict=True):
        cell.text = xml_safe(heading)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    row_properties = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_properties.append(repeat)
    for values in table.rows:
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            cell.text = xml_safe(value)
    document.add_paragraph()
