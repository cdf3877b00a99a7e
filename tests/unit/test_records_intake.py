"""Files as authorities really have them: ids, date conventions, mixed uploads, silent zeros."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from csc_inequalities.records.intake import NOTHING_USED, intake_alert
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from csc_inequalities.results.measures import Measure, count_by_lsoa
from tests.helpers.fake_store import LA, OTHER_LA, FakeStore

EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST
00101,01/04/2023,S,C2,N1,U1,PR1,,,,AB1 2CD
00102,01/05/2023,S,C2,N1,U1,PR1,,,,AB1 3CD
00103,01/06/2023,S,C2,N1,U1,PR1,,,,AB1 4CD
"""


def xlsx(rows: list[list]) -> bytes:
    """A one-sheet workbook with the cells as given (numbers stay numbers, as Excel keeps them)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_numeric_ids_in_a_workbook_join_ids_with_leading_zeros_in_a_csv():
    header = xlsx(
        [
            ["CHILD", "SEX", "DOB", "ETHNIC"],
            [101, 1, "01/01/2015", "APKN"],
            [102.0, 2, "01/01/2016", "BAFR"],
            [103, 1, "01/01/2017", "WBRI"],
        ]
    )
    files = [("episodes.csv", EPISODES.encode()), ("header.xlsx", header)]
    result = load_records(files, LA, FakeStore())
    groups = result.spells.set_index("child_id")["ethnic_group"].to_dict()
    assert groups == {"101": "Asian", "102": "Black", "103": "White"}
    assert result.alerts == ()


def test_a_header_join_matching_under_half_of_the_children_is_an_alert():
    header = "CHILD,SEX,DOB,ETHNIC\nX9,1,01/01/2015,WBRI\n00101,1,01/01/2015,WBRI\n"
    files = [("episodes.csv", EPISODES.encode()), ("header.csv", header.encode())]
    result = load_records(files, LA, FakeStore())
    assert len(result.spells) == 3
    [alert] = result.alerts
    assert alert.startswith("Only 1 of 3 children (33%) in the Episodes table have a row in the")
    warning = intake_alert(result)
    assert warning is not None and warning.text().startswith(alert)


def test_a_header_with_extra_columns_is_read():
    header = (
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,Team,Worker,Locality,Notes\n"
        "101,1,01/01/2015,WBRI,,,,East,J,North,\n"
    )
    files = [("episodes.csv", EPISODES.encode()), ("header.csv", header.encode())]
    result = load_records(files, LA, FakeStore())
    assert set(result.summary["kind"]) == {"SSDA903 Episodes", "SSDA903 Header"}
    assert result.spells.set_index("child_id").loc["101", "ethnic_group"] == "White"


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        (["25/03/2024", "01/02/2024"], ["2024-03-25", "2024-02-01"]),
        (["03/25/2024", "01/02/2024"], ["2024-03-25", "2024-01-02"]),
        (["45376", "45323"], ["2024-03-25", "2024-02-01"]),
        (["2024-03-25", "2024-02-01 00:00:00"], ["2024-03-25", "2024-02-01"]),
        (["25 Mar 2024", "1-Feb-2024"], ["2024-03-25", "2024-02-01"]),
    ],
)
def test_an_extract_column_is_read_in_the_convention_its_values_show(starts, expected):
    rows = [f"C{i},CPP,{start},AB1 2CD" for i, start in enumerate(starts)]
    text = "Child ID,Type,Start date,Post Code\n" + "\n".join(rows) + "\n"
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    read = result.spells.sort_values("child_id")["start_date"].dt.strftime("%Y-%m-%d")
    assert read.tolist() == expected
    assert result.issues.empty


def test_us_dates_and_day_numbers_are_said_in_the_notes():
    text = "Child ID,Type,Start date,Post Code\nC1,CPP,03/25/2024,AB1 2CD\n"
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    assert any("month/day/year (US order)" in note for note in result.notes)
    text = "Child ID,Type,Start date,Post Code\nC1,CPP,45376,AB1 2CD\n"
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    assert any("spreadsheet day numbers" in note for note in result.notes)


def test_a_column_mixing_date_conventions_drops_only_the_dates_that_could_be_either():
    text = (
        "Child ID,Type,Start date,Post Code\n"
        "C1,CPP,25/03/2024,AB1 2CD\n"
        "C2,CPP,03/26/2024,AB1 2CD\n"
        "C3,CPP,04/05/2024,AB1 2CD\n"
        "C4,CPP,06/06/2024,AB1 2CD\n"
    )
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    assert sorted(result.spells["child_id"]) == ["C1", "C2", "C4"]
    [issue] = result.issues.itertuples()
    assert (issue.row, issue.child_id, issue.reason) == (4, "C3", "ambiguous date")
    assert "Start date" in issue.detail
    assert any("mixes day/month/year and month/day/year" in note for note in result.notes)


def test_the_lsoa_code_wins_over_a_conflicting_postcode_and_the_rule_is_stated():
    text = (
        "Child ID,Type,Start date,Post Code,LSOA\n"
        "C1,CPP,01/04/2024,AB1 2CD,E01000001\n"
        "C2,CPP,01/04/2024,AB1 2CD,E01033003\n"
        "C3,CPP,01/04/2024,AB1 4CD,\n"
    )
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    placed = result.spells.set_index("child_id")["lsoa21_code"].to_dict()
    assert placed == {"C1": "E01000001", "C2": "E01033003", "C3": "E01033003"}
    assert any("the LSOA code is used" in note for note in result.notes)
    assert any(note.startswith("1 records gave a postcode") for note in result.notes)


def test_counts_and_child_records_together_are_refused_naming_both():
    counts = "LSOA code,Measure,Count\nE01000001,CLA,10\n"
    with pytest.raises(RecordsError) as refused:
        load_records(
            [("counts.csv", counts.encode()), ("episodes.csv", EPISODES.encode())],
            LA,
            FakeStore(),
        )
    message = str(refused.value)
    assert "counts.csv" in message and "episodes.csv" in message
    assert "counted twice" in message


def test_records_all_outside_the_authority_are_an_error_alert_not_a_finding():
    result = load_records([("episodes.csv", EPISODES.encode())], OTHER_LA, FakeStore())
    assert result.spells.empty
    alert = intake_alert(result)
    assert alert is not None and alert.level == NOTHING_USED
    assert "None of the uploaded records could be used (3 dropped)" in alert.headline()
    assert alert.reason_list() == ["3 outside the authority"]
    assert "(3 dropped)" not in alert.text(with_counts=False)
    assert "outside the authority" in alert.text(with_counts=False)
    counted = count_by_lsoa(result, Measure("CLA", "at_date", date(2024, 3, 31)), 2021)
    assert counted["count"].sum() == 0


def test_a_large_share_dropped_is_a_warning_with_reasons():
    episodes = EPISODES + "00104,01/06/2023,S,C2,N1,U1,PR1,,,,QQ1 1QQ\n"
    result = load_records([("episodes.csv", episodes.encode())], LA, FakeStore())
    alert = intake_alert(result)
    assert alert.level == "warning"
    assert alert.headline().startswith("1 of 4 records (25%) were dropped")
    assert alert.reason_list() == ["1 unknown postcode"]
    assert alert.text(with_counts=False) == (
        "More than one record in ten (25%) could not be used, so these figures undercount. "
        "Reasons: unknown postcode."
    )


def test_a_clean_upload_has_no_alert():
    result = load_records([("episodes.csv", EPISODES.encode())], LA, FakeStore())
    assert len(result.spells) == 3
    assert intake_alert(result) is None


def test_child_ids_are_never_changed_beyond_spreadsheet_number_forms():
    from csc_inequalities.records.values import normalise_child_ids

    ids = pd.Series(["00123", "123.0", " 123 ", "A0012", "0", "12.5", None, ""])
    assert normalise_child_ids(ids).tolist()[:6] == ["123", "123", "123", "A0012", "0", "12.5"]
    assert normalise_child_ids(ids).isna().tolist()[6:] == [True, True]


@pytest.mark.parametrize(
    ("headings", "field"),
    [
        ("Child ID,Type,Start date,lsoa21", "lsoa_code"),
        ("Child ID,Type,Start date,lsoa11", "lsoa_code"),
        ("Child ID,Type,Start date,PC", "postcode"),
        ("Child ID,Type,Start date,Post Code", "postcode"),
        ("Child ID,Type,Start date,HOME_POSTCODE", "postcode"),
        ("PersonID,Type,Start date,Post Code", "child_id"),
    ],
)
def test_columns_are_matched_the_way_people_name_them(headings, field):
    from csc_inequalities.records.extract import suggest_mapping

    assert field in suggest_mapping(headings.split(","))


def test_columns_with_unknown_names_are_recognised_by_their_values():
    text = (
        "Ref,Kind,Received,Finished,Where,Heritage\n"
        "C1,CPP,01/04/2024,,E01000001,WBRI\n"
        "C2,Looked after,02/04/2024,03/05/2024,E01033003,APKN\n"
    )
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    assert len(result.spells) == 2, result.issues
    spells = result.spells.set_index("child_id")
    assert spells.loc["C2", "intervention"] == "CLA"
    assert spells.loc["C2", "end_date"] == pd.Timestamp("2024-05-03")
    assert spells.loc["C2", "ethnic_group"] == "Asian"
    assert spells.loc["C1", "lsoa21_code"] == "E01000001"
    [note] = [note for note in result.notes if "recognised by what they hold" in note]
    for column in ("Kind", "Received", "Finished", "Where", "Heritage"):
        assert column in note


def test_rows_keep_their_file_numbers_past_blank_rows_and_a_malformed_row():
    text = (
        "Child ID,Type,Start date,Post Code\n"  # row 1
        "C1,CPP,2024-04-02,AB1 2CD\n"  # row 2
        ",,,\n"  # row 3: blank, as a spreadsheet saves it
        "\n"  # row 4
        "C2,CPP,2024-04-02,AB1 2CD,stray\n"  # row 5: a cell too many
        "C3,CPP,not a date,AB1 2CD\n"  # row 6
        "C4,CPP,2024-04-03,AB1 2CD\n"  # row 7
    )
    result = load_records([("extract.csv", text.encode())], LA, FakeStore())
    assert sorted(result.spells["child_id"]) == ["C1", "C4"]
    found = list(zip(result.issues["row"], result.issues["reason"], strict=True))
    assert found == [(5, "malformed row"), (6, "unreadable date")]
    assert result.summary.loc[0, "records_read"] == 4
    assert result.spells.set_index("child_id").loc["C4", "source_row"] == 7


def test_workbook_rows_keep_their_sheet_numbers_past_empty_rows():
    book = xlsx(
        [
            ["Child ID", "Type", "Start date", "Post Code"],
            ["C1", "CPP", "2024-04-02", "AB1 2CD"],
            [None, None, None, None],
            ["C2", "CPP", "never", "AB1 2CD"],
        ]
    )
    result = load_records([("extract.xlsx", book)], LA, FakeStore())
    assert list(zip(result.issues["row"], result.issues["reason"], strict=True)) == [
        (4, "unreadable date")
    ]
