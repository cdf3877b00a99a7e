"""The report as one content model (sections of text, charts and tables), rendered to DOCX and HTML.

Everything in the publication view comes from the protected tables: a finding whose numbers
rest on a suppressed count is left out and the report says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

from csc_inequalities.publication.disclosure import SUPPRESSED, View, publication_table
from csc_inequalities.publication.provenance import official_sources
from csc_inequalities.publication.tables import ViewTable, analysis_tables
from csc_inequalities.publication.view_context import ViewContext
from csc_inequalities.records.intake import NOTHING_USED
from csc_inequalities.results.narrative import excess_sentence, overall_sentence, share_sentence

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.results.analysis import Analysis

WITHHELD_NOTE = (
    "Some findings are not given in the publication view because their figures would let a "
    "reader work out a suppressed count."
)
CAVEATS = (
    "Denominators are estimates: {denominators}. Rates for small neighbourhood groups and small "
    "ethnic groups rest on few children and carry wide confidence intervals.",
    "The England comparison is the Child Welfare Inequalities Project's gradient at 31 March "
    "2015, from a sample of 18 local authorities ranked by IMD 2015. It is a decade older than "
    "these figures and uses a different index year and sample: read it as the shape of the "
    "national gradient, not as a current benchmark.",
    "Counts come from the authority's own records. Children whose address could not be placed "
    "in one of the authority's neighbourhoods are not in the neighbourhood figures.",
    "A social gradient describes neighbourhoods, not individual families: it does not show that "
    "deprivation causes intervention, nor that any family's circumstances explain its own case.",
)
RATES = ["children", "count", "rate_per_10000", "lower_95ci", "upper_95ci"]
TABLE_COLUMNS = {
    "gradient": ["group_label", "lsoas", *RATES],
    "ethnicity": ["group_name", *RATES, "ratio_to_white"],
    "ethnicity-by-deprivation": ["quintile_label", "group_name", *RATES],
    "trend-sii": ["year", "count", "rate_per_10000", "sii", "sii_lower", "sii_upper"],
}
COLUMN_HEADINGS = {
    "group_label": "Deprivation decile (1 = most deprived)",
    "quintile_label": "Deprivation quintile (1 = most deprived)",
    "group_name": "Ethnic group",
    "lsoas": "Neighbourhoods (LSOAs)",
    "children": "Children aged 0-17",
    "count": "Count",
    "rate_per_10000": "Rate per 10,000",
    "lower_95ci": "Lower 95% limit",
    "upper_95ci": "Upper 95% limit",
    "ratio_to_white": "Ratio to White",
    "year": "Year ending 31 March",
    "sii": "Slope index of inequality",
    "sii_lower": "SII lower 95% limit",
    "sii_upper": "SII upper 95% limit",
}
DECIMALS = {"rate_per_10000": 1, "lower_95ci": 1, "upper_95ci": 1, "ratio_to_white": 2}
DECIMALS |= {"sii": 1, "sii_lower": 1, "sii_upper": 1}
PLAIN_NUMBERS = {"year", "group", "quintile"}


@dataclass(frozen=True)
class ReportChart:
    """A chart for the report: the figure, its title, and alt text that says what it shows."""

    key: str
    title: str
    figure: go.Figure
    alt_text: str
    direction: str | None = None


@dataclass(frozen=True)
class ReportTable:
    """A table as printed: caption, column headings and cells already formatted as text."""

    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """One headed section: paragraphs, bullet points, charts and tables, in that order."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    charts: tuple[ReportChart, ...] = ()
    tables: tuple[ReportTable, ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole report for one authority, measure and view."""

    title: str
    subtitle: str
    context: ViewContext
    sections: tuple[Section, ...] = field(default_factory=tuple)


def build_report(
    analysis: Analysis,
    records: LoadResult,
    context: ViewContext,
    charts: Sequence[ReportChart] = (),
    extra_sections: Sequence[Section] = (),
) -> Report:
    """The report's content: findings, charts, tables, data quality, methods, caveats, sources.

    ``extra_sections`` (the decision cascade, age and sex, standardisation and localities)
    follow the analysis' own results, before data quality.
    """
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    by_key = {c.key: c for c in charts}
    title = f"{context.measure_label}: the social gradient in {context.la_name}"
    if context.view is View.INTERNAL:
        title = f"{title} (internal: not for publication)"
    findings, withheld = findings_sentences(analysis, tables, context)
    intake = intake_paragraphs(analysis, context)
    sections = [
        Section(
            "Summary of findings",
            paragraphs=intake + tuple(findings) + ((WITHHELD_NOTE,) if withheld else ()),
        ),
        Section(
            "Rates by neighbourhood deprivation",
            paragraphs=(context.deprivation_note,),
            charts=_charts(by_key, "map", "gradient"),
            tables=_tables(tables, "gradient"),
        ),
        Section(
            "Rates by ethnic group",
            paragraphs=_ethnicity_paragraphs(analysis, tables, context),
            charts=_charts(by_key, "ethnicity", "ethnicity-by-deprivation"),
            tables=_tables(tables, "ethnicity", "ethnicity-by-deprivation"),
        ),
    ]
    if "trend-sii" in tables:
        sections.append(
            Section(
                "Change over time",
                charts=_charts(by_key, "trend", "trend-sii"),
                tables=_tables(tables, "trend-sii"),
            )
        )
    sections += list(extra_sections)
    sections += [
        Section(
            "Data quality",
            paragraphs=data_quality_paragraphs(analysis, context),
            tables=data_quality_tables(records, context),
        ),
        Section("Methods and definitions", bullets=methods_bullets(analysis, context)),
        Section(
            "Caveats",
            bullets=tuple(c.format(denominators=context.denominator_note) for c in CAVEATS),
        ),
        Section(
            "Sources",
            bullets=tuple(
                f"{s.title}. {s.publisher}. {s.url} (licence: {s.licence})"
                for s in official_sources()
            ),
        ),
    ]
    subtitle = (
        f"{context.la_name} ({context.la_code}) · {context.imd_label} · {context.view_label} · "
        f"generated {context.generated:%d %B %Y} by csc-inequalities {context.version}"
    )
    return Report(title, subtitle, context, tuple(sections))


def intake_paragraphs(analysis: Analysis, context: ViewContext) -> tuple[str, ...]:
    """The warning about dropped records, first; counts of records left out when published."""
    intake = getattr(analysis, "intake", None)
    if intake is None or intake.level == NOTHING_USED:
        return ()  # when nothing was used, the findings already say so instead of figures
    text = intake.text(with_counts=context.view is View.INTERNAL)
    return (f"Read these figures with care. {text}",)


def findings_sentences(
    analysis: Analysis, tables: dict[str, ViewTable], context: ViewContext
) -> tuple[list[str], bool]:
    """The plain-language findings the view allows, and whether any were withheld."""
    sentences = dict(analysis.sentences)
    if context.view is View.INTERNAL:
        return [s for s in sentences.values() if s], False
    deciles = _counts(tables.get("gradient"))
    quintiles = _counts(tables.get("gradient-quintiles"))
    total = float(analysis.overall.count)
    allowed = {
        "overall": not 0 < total <= context.rule.threshold,
        "ratio_quintile": _shown(quintiles, 0) and _shown(quintiles, -1),
        "ratio_decile": _shown(deciles, 0) and _shown(deciles, -1),
        "sii": deciles is not None and SUPPRESSED not in deciles,
        "rii": deciles is not None and SUPPRESSED not in deciles,
        "share": _shown(quintiles, 0),
        "excess": _shown(quintiles, -1),
    }
    if context.rule.round_totals_to:
        sentences.update(_rounded_total_sentences(analysis, context.rule.round_totals_to))
    kept = [sentences[k] for k, ok in allowed.items() if ok and sentences.get(k)]
    return kept, not all(allowed.values())


def _rounded_total_sentences(analysis: Analysis, base: int) -> dict[str, str]:
    """The findings that state the authority's total, restated with the total rounded."""
    total = float(analysis.overall.count)
    rounded = math.floor(total / base + 0.5) * base
    measure, name = analysis.measure, analysis.la_name
    share, excess = analysis.summary.share_most_deprived, analysis.summary.excess
    sentences = {
        "overall": overall_sentence(
            replace(analysis.overall, count=rounded), measure, name
        ).replace(" had ", " had about ", 1)
    }
    if share.share_of_count:
        rounded_share = replace(share, count=share.share_of_count * rounded)
        sentences["share"] = share_sentence(rounded_share, measure, name, analysis.deciles)
    if excess.excess is not None and excess.expected is not None:
        rounded_excess = replace(excess, observed=rounded, excess=rounded - excess.expected)
        sentences["excess"] = excess_sentence(rounded_excess, measure, name)
    return sentences


def _counts(table: ViewTable | None) -> list | None:
    """A published table's count column as a list, or None when the table is withheld."""
    return None if table is None else table.frame["count"].tolist()


def _shown(counts: list | None, position: int) -> bool:
    """Whether the count at a position of a published table is shown (not suppressed)."""
    return counts is not None and len(counts) > 0 and counts[position] != SUPPRESSED


def _ethnicity_paragraphs(
    analysis: Analysis, tables: dict[str, ViewTable], context: ViewContext
) -> tuple[str, ...]:
    """Ethnicity findings (those the view allows) and how the denominators were made."""
    notes = (analysis.notes.ethnicity_note,)
    if context.view is View.INTERNAL:
        return tuple(analysis.ethnicity_sentences.values()) + notes
    published = tables["ethnicity"].frame.set_index("ethnic_group")
    kept = [
        sentence
        for group, sentence in analysis.ethnicity_sentences.items()
        if group in published.index
        and "White" in published.index
        and published.loc[group, "count"] != SUPPRESSED
        and published.loc["White", "count"] != SUPPRESSED
    ]
    withheld = (WITHHELD_NOTE,) if len(kept) < len(analysis.ethnicity_sentences) else ()
    return tuple(kept) + withheld + notes


def _charts(by_key: dict[str, ReportChart], *keys: str) -> tuple[ReportChart, ...]:
    """The charts given for these keys, in order."""
    return tuple(by_key[k] for k in keys if k in by_key)


def _tables(tables: dict[str, ViewTable], *keys: str) -> tuple[ReportTable, ...]:
    """Printed versions of the export tables with these keys."""
    return tuple(
        printed_table(tables[k].frame, f"{tables[k].title}. {tables[k].caption}", TABLE_COLUMNS[k])
        for k in keys
        if k in tables
    )


def printed_table(frame: pd.DataFrame, caption: str, columns: Sequence[str]) -> ReportTable:
    """A table with plain headings and cells formatted for reading ('c' where suppressed)."""
    present = [c for c in columns if c in frame.columns]
    rows = tuple(
        tuple(_cell(frame.iloc[i][c], DECIMALS.get(c, 0), c not in PLAIN_NUMBERS) for c in present)
        for i in range(len(frame))
    )
    return ReportTable(caption, tuple(COLUMN_HEADINGS.get(c, c) for c in present), rows)


def _cell(value: Any, decimals: int, separators: bool = True) -> str:
    """A number with thousands separators and fixed decimals; text as it is; blank for missing."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int | float) or hasattr(value, "item"):
        return f"{float(value):{',' if separators else ''}.{decimals}f}"
    return str(value)


def data_quality_paragraphs(analysis: Analysis, context: ViewContext) -> tuple[str, ...]:
    """Counted children who could not be placed in the authority's neighbourhoods."""
    notes, lines = analysis.notes, []
    for value, words in (
        (notes.counted_without_lsoa, "counted with no neighbourhood (LSOA) on this geography"),
        (notes.counted_outside_authority, "counted in neighbourhoods outside the authority"),
    ):
        shown = _protected_number(value, context)
        lines.append(f"Children {words}: {shown}. They are not in the neighbourhood figures.")
    lines.append(
        "Record-level problems are listed by reason only: the report never names or "
        "identifies a child."
    )
    return tuple(lines)


def _protected_number(value: float, context: ViewContext) -> str:
    """A count as the view allows: 'c' for 1 to the threshold in the publication view."""
    if context.view is View.PUBLICATION and 0 < value <= context.rule.threshold:
        return SUPPRESSED
    return f"{value:,.0f}"


def data_quality_tables(records: LoadResult, context: ViewContext) -> tuple[ReportTable, ...]:
    """Records read, used and dropped per file, and dropped or doubtful records by reason."""
    tables = []
    summary = getattr(records, "summary", None)
    if isinstance(summary, pd.DataFrame) and not summary.empty:
        columns = ["file", "kind", "records_read", "spells_used", "dropped", "warnings"]
        frame = summary[[c for c in columns if c in summary.columns]].reset_index(drop=True)
        if context.view is View.PUBLICATION:
            counts = [c for c in columns[2:] if c in frame.columns]
            frame = publication_table(frame, counts, known_totals=(), rule=context.rule)
        tables.append(
            ReportTable(
                "Records read, used and dropped, by file",
                ("File", "Kind", "Records read", "Spells used", "Dropped", "Warnings")[
                    : len(frame.columns)
                ],
                tuple(tuple(_cell(v, 0) for v in row) for row in frame.itertuples(index=False)),
            )
        )
    if hasattr(records, "reason_counts"):
        reasons = records.reason_counts()
        if not reasons.empty:
            if context.view is View.PUBLICATION:
                reasons = publication_table(
                    reasons.reset_index(drop=True), ["records"], rule=context.rule
                )
            tables.append(
                ReportTable(
                    "Dropped or doubtful records, by reason",
                    ("Severity", "Reason", "Records"),
                    tuple(
                        (str(r.severity), str(r.reason), _cell(r.records, 0))
                        for r in reasons.itertuples(index=False)
                    ),
                )
            )
    return tuple(tables)


def methods_bullets(analysis: Analysis, context: ViewContext) -> tuple[str, ...]:
    """Methods and definitions: what is counted, denominators, groups, intervals, disclosure."""
    notes = analysis.notes
    bullets = [
        f"Measure: {context.measure_label}. Rates are per 10,000 {analysis.measure.who.people()}.",
        f"Deprivation: {context.imd_label}. Decile 1 is the most deprived 10% of "
        f"neighbourhoods in England. {context.deprivation_note}",
        f"Denominators: {context.denominator_note}.",
        "Confidence intervals: 95% intervals by Byar's method, exact Poisson below 10 events.",
        notes.sii_note,
        notes.ethnicity_deprivation_note,
        notes.cwip_note,
        f"Disclosure control: {context.rule_text}",
    ]
    return tuple(b for b in bullets if b)


def shown_rows(
    frame: pd.DataFrame | None, caption: str, columns: dict[str, tuple[str, int]]
) -> tuple[ReportTable, ...]:
    """A shown table printed with the given headings and decimals (none if it is withheld).

    Proportions and shares (decimals -100) are printed per 100.
    """
    if frame is None or frame.empty:
        return ()
    present = [c for c in columns if c in frame.columns]
    rows = []
    for values in frame[present].itertuples(index=False):
        cells = []
        for column, value in zip(present, values, strict=True):
            decimals = columns[column][1]
            if decimals == -100 and not isinstance(value, str) and value == value:
                value, decimals = float(value) * 100, 0
            cells.append(_cell(value, max(decimals, 0), column not in PLAIN_NUMBERS))
        rows.append(tuple(cells))
    return (ReportTable(caption, tuple(columns[c][0] for c in present), tuple(rows)),)
