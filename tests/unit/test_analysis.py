"""run_analysis end to end on a synthetic authority: every result present, and fast enough."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.results.analysis import authority_groups, run_analysis
from csc_inequalities.results.gradient import gradient_table
from csc_inequalities.results.measures import Measure, count_by_lsoa, default_measure, year_ending
from tests.helpers.synthetic_store import synthetic_spells, synthetic_store

LA = "E06000009"


@pytest.fixture(scope="module")
def average():
    store = synthetic_store(LA, n_lsoas=200)
    return store, LoadResult(spells=synthetic_spells(store.lsoas(2019), 5000))


def test_every_result_is_present_and_consistent(average):
    store, records = average
    measure = default_measure(records.spells, "CPP")
    analysis = run_analysis(records, store, LA, 2019, measure, "national")
    assert analysis.gradient["group"].tolist() == list(range(1, 11))
    assert analysis.gradient_quintiles["group"].tolist() == list(range(1, 6))
    assert analysis.gradient["count"].sum() == analysis.overall.count
    assert analysis.gradient_quintiles["count"].sum() == analysis.overall.count
    assert analysis.lsoas["count"].sum() == analysis.overall.count
    assert len(analysis.lsoas) == 200
    assert analysis.summary.slope.sii < 0  # rates rise with deprivation in the synthetic data
    # The synthetic system starts empty in April 2020: too few closures in 2020-21 to count.
    assert analysis.trend.sii["year"].tolist() == [2022, 2023, 2024]
    assert set(analysis.sentences) == {
        "overall", "ratio_quintile", "ratio_decile", "sii", "rii", "share", "excess",
        "ethnicity_deprivation", "trend", "map", "cwip",
    }  # fmt: skip
    assert analysis.cwip is not None
    assert analysis.notes.reference_date == "2024-03-31"
    assert analysis.ethnicity["ethnic_group"].tolist()[-1] == "Not known"
    assert np.all((analysis.lsoas["minority_share"] >= 0) & (analysis.lsoas["minority_share"] <= 1))


def test_local_deciles_have_equal_lsoa_counts_and_no_cwip(average):
    store, records = average
    measure = Measure.starts_in_year("CLA", 2023)
    analysis = run_analysis(records, store, LA, 2025, measure, "local")
    assert analysis.gradient["lsoas"].tolist() == [20] * 10
    assert analysis.cwip is None
    assert "Local deciles" in analysis.notes.deciles_note


def test_no_records_counted_breaks_nothing(average):
    store, _ = average
    analysis = run_analysis(
        LoadResult(),
        store,
        LA,
        2019,
        Measure("CIN", "at_date", default_measure(LoadResult().spells).reference_date),
    )
    assert analysis.overall.count == 0
    assert analysis.summary.ratio_quintile.ratio is None
    assert analysis.summary.slope.sii is None
    assert analysis.trend.sii.empty
    # Nothing was counted because nothing was uploaded: that is said instead of "0 children".
    assert (
        analysis.sentences["overall"] == "The uploaded files hold no records that could be counted."
    )
    assert all(sentence == "" for key, sentence in analysis.sentences.items() if key != "overall")


def test_a_measure_with_no_spells_in_records_of_other_kinds_counts_zero_every_year(average):
    # An SSDA903 upload holds children looked after only: its child protection trend is
    # zero in every year the records cover, with no SII, not an error.
    store, records = average
    looked_after = LoadResult(spells=records.spells[records.spells["intervention"] == "CLA"])
    measure = Measure("CPP", "at_date", default_measure(looked_after.spells).reference_date)
    analysis = run_analysis(looked_after, store, LA, 2019, measure)
    years = analysis.trend.sii["year"].tolist()
    assert years and analysis.trend.sii["count"].tolist() == [0.0] * len(years)
    assert analysis.trend.sii["sii"].isna().all()
    assert analysis.trend.gradient["count"].tolist() == [0.0] * 5 * len(years)
    assert analysis.overall.count == 0


def test_unknown_authority_is_a_clear_error(average):
    store, records = average
    with pytest.raises(ValueError, match="No LSOAs found"):
        run_analysis(records, store, "E06999999", 2019, default_measure(records.spells))


@pytest.mark.parametrize(("n_lsoas", "n_records", "limit"), [(200, 5000, 0.15), (900, 25000, 0.5)])
def test_speed_targets(n_lsoas, n_records, limit):
    store = synthetic_store(LA, n_lsoas=n_lsoas, seed=3)
    records = LoadResult(spells=synthetic_spells(store.lsoas(2019), n_records))
    measure = default_measure(records.spells, "CLA")
    run_analysis(records, store, LA, 2019, measure)  # fills the per-authority caches
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        run_analysis(records, store, LA, 2019, measure)
        timings.append(time.perf_counter() - started)
    assert min(timings) < limit


@pytest.mark.parametrize(
    "measure", [Measure("CIN", "at_date", date(2024, 3, 31)), Measure.starts_in_year("CLA", 2024)]
)
def test_trend_counts_every_year_as_the_single_year_counting_does(average, measure):
    store, records = average
    analysis = run_analysis(records, store, LA, 2019, measure, "national")
    lsoas = store.authority_lsoas(2019, LA)
    for year in analysis.trend.sii["year"]:
        single = replace(measure, reference_date=year_ending(int(year)))
        counts = count_by_lsoa(records, single, 2011)
        located = counts[counts["lsoa_code"].isin(lsoas["lsoa_code"])]
        rows = analysis.trend.gradient[analysis.trend.gradient["year"] == year]
        expected = gradient_table(
            located, lsoas, authority_groups(store, LA, 2019, "imd", "national_quintile")
        )
        assert rows["count"].tolist() == expected["count"].tolist()


@pytest.fixture(scope="module")
def blackpool_files(store):
    from csc_inequalities.demo import demo_files

    return demo_files("E06000009", store)


@pytest.mark.slow
def test_real_store_demo_records_end_to_end(store, blackpool_files):
    from csc_inequalities.records.load import load_records

    records = load_records(list(blackpool_files.items()), "E06000009", store)
    measure = default_measure(records.spells, "CPP")
    for imd_year in (2019, 2025):
        analysis = run_analysis(records, store, "E06000009", imd_year, measure, "local")
        assert analysis.la_name == "Blackpool"
        assert analysis.gradient["lsoas"].sum() == len(analysis.lsoas)
        assert analysis.overall.count > 0
        assert analysis.summary.slope.sii < 0  # the demo follows CWIP's gradient
        assert analysis.ethnicity["children"].iloc[:5].sum() == pytest.approx(
            analysis.overall.children
        )


@pytest.mark.slow
def test_gradient_command_prints_table_and_summary(store, blackpool_files, tmp_path, capsys):
    from csc_inequalities.cli import main

    paths = []
    for name, content in blackpool_files.items():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    code = main(
        ["gradient", "--la", "E06000009", "--records", *paths, "--measure", "cla",
         "--at", "2024-03-31", "--format", "csv"]
    )  # fmt: skip
    output = capsys.readouterr().out
    assert code == 0
    assert output.startswith("decile,label,children,count,rate,lower,upper\n1,1 most deprived,")
    assert "slope index of inequality (SII)" in output
    assert main(["gradient", "--la", "E06000009", "--records", str(tmp_path / "missing.csv"),
                 "--measure", "cla", "--at", "2024-03-31"]) == 2  # fmt: skip


def test_own_denominators_replace_the_store_estimates(average):
    store, records = average
    measure = default_measure(records.spells, "CPP")
    base = run_analysis(records, store, LA, 2019, measure)
    lsoas = store.authority_lsoas(2019, LA)
    own = pd.DataFrame({"lsoa_code": lsoas["lsoa_code"][:50], "children": 1000.0})
    analysis = run_analysis(records, store, LA, 2019, measure, own_children=own)
    expected = base.overall.children - lsoas["children_0_17"][:50].sum() + 50 * 1000.0
    assert analysis.overall.children == pytest.approx(expected)
    assert analysis.overall.count == base.overall.count
    assert "own figures for 50 of 200 LSOAs" in analysis.notes.denominator_note
    assert analysis.ethnicity["children"].iloc[:5].sum() == pytest.approx(expected)
    ethnic = pd.Series({"White": 5000.0, "Mixed": 500.0, "Asian": 800.0, "Black": 300.0})
    analysis = run_analysis(records, store, LA, 2019, measure, own_ethnic_children=ethnic)
    assert analysis.ethnicity.set_index("ethnic_group").loc["Other", "children"] == 0.0
    assert "authority's own figures" in analysis.notes.ethnicity_note
    with pytest.raises(ValueError, match="negative"):
        run_analysis(records, store, LA, 2019, measure, own_children=own.assign(children=-1.0))
