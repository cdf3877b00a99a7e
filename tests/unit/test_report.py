"""The report: sections, charts with alt text, captioned tables, views, DOCX and HTML read back."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from html.parser import HTMLParser

import pandas as pd
import pytest
from docx import Document

from csc_inequalities.cli import main
from csc_inequalities.exports.report import report_bytes, report_filename
from csc_inequalities.publication.charts import analysis_charts
from csc_inequalities.publication.disclosure import SUPPRESSED, DisclosureRule
from csc_inequalities.publication.report_content import WITHHELD_NOTE, build_report
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import view_context
from tests.helpers.exports_analysis import synthetic_analysis

needs_browser = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Chromium")
SECTIONS = [
    "Summary of findings",
    "Rates by neighbourhood deprivation",
    "Rates by ethnic group",
    "Data quality",
    "Methods and definitions",
    "Caveats",
    "Sources",
]
CHILD_ID = "CHILD-7731"


def analysis_with_named_child():
    """The synthetic analysis, with a dropped record that names a child id in its issues."""
    analysis, records = synthetic_analysis()
    issues = pd.concat(
        [
            records.issues,
            pd.DataFrame(
                {
                    "file": ["counts.csv"],
                    "row": [20],
                    "child_id": [CHILD_ID],
                    "severity": ["dropped"],
                    "reason": ["bad count"],
                    "detail": [""],
                }
            ),
        ],
        ignore_index=True,
    )
    return analysis, replace(records, issues=issues)


def report_for(view: str, rule: DisclosureRule | None = None):
    analysis, records = analysis_with_named_child()
    context = view_context(analysis, view, rule or DisclosureRule())
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    return build_report(analysis, records, context, analysis_charts(analysis, tables, context))


def all_text(report) -> str:
    parts = [report.title, report.subtitle]
    for section in report.sections:
        parts += [section.heading, *section.paragraphs, *section.bullets]
        parts += [c.alt_text for c in section.charts]
        for table in section.tables:
            parts += [table.caption, *table.headings, *(" ".join(r) for r in table.rows)]
    return "\n".join(parts)


def count_cells(report) -> list[str]:
    """Every cell under a count heading in the report's tables."""
    cells = []
    for section in report.sections:
        for table in section.tables:
            for position, heading in enumerate(table.headings):
                if heading in ("Count", "Records", "Records read", "Spells used", "Dropped"):
                    cells += [row[position] for row in table.rows]
    return cells


def test_report_has_every_section_in_order():
    report = report_for("publication")
    assert [s.heading for s in report.sections] == SECTIONS
    sources = next(s for s in report.sections if s.heading == "Sources")
    assert any("Indices of Deprivation" in b for b in sources.bullets)
    caveats = " ".join(next(s for s in report.sections if s.heading == "Caveats").bullets)
    assert "2015" in caveats and "Denominators" in caveats


def test_publication_report_shows_no_count_from_1_to_5_and_no_child_id():
    report = report_for("publication")
    cells = count_cells(report)
    assert SUPPRESSED in cells
    for cell in cells:
        if cell != SUPPRESSED and cell:
            assert not 1 <= float(cell.replace(",", "")) <= 5, cell
    assert CHILD_ID not in all_text(report)


def test_publication_report_withholds_findings_resting_on_suppressed_counts():
    publication, internal = report_for("publication"), report_for("internal")
    findings = publication.sections[0].paragraphs
    internal_findings = internal.sections[0].paragraphs
    # Decile 10 holds 2 children: the decile ratio and the SII would reveal it.
    assert not any("least deprived tenth" in p for p in findings)
    assert not any("slope index" in p for p in findings)
    assert any("least deprived tenth" in p for p in internal_findings)
    assert WITHHELD_NOTE in findings
    assert WITHHELD_NOTE not in internal_findings
    assert any("least deprived fifth" in p for p in findings)


def test_totals_rounded_in_findings_when_the_rule_rounds_totals():
    report = report_for("publication", DisclosureRule(round_totals_to=10))
    findings = report.sections[0].paragraphs
    assert any(p.startswith("Testborough had about 250 ") for p in findings)
    assert not any("245" in p for p in findings)  # the exact total
    assert any("250" in p for p in findings if "most deprived fifth" in p)


def test_internal_report_says_not_for_publication():
    report = report_for("internal")
    assert "not for publication" in report.title
    assert "not for publication" in report.subtitle
    assert "None: internal view" in all_text(report)


