"""Counts per LSOA: both geographies, ethnic groups and unusable rows."""

from __future__ import annotations

from datetime import date

import pytest

from csc_inequalities.records.load import load_records
from csc_inequalities.records.lsoa_counts import LSOA_COUNTS
from csc_inequalities.results.measures import Measure, count_by_lsoa
from tests.helpers.fake_store import LA, FakeStore

COUNTS = """LSOA11CD,Measure,Count,Ethnic group
E01000001,CPP,4,White
E01000002,CPP,6,Asian
E01000003,CLA,2,
E01000004,Looked after,3,
E01000005,CPP,9,White
W01000001,CPP,1,
E01000001,CPP,two,
E01000001,Respite,5,
"""


def test_each_count_row_is_kept_once_on_its_own_geography():
    result = load_records([("counts.csv", COUNTS.encode())], LA, FakeStore())
    assert result.is_aggregate
    counts = result.counts.set_index(["geography", "lsoa_code", "intervention", "ethnic_group"])[
        "count"
    ]
    # E01000001 is unchanged between 2011 and 2021, so it is a 2021 code too.
    assert counts.to_dict() == {
        (2021, "E01000001", "CPP", "White"): 4,
        (2011, "E01000002", "CPP", "Asian"): 6,
        (2011, "E01000003", "CLA", "Not known"): 2,
        (2011, "E01000004", "CLA", "Not known"): 3,
    }
    assert result.counts["count"].sum() == 4 + 6 + 2 + 3


@pytest.mark.parametrize("geography", [2011, 2021])
@pytest.mark.parametrize(("intervention", "expected"), [("CPP", 10), ("CLA", 5)])
def test_counted_totals_equal_the_file_on_either_geography(geography, intervention, expected):
    result = load_records([("counts.csv", COUNTS.encode())], LA, FakeStore())
    measure = Measure(intervention, "at_date", date(2025, 3, 31))
    counted = count_by_lsoa(result, measure, geography, FakeStore().lsoa_lookup)
    assert counted["count"].sum() == pytest.approx(expected)


def test_a_split_lsoa_is_shared_out_by_children_on_the_newer_geography():
    result = load_records([("counts.csv", COUNTS.encode())], LA, FakeStore())
    measure = Measure("CPP", "at_date", date(2025, 3, 31))
    counted = count_by_lsoa(result, measure, 2021, FakeStore().lsoa_lookup)
    by_lsoa = counted.groupby("lsoa_code")["count"].sum()
    assert by_lsoa["E01033001"] == pytest.approx(6 * 0.6)
    assert by_lsoa["E01033002"] == pytest.approx(6 * 0.4)
    assert by_lsoa["E01000001"] == 4


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1e20", "implausible count"),
        ("10001", "implausible count"),
        ("-3", "unreadable number"),
        ("2.5", "unreadable number"),
        ("lots", "unreadable number"),
    ],
)
def test_impossible_counts_are_refused_with_their_row(value, reason):
    text = f"LSOA code,Measure,Count\nE01000001,CPP,4\nE01000001,CPP,{value}\n"
    result = load_records([("counts.csv", text.encode())], LA, FakeStore())
    assert result.counts["count"].sum() == 4
    assert list(zip(result.issues["row"], result.issues["reason"], strict=True)) == [(3, reason)]


def test_the_largest_plausible_count_is_kept():
    text = 'LSOA code,Measure,Count\nE01000001,CIN,"10,000"\n'
    result = load_records([("counts.csv", text.encode())], LA, FakeStore())
    assert result.counts["count"].sum() == 10_000 and result.issues.empty


def test_unusable_count_rows_are_reported_by_row():
    result = load_records([("counts.csv", COUNTS.encode())], LA, FakeStore())
    found = set(zip(result.issues["row"], result.issues["reason"], strict=True))
    assert found == {
        (6, "outside the authority"),
        (7, "unknown LSOA code"),
        (8, "unreadable number"),
        (9, "unknown code"),
    }
    summary = result.summary.iloc[0]
    assert (summary["kind"], summary["records_read"], summary["spells_used"]) == (LSOA_COUNTS, 8, 4)
    assert (summary["dropped"], summary["outside_authority"]) == (4, 1)
