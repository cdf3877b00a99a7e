"""The report's standardisation and localities sections, in each view."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.context.standardise import standardise
from csc_inequalities.publication.disclosure import SUPPRESSED, View
from csc_inequalities.publication.report_content import build_report
from csc_inequalities.publication.report_sections import (
    LOCALITIES_HEADING,
    STANDARDISE_HEADING,
    area_sections,
)
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import view_context
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.localities import localities, scheme_for
from csc_inequalities.results.measures import Measure
from tests.helpers.area_records import counts_records

KENT = "E10000016"
CPP = Measure("CPP", "at_date", pd.Timestamp("2025-03-31").date())


def _report(store, view: View, counts):
    lsoas = store.lsoas(2025).query("la_code == @KENT")
    records = counts_records(lsoas["lsoa_code"], counts(lsoas))
    analysis = run_analysis(records, store, KENT, 2025, CPP)
    context = view_context(analysis, view)
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    compared = localities(analysis, scheme_for("district", store, KENT, 2025))
    sections = area_sections(standardise(analysis, store), compared, tables, context)
    return build_report(analysis, records, context, extra_sections=sections)


def _section(report, heading):
    return next(section for section in report.sections if section.heading == heading)


def test_both_sections_come_after_the_results_and_before_data_quality(store):
    report = _report(store, View.INTERNAL, lambda lsoas: np.full(len(lsoas), 2))
    headings = [section.heading for section in report.sections]
    assert headings.index(STANDARDISE_HEADING) + 1 == headings.index(LOCALITIES_HEADING)
    assert headings.index(LOCALITIES_HEADING) + 1 == headings.index("Data quality")
    standardised = _section(report, STANDARDISE_HEADING)
    assert [chart.key for chart in standardised.charts] == ["decomposition"]
    assert "times the expected number" in " ".join(standardised.paragraphs)
    assert standardised.tables[0].headings[0] == "Measure"
    assert len(standardised.tables[1].rows) == 10
    places = _section(report, LOCALITIES_HEADING)
    assert [chart.key for chart in places.charts] == ["funnel", "locality-map"]
    assert len(places.tables[0].rows) == 12
    assert places.tables[0].headings[-1] == "Against the funnel limits"
    assert all(chart.alt_text for chart in (*standardised.charts, *places.charts))


def test_publication_report_suppresses_small_districts_and_withholds_the_split(store):
    def counts(lsoas):
        values = np.full(len(lsoas), 2)
        dover = (lsoas["lad_name"] == "Dover").to_numpy()
        values[dover] = 0
        values[np.flatnonzero(dover)[0]] = 3
        values[(lsoas["imd_decile"] == 10).to_numpy()] = 0
        values[np.flatnonzero((lsoas["imd_decile"] == 10).to_numpy())[0]] = 2
        return values

    report = _report(store, View.PUBLICATION, counts)
    places = _section(report, LOCALITIES_HEADING)
    rows = {row[0]: row for row in places.tables[0].rows}
    assert rows["Dover"][2] == SUPPRESSED
    assert sum(row[2] == SUPPRESSED for row in rows.values()) == 2
    assert "2 districts with small counts are suppressed" in " ".join(places.paragraphs)
    standardised = _section(report, STANDARDISE_HEADING)
    text = " ".join(standardised.paragraphs)
    assert "mix of more and less deprived" not in text and "withheld" in text
    assert [chart.alt_text.endswith("withheld.") for chart in standardised.charts] == [True]
