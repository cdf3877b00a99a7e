"""The report as one self-contained, accessible HTML page (charts embedded as PNG with alt text)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

from csc_inequalities.exports.images import chart_png
from csc_inequalities.publication.report_content import Report, ReportTable

Progress = Callable[[str], None]

STYLE = """
body { font-family: Arial, 'DejaVu Sans', sans-serif; color: #0b0c0c; max-width: 60rem;
  margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.view { border-left: 6px solid #1d70b8; padding: 0.5rem 1rem; background: #f3f2f1; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1rem 0 2rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.5rem; }
th, td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; text-align: left; }
td.number { text-align: right; }
"""


def report_html(report: Report, progress: Progress | None = None) -> bytes:
    """The report as UTF-8 HTML bytes, needing nothing beyond the file itself."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="view">{escape(report.subtitle)}</p>',
    ]
    for section in report.sections:
        parts.append(f"<section><h2>{escape(section.heading)}</h2>")
        parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            parts.append("<ul>")
            parts += [f"<li>{escape(b)}</li>" for b in section.bullets]
            parts.append("</ul>")
        for chart in section.charts:
            if progress:
                progress(f"Drawing {chart.title}")
            encoded = base64.b64encode(chart_png(chart, report.context)).decode("ascii")
            alt = escape(chart.alt_text)
            parts.append(
                f'<figure><img src="data:image/png;base64,{encoded}" alt="{alt}">'
                f"<figcaption>{escape(chart.title)}</figcaption></figure>"
            )
        parts += [_table(t) for t in section.tables]
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts).encode("utf-8")


def _table(table: ReportTable) -> str:
    """A table with a caption and column headers marked for screen readers."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.headings)
    body = "".join("<tr>" + "".join(_data_cell(v) for v in row) + "</tr>" for row in table.rows)
    return (
        f"<table><caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _data_cell(value: str) -> str:
    """A cell, right-aligned when it holds a number."""
    numeric = value.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()
    css = ' class="number"' if numeric else ""
    return f"<td{css}>{escape(value)}</td>"
