"""SSDA903 tables: recognition by columns, periods of care, geography and every dropped record."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

import pandas as pd
import pytest

from csc_inequalities.records import ssda903
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from csc_inequalities.records.sniff import read_tables
from tests.helpers.fake_store import LA, FakeStore
from tests.helpers.return_samples import EPISODE_HEADING, EPISODES, HEADER


def load(episodes: str = EPISODES, header: str | None = HEADER):
    files = [("episodes.csv", episodes.encode())]
    if header is not None:
        files.append(("header.csv", header.encode()))
    return load_records(files, LA, FakeStore())


def issues_for(result, child: str) -> list[tuple[int, str, str]]:
    rows = result.issues[result.issues["child_id"] == child]
    return list(zip(rows["row"], rows["severity"], rows["reason"], strict=True))


def test_tables_are_recognised_by_their_columns_not_their_names():
    assert ssda903.table_kind(EPISODE_HEADING.lower().split(",")) == ssda903.EPISODES
    assert ssda903.table_kind(HEADER.splitlines()[0].split(",")) == ssda903.HEADER
    assert ssda903.table_kind(["CHILD", "SEX", "DOB", "DUC"]) == ssda903.UASC
    assert ssda903.table_kind(["child_id", "postcode"]) is None
    result = load_records(
        [("a.csv", EPISODES.encode()), ("b.csv", HEADER.encode())], LA, FakeStore()
    )
    assert dict(zip(result.summary["file"], result.summary["kind"], strict=True)) == {
        "a.csv": ssda903.EPISODES,
        "b.csv": ssda903.HEADER,
    }


def test_periods_of_care_follow_rne_gaps_and_leaving_care():
    result = load()
    spells = result.spells.sort_values(["child_id", "start_date"]).reset_index(drop=True)
    a = spells[spells["child_id"] == "A"]
    # A's first period: 1 Apr 2020 (S) continued by the P episode, ended when A left (E11).
    assert a["start_date"].tolist() == [pd.Timestamp("2020-04-01")]
    assert a["end_date"].tolist() == [pd.Timestamp("2020-06-01")]
    assert a["legal_status"].tolist() == ["C2"]
    assert a["reason_new_episode"].tolist() == ["S"]
    assert a["lsoa11_code"].tolist() == ["E01000001"]
    # A's second period started at a postcode in another authority.
    assert issues_for(result, "A") == [(4, "dropped", "outside the authority")]


def test_short_breaks_are_excluded_and_the_next_episode_starts_a_period():
    result = load()
    assert "B" not in set(result.spells["child_id"])
    # B's only non-V3 episode (row 6) starts the period and has no home postcode;
    # B's Header row (row 3) has an ethnicity that is not a DfE code.
    assert issues_for(result, "B") == [
        (6, "dropped", "missing field"),
        (3, "warning", "unknown ethnicity code"),
    ]


def test_bad_dates_duplicates_and_fallback_postcodes_are_reported_with_excel_rows():
    result = load()
    assert issues_for(result, "C") == [(7, "dropped", "end before start")]
    assert issues_for(result, "D") == [(9, "dropped", "duplicate spell")]
    assert issues_for(result, "E") == [(10, "dropped", "unreadable date")]
    assert sorted(issues_for(result, "F")) == [
        (11, "warning", "address taken from a later episode or record"),
        (11, "warning", "missing field"),
    ]
    f = result.spells[result.spells["child_id"] == "F"].iloc[0]
    assert (f["lsoa11_code"], f["lsoa21_code"]) == ("E01000002", "E01033002")
    assert f["ethnic_group"] == "Not known"


def test_children_take_sex_birth_date_and_ethnicity_from_the_header():
    result = load()
    by_child = result.spells.set_index("child_id")
    assert by_child.loc["A", "sex"] == "M"
    assert by_child.loc["A", "date_of_birth"] == pd.Timestamp("2010-01-01")
    assert (by_child.loc["A", "ethnicity_code"], by_child.loc["A", "ethnic_group"]) == (
        "WBRI",
        "White",
    )
    assert by_child.loc["D", "sex"] == "M"
    assert by_child.loc["D", "ethnic_group"] == "Other"
    assert sorted(by_child.index) == ["A", "D", "F"]
    assert result.spells["intervention"].eq("CLA").all()
    assert result.spells["start_date"].dtype == "datetime64[ns]"


def test_uasc_table_supplies_sex_and_birth_date_of_children_missing_from_the_header():
    uasc = "CHILD,SEX,DOB,DUC\nF,2,05/06/2008,05/06/2026\n"
    result = load_records(
        [("e.csv", EPISODES.encode()), ("h.csv", HEADER.encode()), ("u.csv", uasc.encode())],
        LA,
        FakeStore(),
    )
    f = result.spells.set_index("child_id").loc["F"]
    assert (f["sex"], f["date_of_birth"]) == ("F", pd.Timestamp("2008-06-05"))


def test_the_geography_rule_is_stated():
    result = load()
    assert ssda903.GEOGRAPHY_RULE in result.notes
    assert "HOME_POST" in ssda903.GEOGRAPHY_RULE


def test_missing_required_column_names_the_column_and_the_layout():
    without_home_post = EPISODES.replace(",HOME_POST,", ",HOME,")
    with pytest.raises(RecordsError, match="Episodes table but has no column HOME_POST"):
        load(without_home_post)
    without_ethnic = HEADER.replace("ETHNIC", "ETH")
    with pytest.raises(RecordsError, match="Header table but has no column ETHNIC"):
        load(header=without_ethnic)


def test_semicolon_separated_episodes_give_the_same_spells():
    plain = load()
    semicolons = load(EPISODES.replace(",", ";"), HEADER.replace(",", ";"))
    pd.testing.assert_frame_equal(plain.spells, semicolons.spells)
    assert any("semicolons" in note for note in semicolons.notes)


def test_xlsx_with_the_tables_as_sheets_and_a_notes_sheet():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.read_csv(io.StringIO(EPISODES), dtype=str).to_excel(
            writer, sheet_name="Episodes", index=False
        )
        pd.read_csv(io.StringIO(HEADER), dtype=str).to_excel(
            writer, sheet_name="Header", index=False
        )
        pd.DataFrame({"Notes": ["made by hand"]}).to_excel(writer, sheet_name="Notes", index=False)
    result = load_records([("903.xlsx", buffer.getvalue())], LA, FakeStore())
    assert sorted(result.spells["child_id"]) == ["A", "D", "F"]
    assert "903.xlsx (sheet Notes) was not used: its columns match no known table." in result.notes


def independent_periods(episodes_path) -> int:
    """Periods of care counted with the csv module and a plain loop, as a cross-check."""
    by_child = defaultdict(list)
    with open(episodes_path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["LS"] not in ("V3", "V4"):
                by_child[row["CHILD"]].append(row)
    periods = 0
    for rows in by_child.values():
        rows.sort(key=lambda row: datetime.strptime(row["DECOM"], "%d/%m/%Y"))
        previous = None
        for row in rows:
            continues = (
                previous is not None
                and row["RNE"] != "S"
                and previous["DEC"] == row["DECOM"]
                and previous["REC"] in ("X1", "")
            )
            periods += not continues
            previous = row
    return periods


def test_shared_samples_counts_match_independent_counts(formats_dir):
    samples = formats_dir / "samples"
    with open(samples / "header.csv", newline="") as handle:
        header_children = {row["CHILD"] for row in csv.DictReader(handle)}
    with open(samples / "episodes.csv", newline="") as handle:
        episode_rows = list(csv.DictReader(handle))
    assert (len(header_children), len(episode_rows)) == (2675, 5050)
    files = [
        (name, (samples / name).read_bytes()) for name in ("header.csv", "episodes.csv", "uasc.csv")
    ]
    result = load_records(files, LA, FakeStore())
    read = dict(zip(result.summary["kind"], result.summary["records_read"], strict=True))
    assert read[ssda903.HEADER] == len(header_children)
    assert read[ssda903.EPISODES] == len(episode_rows)
    [episodes_table] = read_tables("episodes.csv", (samples / "episodes.csv").read_bytes())
    usable, _, _ = ssda903.read_episodes(episodes_table)
    periods = ssda903.periods_of_care(usable)
    assert len(periods) == independent_periods(samples / "episodes.csv")
    assert periods["child_id"].nunique() == len(
        {row["CHILD"] for row in episode_rows if row["LS"] not in ("V3", "V4")}
    )
    # The sample postcodes are made up: every period is reported, none is used, nothing crashes.
    assert result.spells.empty
    dropped = result.issues[result.issues["severity"] == "dropped"]
    assert set(dropped["reason"]) <= {"unknown postcode", "missing field"}
    assert len(dropped) == len(periods)
    assert (dropped["reason"] == "unknown postcode").sum() > 1900
