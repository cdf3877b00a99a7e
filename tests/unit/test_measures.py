"""Counting children open at a date and spells starting in a year, per LSOA."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from csc_inequalities.records.canonical import LoadResult, empty_spells
from csc_inequalities.results.measures import (
    Measure,
    available_years,
    count_by_lsoa,
    counted_spells,
    default_measure,
)

MARCH_31 = date(2024, 3, 31)


def spells(rows: list[tuple]) -> pd.DataFrame:
    """A canonical spells table from short tuples of the columns that matter here."""
    frame = pd.DataFrame(
        rows,
        columns=["child_id", "intervention", "start_date", "end_date", "lsoa11_code",
                 "ethnicity_code", "ethnic_group", "cin_nfa"],
    )  # fmt: skip
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["lsoa21_code"] = frame["lsoa11_code"].str.replace("E01", "E02", regex=False)
    return pd.concat([empty_spells(), frame], ignore_index=True)


BOUNDARY = spells(
    [
        ("A", "CLA", "2024-03-31", None, "E01000001", "WBRI", "White", False),  # starts on the day
        ("B", "CLA", "2023-01-01", "2024-03-31", "E01000001", "WBRI", "White", False),  # ends on it
        ("C", "CLA", "2023-01-01", "2024-04-01", "E01000002", "BAFR", "Black", False),  # ends after
        ("D", "CLA", "2024-04-01", None, "E01000002", "WBRI", "White", False),  # starts after
        ("E", "CLA", "2022-05-01", None, "E01000002", "CHNE", "Other", False),  # Chinese -> Asian
        ("F", "CPP", "2023-06-01", None, "E01000001", "WBRI", "White", False),  # other intervention
        ("G", "CLA", "2023-04-01", None, None, "WBRI", "White", False),  # no LSOA
    ]
)


def test_open_at_date_counts_start_on_the_day_but_not_an_end_on_it():
    counted = counted_spells(BOUNDARY, Measure("CLA", "at_date", MARCH_31))
    assert sorted(counted["child_id"]) == ["A", "C", "E", "G"]


def test_counts_per_lsoa_keep_unlocated_children_and_align_chinese_with_census():
    counts = count_by_lsoa(BOUNDARY, Measure("CLA", "at_date", MARCH_31), 2011)
    by_key = {
        (row.lsoa_code if isinstance(row.lsoa_code, str) else None, row.ethnic_group): row.count
        for row in counts.itertuples()
    }
    assert by_key == {
        ("E01000001", "White"): 1.0,
        ("E01000002", "Black"): 1.0,
        ("E01000002", "Asian"): 1.0,
        (None, "White"): 1.0,
    }


def test_geography_2021_uses_the_2021_codes():
    counts = count_by_lsoa(BOUNDARY, Measure("CLA", "at_date", MARCH_31), 2021)
    assert set(counts["lsoa_code"].dropna()) == {"E02000001", "E02000002"}


def test_a_child_is_counted_once_in_the_lsoa_of_the_latest_open_spell():
    table = spells(
        [
            ("A", "CPP", "2023-05-01", None, "E01000001", "WBRI", "White", False),
            ("A", "CPP", "2023-09-01", None, "E01000002", "WBRI", "White", False),
        ]
    )
    counts = count_by_lsoa(table, Measure("CPP", "at_date", MARCH_31), 2011)
    assert counts[["lsoa_code", "count"]].values.tolist() == [["E01000002", 1.0]]


def test_starts_count_spells_from_1_april_to_31_march_inclusive():
    table = spells(
        [
            ("A", "CPP", "2023-03-31", None, "E01000001", "WBRI", "White", False),  # year before
            ("B", "CPP", "2023-04-01", "2023-06-01", "E01000001", "WBRI", "White", False),
            ("B", "CPP", "2023-09-01", None, "E01000001", "WBRI", "White", False),  # second plan
            ("C", "CPP", "2024-03-31", None, "E01000001", "WBRI", "White", False),  # last day
            ("D", "CPP", "2024-04-01", None, "E01000001", "WBRI", "White", False),  # next year
        ]
    )
    measure = Measure.starts_in_year("CPP", 2024)
    assert measure.period_start == date(2023, 4, 1)
    counts = count_by_lsoa(table, measure, 2011)
    assert counts["count"].sum() == 3.0


def test_children_starting_care_twice_in_a_year_count_once_in_the_first_lsoa():
    table = spells(
        [
            ("A", "CLA", "2023-05-01", "2023-07-01", "E01000001", "WBRI", "White", False),
            ("A", "CLA", "2023-11-01", None, "E01000002", "WBRI", "White", False),
            ("B", "CLA", "2023-06-01", None, "E01000002", "WBRI", "White", False),
        ]
    )
    counts = count_by_lsoa(table, Measure.starts_in_year("CLA", 2024), 2011)
    assert dict(zip(counts["lsoa_code"], counts["count"], strict=True)) == {
        "E01000001": 1.0,
        "E01000002": 1.0,
    }


def test_cin_referrals_with_no_further_action_are_not_counted():
    table = spells(
        [
            ("A", "CIN", "2023-05-01", None, "E01000001", "WBRI", "White", False),
            ("B", "CIN", "2023-05-01", None, "E01000001", "WBRI", "White", True),
        ]
    )
    counted = counted_spells(table, Measure("CIN", "at_date", MARCH_31))
    assert list(counted["child_id"]) == ["A"]


def test_a_few_early_closures_do_not_make_a_year_covered():
    rows = [("A", "CPP", "2015-06-01", "2016-01-01", "E01000001", "WBRI", "White", False)]
    rows += [
        (f"C{i}", "CIN", "2023-01-01", f"2024-0{1 + i % 3}-01", "E01000001", "WBRI", "White", False)
        for i in range(6)
    ]
    assert available_years(spells(rows)) == [2024]


def test_available_years_and_default_measure_follow_closures():
    # Closures in 2022-23 and 2023-24 mark covered years; an old start alone does not.
    table = spells(
        [
            ("A", "CLA", "2015-06-01", None, "E01000001", "WBRI", "White", False),
            ("B", "CLA", "2022-05-01", "2022-12-01", "E01000001", "WBRI", "White", False),
            ("C", "CLA", "2023-05-01", "2024-01-01", "E01000001", "WBRI", "White", False),
        ]
    )
    assert available_years(table) == [2023, 2024]
    assert default_measure(table, "CLA") == Measure("CLA", "at_date", MARCH_31)


def test_aggregate_counts_are_used_as_given():
    counts = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000001", "E01000002"],
            "geography": [2011, 2011, 2011],
            "intervention": ["CPP", "CLA", "CPP"],
            "ethnic_group": ["White", "White", None],
            "count": [4, 7, 2],
        }
    )
    result = count_by_lsoa(LoadResult(counts=counts), Measure("CPP", "at_date", MARCH_31), 2011)
    assert sorted(result.itertuples(index=False, name=None)) == [
        ("E01000001", "White", 4.0),
        ("E01000002", "Not known", 2.0),
    ]


def test_aggregate_counts_on_the_other_geography_are_apportioned():
    counts = pd.DataFrame(
        {"lsoa_code": ["E01000001"], "geography": [2011], "intervention": ["CLA"],
         "ethnic_group": ["White"], "count": [10]}
    )  # fmt: skip
    lookup = pd.DataFrame(
        {"lsoa11_code": ["E01000001", "E01000001"], "lsoa21_code": ["E01100001", "E01100002"],
         "change_code": ["S", "S"], "weight_11_to_21": [0.6, 0.4], "weight_21_to_11": [1.0, 1.0]}
    )  # fmt: skip
    result = count_by_lsoa(
        LoadResult(counts=counts), Measure("CLA", "at_date", MARCH_31), 2021, lookup
    )
    assert dict(zip(result["lsoa_code"], result["count"], strict=True)) == pytest.approx(
        {"E01100001": 6.0, "E01100002": 4.0}
    )


def test_empty_records_give_an_empty_table_and_labels_read_well():
    measure = Measure("CPP", "at_date", MARCH_31)
    assert count_by_lsoa(LoadResult(), measure, 2011).empty
    assert measure.label() == "Children on a child protection plan at 31 March 2024"
    starts = Measure.starts_in_year("CPP", 2024)
    assert starts.label() == (
        "Child protection plans starting in the year 1 April 2023 to 31 March 2024"
    )


def test_invalid_measures_are_refused():
    with pytest.raises(ValueError):
        Measure("XYZ", "at_date", MARCH_31)
    with pytest.raises(ValueError):
        Measure("CLA", "starts", date(2024, 6, 30))


def test_planned_end_dates_never_make_a_later_31_march_a_figure():
    # A case-system extract with starts to early 2025 and plans ending in 2027.
    rows = [
        (f"P{i}", "CPP", f"2024-0{1 + i % 9}-01", "2027-06-30", "E01000001", "WBRI", "White", False)
        for i in range(12)
    ]
    rows += [("Q", "CPP", "2025-02-10", None, "E01000001", "WBRI", "White", False)]
    assert available_years(spells(rows), today=date(2026, 11, 29)) == [2025]


def test_no_figure_is_given_at_a_31_march_still_to_come():
    rows = [("A", "CLA", "2026-05-01", None, "E01000001", "WBRI", "White", False)]
    assert available_years(spells(rows), today=date(2026, 11, 29)) == [2026]
    assert available_years(spells(rows), today=date(2027, 4, 2)) == [2027]


def test_a_load_without_dated_spells_is_offered_the_latest_ended_year():
    from csc_inequalities.results.measures import last_year_ended, offered_years

    assert offered_years(LoadResult()) == [last_year_ended(date.today())]
    rows = [("A", "CLA", "2023-05-01", "2024-01-01", "E01000001", "WBRI", "White", False)]
    assert offered_years(spells(rows)) == [2024]
