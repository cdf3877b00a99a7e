"""Counts per LSOA: both geographies, ethnic groups and unusable rows."""

from __future__ import annotations

from records_fake_store import LA, FakeStore

from csc_inequalities.records.load import load_records
from csc_inequalities.records.lsoa_counts import LSOA_COUNTS

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


def test_counts_are_kept_on_both_geographies_within_the_authority():
    result = load_records([("counts.csv", COUNTS.encode())], LA, FakeStore())
    assert result.is_aggregate
    counts = result.counts.set_index(["geography", "lsoa_code", "intervention", "ethnic_group"])[
        "count"
    ]
    assert counts.loc[(2011, "E01000002", "CPP", "Asian")] == 6
    assert counts.loc[(2021, "E01033001", "CPP", "Asian")] == 6
    assert counts.loc[(2011, "E01000003", "CLA", "Not known")] == 2
    assert counts.loc[(2011, "E01000004", "CLA", "Not known")] == 3
    assert counts.loc[(2021, "E01033003", "CLA", "Not known")] == 5
    assert result.counts.groupby("geography")["count"].sum().to_dict() == {2011: 15, 2021: 15}


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
