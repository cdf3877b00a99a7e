"""The age and sex filter: denominators that add up, and counts that follow the same children."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csc_inequalities.demo import demo_files
from csc_inequalities.demo.files import STANDARD_RETURN_FILES
from csc_inequalities.publication.view_context import measure_slug
from csc_inequalities.records.canonical import LoadResult
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.measures import Measure, year_ending
from csc_inequalities.results.population import (
    BANDS,
    EVERYONE,
    Who,
    ages_on,
    sex_share,
    with_children_of,
)

LA = "E06000009"


@pytest.fixture(scope="module")
def records(store) -> LoadResult:
    """Blackpool's demo returns read as an upload, so every spell has a birth date and sex."""
    files = demo_files(LA, store, names=STANDARD_RETURN_FILES)
    return load_records(list(files.items()), LA, store)


@pytest.mark.parametrize("imd_year", [2019, 2025])
def test_age_band_denominators_sum_to_all_ages_in_every_lsoa(store, imd_year):
    lsoas = store.authority_lsoas(imd_year, LA)
    bands = sum(with_children_of(lsoas, Who(band))["children_0_17"].to_numpy() for band in BANDS)
    assert bands == pytest.approx(lsoas["children_0_17"].to_numpy(), rel=1e-9)
    under_one = with_children_of(lsoas, Who("under_1"))["children_0_17"]
    assert under_one.to_numpy() == pytest.approx(lsoas["age_0"].to_numpy())


def test_girls_and_boys_add_up_to_all_children(store):
    lsoas = store.authority_lsoas(2025, LA)
    girls, boys = sex_share(store, LA, "F"), sex_share(store, LA, "M")
    assert girls + boys == pytest.approx(1.0)
    assert 0.45 < girls < 0.52  # Census 2021: a few more boys than girls, as everywhere
    both = (
        with_children_of(lsoas, Who("5_9", "F"), girls)["children_0_17"].sum()
        + with_children_of(lsoas, Who("5_9", "M"), boys)["children_0_17"].sum()
    )
    assert both == pytest.approx(with_children_of(lsoas, Who("5_9"))["children_0_17"].sum())


def test_whole_years_of_age_turn_on_the_birthday():
    born = pd.to_datetime(pd.Series(["2020-03-31", "2020-04-01", None, "2024-02-29"]))
    assert ages_on(born, np.datetime64("2025-03-31")).tolist()[:2] == [5.0, 4.0]
    assert np.isnan(ages_on(born, np.datetime64("2025-03-31"))[2])
    assert ages_on(born, np.datetime64("2025-02-28"))[3] == 0.0  # no birthday in 2025 yet
    assert ages_on(born, np.datetime64("2025-03-01"))[3] == 1.0


def independent_count(records: LoadResult, store, who: Who, day: date) -> int:
    """Children on a plan at ``day``, of ``who``'s age and sex, counted here row by row."""
    inside = set(store.lsoas(2025).query("la_code == @LA")["lsoa_code"])
    counted = {}
    for row in records.spells.itertuples():
        ended = row.end_date is not pd.NaT and row.end_date <= pd.Timestamp(day)
        if row.intervention != "CPP" or row.start_date > pd.Timestamp(day) or ended:
            continue
        latest = counted.get(row.child_id)
        if latest is None or row.start_date > latest.start_date:
            counted[row.child_id] = row
    total = 0
    for row in counted.values():
        if row.lsoa21_code not in inside or pd.isna(row.date_of_birth):
            continue
        born = row.date_of_birth.date()
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        first, last = who.ages
        if first <= age <= last and who.sex in ("all", row.sex):
            total += 1
    return total


def test_filter_counts_the_children_of_that_age_and_sex(store, records):
    measure = Measure("CPP", "at_date", year_ending(2025))
    for band, sex in [("1_4", "all"), ("10_15", "F"), ("all", "M")]:
        analysis = run_analysis(records, store, LA, 2025, measure, age_band=band, sex=sex)
        expected = independent_count(records, store, Who(band, sex), date(2025, 3, 31))
        assert analysis.overall.count == expected > 0
        assert analysis.measure.who == Who(band, sex)


