"""The cascade and the age and sex views in the publication view: no small count shown."""

from __future__ import annotations

import pandas as pd
import pytest

from csc_inequalities.demo import demo_files
from csc_inequalities.demo.files import STANDARD_RETURN_FILES
from csc_inequalities.figures.cascade import cascade_chart
from csc_inequalities.publication.cascade import age_sex_shown, cascade_shown
from csc_inequalities.publication.charts import chart_frame
from csc_inequalities.publication.disclosure import SUPPRESSED, DisclosureRule, View
from csc_inequalities.records.load import load_records
from csc_inequalities.results.age_sex import run_age_sex
from csc_inequalities.results.cascade import run_cascade
from csc_inequalities.results.measures import Measure, year_ending

BLACKPOOL = "E06000009"
COUNTS = ("count", "numerator", "denominator")


@pytest.fixture(scope="module")
def records(store):
    files = demo_files(BLACKPOOL, store, names=STANDARD_RETURN_FILES)
    return load_records(list(files.items()), BLACKPOOL, store)


def small_counts_shown(frame: pd.DataFrame, threshold: int) -> list:
    """Every count from 1 to the threshold a table shows."""
    found = []
    for column in COUNTS:
        if column in frame.columns:
            values = frame[column][frame[column] != SUPPRESSED].astype(float)
            found += values[(values > 0) & (values <= threshold)].tolist()
    return found


@pytest.mark.parametrize("threshold", [5, 10])
def test_no_table_of_the_cascade_shows_a_small_count(store, records, threshold):
    rule = DisclosureRule(threshold)
    cascade = run_cascade(records, store, BLACKPOOL, 2025, 2025, "local", sex="F")
    internal = cascade_shown(cascade, View.INTERNAL, rule)
    assert any(small_counts_shown(t.frame, threshold) for t in internal.tables.values())
    shown = cascade_shown(cascade, View.PUBLICATION, rule)
    # Deciles are given in the internal view only: no decile comes out of a published quintile.
    assert set(internal.tables) - set(shown.tables) == {"cascade-stages-deciles"}
    for key, table in shown.tables.items():
        assert small_counts_shown(table.frame, threshold) == [], key
    hidden = (shown.frame("cascade-stages")["count"] == SUPPRESSED).any()
    assert hidden  # girls in Blackpool's least deprived fifth are few: something is hidden
    conversions = shown.frame("cascade-conversions")
    numerator_hidden = conversions["numerator"] == SUPPRESSED
    assert (conversions.loc[numerator_hidden, "proportion"] == SUPPRESSED).all()


def test_sentences_resting_on_hidden_counts_are_withheld(store, records):
    cascade = run_cascade(records, store, BLACKPOOL, 2025, 2025, "local", age_band="under_1")
    shown = cascade_shown(cascade, View.PUBLICATION, DisclosureRule())
    stages = shown.frame("cascade-stages")
    if (stages["count"] == SUPPRESSED).any():
        assert shown.withheld
        assert cascade.sentences["gap"] not in shown.sentences


def test_the_chart_leaves_suppressed_points_out_and_says_so(store, records):
    cascade = run_cascade(records, store, BLACKPOOL, 2025, 2025, "local", sex="F")
    shown = cascade_shown(cascade, View.PUBLICATION, DisclosureRule(10))
    frame = chart_frame(shown.frame("cascade-stages"))
    fig, alt = cascade_chart(frame, "Blackpool", "Decisions", "2024-25", "girls", "local_quintile")
    drawn = [y for trace in fig.data for y in trace.y if y is not None and y == y]
    path = frame[(frame["stage"] != "nfa") & (frame["children"] >= 200)]
    assert len(drawn) == (path["rate_per_10000"] > 0).sum()
    assert frame["rate_per_10000"].isna().any()  # suppressed in this view
    assert "suppressed" in alt


def test_age_sex_and_infants_protected_with_the_first_week_inside_the_first_year(store, records):
    measure = Measure("CLA", "starts", year_ending(2025))
    result = run_age_sex(records, store, BLACKPOOL, 2025, measure, "local")
    shown = age_sex_shown(result, View.PUBLICATION, DisclosureRule())
    for key, table in shown.tables.items():
        assert small_counts_shown(table.frame, 5) == [], key
    infants = shown.frame("infants")
    week = infants[infants["kind"] == "first_week"]["count"].to_numpy()
    year = infants[infants["kind"] == "under_1"]["count"].to_numpy()
    for first, whole in zip(week, year, strict=True):
        if SUPPRESSED not in (first, whole):
            assert not 0 < float(whole) - float(first) <= 5
    assert not (result.infants["count"].between(1, 5)).any() or shown.withheld


def test_report_has_a_cascade_and_an_age_and_sex_section_in_the_view(store, records):
    from csc_inequalities.publication.cascade_report import report_sections
    from csc_inequalities.publication.report_content import build_report
    from csc_inequalities.publication.view_context import view_context
    from csc_inequalities.results.analysis import run_analysis

    measure = Measure("CPP", "at_date", year_ending(2025))
    analysis = run_analysis(records, store, BLACKPOOL, 2025, measure, "local", sex="M")
    context = view_context(analysis, View.PUBLICATION)
    extra = report_sections(analysis, records, context, store)
    report = build_report(analysis, records, context, (), extra)
    headings = [section.heading for section in report.sections]
    assert headings.index("The decision cascade: where the gap widens") < headings.index(
        "Data quality"
    )
    cascade, ages = extra
    assert [chart.key for chart in cascade.charts][:2] == ["cascade", "cascade-conversions"]
    assert all(chart.alt_text for section in extra for chart in section.charts)
    for table in (*cascade.tables, *ages.tables):
        counted = ("Count", "Later decisions", "Earlier decisions")
        columns = [i for i, heading in enumerate(table.headings) if heading in counted]
        for row in table.rows:
            for i in columns:
                value = row[i].replace(",", "")
                assert value == SUPPRESSED or not 0 < float(value) <= 5, (table.caption, row)
    assert "(boys aged 0-17)" in ages.tables[0].caption


def test_the_babies_chart_axis_follows_the_estimates_not_a_small_quintiles_interval():
    from csc_inequalities.figures.cascade import infants_chart

    rows = []
    for kind, label, rates, uppers in (
        ("under_1", "In the first year", [40.0, 30.0, 20.0, 10.0, 5.0], [60, 2000, 35, 18, 9]),
        ("first_week", "In the first week", [8.0, 6.0, 4.0, 2.0, 1.0], [15, 12, 9, 6, 4]),
    ):
        for group, (rate, upper) in enumerate(zip(rates, uppers, strict=True), start=1):
            rows.append(
                {"kind": kind, "kind_label": label, "group": group, "rate_per_10000": rate,
                 "lower_95ci": rate / 2, "upper_95ci": float(upper)}
            )  # fmt: skip
    fig, _ = infants_chart(pd.DataFrame(rows), "Smallshire", "Babies")
    low, high = fig.layout.yaxis.range
    assert low == 0 and 40 <= high < 200  # the 2,000 upper limit does not set the scale
    arrows = [t for t in fig.data if t.type == "scatter"]
    assert len(arrows) == 1 and list(arrows[0].x) == [2]