def test_data_quality_gives_reasons_without_identifying_children():
    report = report_for("publication")
    quality = next(s for s in report.sections if s.heading == "Data quality")
    reasons = next(t for t in quality.tables if "by reason" in t.caption)
    assert {row[1] for row in reasons.rows} == {"LSOA outside the authority", "bad count"}
    assert all(row[2] == SUPPRESSED for row in reasons.rows)


class Outline(HTMLParser):
    """Headings, images' alt text and table captions of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang, self.tags, self.alts, self.captions, self.scopes = None, [], [], [], []
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "img":
            assert attributes["src"].startswith("data:image/png;base64,")
            self.alts.append(attributes.get("alt"))
        if tag == "th":
            self.scopes.append(attributes.get("scope"))
        self._in_caption = tag == "caption"

    def handle_data(self, data):
        if self._in_caption and data.strip():
            self.captions.append(data)
            self._in_caption = False


@needs_browser
def test_html_report_is_self_contained_and_accessible():
    analysis, records = analysis_with_named_child()
    context = view_context(analysis, "publication")
    content = report_bytes(analysis, records, context, "html")
    page = Outline()
    page.feed(content.decode("utf-8"))
    assert page.lang == "en"
    assert page.tags.count("h1") == 1 and page.tags.count("h2") == len(SECTIONS)
    assert len(page.alts) == 3 and all(alt and len(alt) > 40 for alt in page.alts)
    assert page.tags.count("table") == len(page.captions) >= 4
    assert set(page.scopes) == {"col"}
    assert b'src="http' not in content and b"<link" not in content and b"<script" not in content
    assert report_filename(context, "html").endswith("-report-publication.html")


@needs_browser
def test_docx_report_reads_back_with_charts_alt_text_and_tables():
    analysis, records = analysis_with_named_child()
    context = view_context(analysis, "internal")
    steps = []
    content = report_bytes(analysis, records, context, "docx", progress=steps.append)
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == SECTIONS
    assert "not for publication" in document.paragraphs[0].text
    assert "not for publication" in document.sections[0].header.paragraphs[0].text
    assert len(document.inline_shapes) == 3 == len(steps)
    for shape in document.inline_shapes:
        assert len(shape._inline.docPr.get("descr")) > 40
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert sum(c.startswith("Table:") for c in captions) == len(document.tables) >= 4
    gradient = document.tables[0]
    assert gradient.rows[0].cells[0].text.startswith("Deprivation decile")
    assert [r.cells[3].text for r in gradient.rows[1:]][6] == "3"
    assert document.core_properties.title.startswith("Children on a child protection plan")


def test_unknown_report_format_is_refused():
    analysis, records = synthetic_analysis()
    with pytest.raises(ValueError, match="docx or html"):
        report_bytes(analysis, records, view_context(analysis, "publication"), "pdf")


def test_cli_refuses_an_output_that_is_not_docx_or_html(tmp_path, capsys):
    records = tmp_path / "counts.csv"
    records.write_text("lsoa_code,count\n")
    code = main(
        [
            "report", "--la", "E06000009", "--records", str(records), "--measure", "cpp",
            "--at", "2024-03-31", "--out", str(tmp_path / "report.pdf"),
        ]
    )  # fmt: skip
    assert code == 2
    assert ".docx or .html" in capsys.readouterr().err


@pytest.mark.slow
@needs_browser
def test_cli_writes_the_report_from_demo_files(store, tmp_path):
    from csc_inequalities.demo import demo_files

    files = demo_files("E06000009", store)
    paths = []
    for name, content in files.items():
        if "903" in name:
            (tmp_path / name).write_bytes(content)
            paths.append(str(tmp_path / name))
    out = tmp_path / "report.docx"
    code = main(
        [
            "report", "--la", "E06000009", "--records", *paths, "--measure", "cla",
            "--at", "2025-03-31", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    document = Document(io.BytesIO(out.read_bytes()))
    assert "Blackpool" in document.paragraphs[0].text
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Figure: Neighbourhoods by deprivation decile") for c in captions)
    assert (
        "Publication: disclosure control applied" in document.sections[0].header.paragraphs[0].text
    )
    for table in document.tables:
        headings = [c.text for c in table.rows[0].cells]
        if "Count" in headings:
            column = headings.index("Count")
            for row in table.rows[1:]:
                value = row.cells[column].text.replace(",", "")
                assert value in ("", SUPPRESSED) or not 1 <= float(value) <= 5