def test_bands_and_sexes_split_counts_and_children_consistently(store, records):
    measure = Measure("CLA", "at_date", year_ending(2025))
    everyone = run_analysis(records, store, LA, 2025, measure)
    bands = [run_analysis(records, store, LA, 2025, measure, age_band=b) for b in BANDS]
    assert sum(a.overall.children for a in bands) == pytest.approx(everyone.overall.children)
    assert sum(a.overall.count for a in bands) <= everyone.overall.count
    # Only children with no date of birth fall outside every band; the demo records them all.
    assert sum(a.overall.count for a in bands) == everyone.overall.count
    by_decile = sum(a.gradient["count"].to_numpy() for a in bands)
    assert by_decile.tolist() == everyone.gradient["count"].tolist()
    sexes = [run_analysis(records, store, LA, 2025, measure, sex=s) for s in ("F", "M")]
    assert sum(a.overall.children for a in sexes) == pytest.approx(everyone.overall.children)
    assert sum(a.overall.count for a in sexes) == everyone.overall.count
    infants = bands[0]
    assert infants.overall.children == pytest.approx(store.authority_lsoas(2025, LA)["age_0"].sum())


def test_filter_reaches_the_trend_labels_and_notes(store, records):
    measure = Measure.starts_in_year("CLA", 2025)
    analysis = run_analysis(records, store, LA, 2025, measure, age_band="10_15", sex="F")
    latest = analysis.trend.gradient[analysis.trend.gradient["year"] == 2025]
    assert latest["count"].tolist() == analysis.gradient_quintiles["count"].tolist()
    assert latest["children"].to_numpy() == pytest.approx(
        analysis.gradient_quintiles["children"].to_numpy()
    )
    assert analysis.notes.measure_label.endswith("(girls aged 10 to 15)")
    assert "share of girls" in analysis.notes.denominator_note
    assert analysis.cwip is None and "cwip" not in analysis.sentences
    assert "girls aged 10 to 15" in analysis.sentences["overall"]
    assert measure_slug(analysis.measure) == "cla-starts-2024-25-girls-10-15"


def test_counts_per_lsoa_cannot_be_filtered_and_say_so(store):
    counts = pd.DataFrame(
        {
            "lsoa_code": store.authority_lsoas(2025, LA)["lsoa_code"].iloc[:3],
            "geography": 2021,
            "intervention": "CLA",
            "ethnic_group": "Not known",
            "count": [4, 5, 6],
        }
    )
    measure = Measure("CLA", "at_date", year_ending(2025))
    analysis = run_analysis(LoadResult(counts=counts), store, LA, 2025, measure, age_band="1_4")
    assert analysis.measure.who == EVERYONE
    assert analysis.overall.count == 15
    assert "not applied" in analysis.notes.filter_note


def test_age_and_sex_breakdowns_match_the_filtered_analysis(store, records):
    from csc_inequalities.results.age_sex import run_age_sex

    measure = Measure("CPP", "at_date", year_ending(2025))
    result = run_age_sex(records, store, LA, 2025, measure, "local", sex="F")
    for band in BANDS:
        filtered = run_analysis(records, store, LA, 2025, measure, "local", age_band=band, sex="F")
        rows = result.by_age[result.by_age["age_band"] == band]
        assert rows["count"].tolist() == filtered.gradient_quintiles["count"].tolist()
        assert rows["children"].to_numpy() == pytest.approx(
            filtered.gradient_quintiles["children"].to_numpy()
        )
    girls = result.by_sex[result.by_sex["sex"] == "F"]
    assert girls["count"].sum() == sum(
        result.by_age.loc[result.by_age["age_band"] == b, "count"].sum() for b in BANDS
    )
    assert "girls aged 0-17" in result.measure.label()


def test_infants_starting_care_are_counted_by_age_at_the_start(store, records):
    from csc_inequalities.results.age_sex import run_age_sex

    result = run_age_sex(records, store, LA, 2025, Measure("CPP", "at_date", year_ending(2025)))
    inside = set(store.lsoas(2025).query("la_code == @LA")["lsoa_code"])
    care = records.spells[
        (records.spells["intervention"] == "CLA")
        & records.spells["start_date"].between("2024-04-01", "2025-03-31")
    ].sort_values("start_date")
    first = care.drop_duplicates("child_id")
    first = first[first["lsoa21_code"].isin(inside)]
    days = (first["start_date"] - first["date_of_birth"]).dt.days
    babies = [
        row for row, d in zip(first.itertuples(), days, strict=True)
        if d >= 0 and row.start_date < row.date_of_birth + pd.DateOffset(years=1)
    ]  # fmt: skip
    infants = result.infants.groupby("kind")["count"].sum()
    assert infants["under_1"] == len(babies) > 0
    assert infants["first_week"] == int((days[days >= 0] <= 7).sum())
    assert infants["first_week"] <= infants["under_1"]
    under_one = result.infants[result.infants["kind"] == "under_1"]["children"].sum()
    assert under_one == pytest.approx(store.authority_lsoas(2025, LA)["age_0"].sum())
