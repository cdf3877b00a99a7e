"""Case-system extracts: suggested column mappings, confirmed mappings and their validation."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from csc_inequalities.records.extract import CASE_EXTRACT, suggest_mapping
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from tests.helpers.fake_store import LA, FakeStore

HEADINGS = (
    "Person ID,Service,Start Date,End Date,Post Code,Ethnicity,Gender,Date of Birth,Legal Status"
)
EXTRACT = f"""{HEADINGS}
P1,CPP,02/05/2024,,AB1 2CD,WBRI,F,01/01/2015,
P2,Looked after,2024-06-01,2024-09-01,AB1 3CD,APKN,1,01/01/2012,C2
P3,CLA,01/07/2024,,AB1 2CD,WBRI,2,01/01/2013,V3
P4,CIN,99/99/2024,,AB1 2CD,WBRI,F,01/01/2015,
P5,Early help,01/07/2024,,AB1 2CD,WBRI,F,01/01/2015,
P1,CPP,02/05/2024,,AB1 2CD,WBRI,F,01/01/2015,
P6,CIN,01/07/2024,,AB1 2CD,Purple,F,01/01/2015,
"""


def test_suggested_mapping_matches_common_column_names():
    mapping = suggest_mapping(HEADINGS.split(","))
    assert mapping == {
        "child_id": "Person ID",
        "intervention": "Service",
        "start_date": "Start Date",
        "end_date": "End Date",
        "postcode": "Post Code",
        "ethnicity": "Ethnicity",
        "sex": "Gender",
        "date_of_birth": "Date of Birth",
        "legal_status": "Legal Status",
    }


def test_suggested_mapping_recognises_ssda903_and_cin_names():
    mapping = suggest_mapping(["LAchildID", "CINreferralDate", "CINclosureDate", "HOME_POST"])
    assert mapping == {
        "child_id": "LAchildID",
        "start_date": "CINreferralDate",
        "end_date": "CINclosureDate",
        "postcode": "HOME_POST",
    }


def test_extract_rows_become_spells_and_bad_rows_are_reported():
    result = load_records([("extract.csv", EXTRACT.encode())], LA, FakeStore())
    spells = result.spells.set_index("child_id")
    assert sorted(spells.index) == ["P1", "P2", "P6"]
    assert spells.loc["P2", "intervention"] == "CLA"
    assert spells.loc["P2", "start_date"] == pd.Timestamp("2024-06-01")
    assert spells.loc["P2", "sex"] == "M"
    assert spells.loc["P2", "ethnic_group"] == "Asian"
    assert spells.loc["P6", "ethnic_group"] == "Not known"
    found = set(
        zip(result.issues["row"], result.issues["child_id"], result.issues["reason"], strict=True)
    )
    assert found == {
        (5, "P4", "unreadable date"),
        (6, "P5", "unknown code"),
        (7, "P1", "duplicate spell"),
        (8, "P6", "unknown ethnicity code"),
    }
    assert "extract.csv: short-break (V3/V4) rows left out: 1." in result.notes
    assert result.summary["kind"].tolist() == [CASE_EXTRACT]


def test_a_confirmed_mapping_can_fix_the_intervention_for_every_row():
    text = "ref,opened,pc\nX1,01/04/2024,AB1 2CD\nX2,05/04/2024,AB1 4CD\n"
    mapping = {"child_id": "ref", "intervention": "=CPP", "start_date": "opened", "postcode": "pc"}
    result = load_records([("cp.csv", text.encode())], LA, FakeStore(), column_mapping=mapping)
    assert result.spells["intervention"].tolist() == ["CPP", "CPP"]
    assert result.spells["lsoa21_code"].tolist() == ["E01000001", "E01033003"]


def test_missing_required_fields_are_named():
    text = "Person ID,Start Date,Post Code\nP1,01/04/2024,AB1 2CD\n"
    with pytest.raises(RecordsError, match="no column was matched to Intervention"):
        load_records([("e.csv", text.encode())], LA, FakeStore())


def test_a_mapping_naming_absent_columns_is_refused():
    text = "Person ID,Service,Start Date,Post Code\nP1,CIN,01/04/2024,AB1 2CD\n"
    mapping = {
        "child_id": "Person ID",
        "intervention": "Service",
        "start_date": "Begun",
        "postcode": "Post Code",
    }
    with pytest.raises(RecordsError, match="has no column Begun, named in the column mapping"):
        load_records([("e.csv", text.encode())], LA, FakeStore(), column_mapping=mapping)


def test_extract_without_location_is_placed_through_an_address_extract():
    text = "Child ID,Intervention,Start date\nQ1,CIN,01/04/2024\n"
    addresses = "child_id,postcode\nQ1,AB1 3CD\n"
    result = load_records(
        [("e.csv", text.encode()), ("a.csv", addresses.encode())], LA, FakeStore()
    )
    assert result.spells["lsoa11_code"].tolist() == ["E01000002"]


def test_xlsx_extract_with_the_data_on_a_second_sheet():
    frame = pd.read_csv(io.StringIO(EXTRACT), dtype=str)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"About": ["exported 2025"]}).to_excel(writer, sheet_name="Info", index=False)
        frame.to_excel(writer, sheet_name="Data", index=False)
    result = load_records([("extract.xlsx", buffer.getvalue())], LA, FakeStore())
    assert sorted(result.spells["child_id"]) == ["P1", "P2", "P6"]
    assert set(result.issues["file"]) == {"extract.xlsx (sheet Data)"}


def test_xlsx_with_no_usable_sheet_names_the_sheets_and_what_was_expected():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"Name": ["a"], "Team": ["b"]}).to_excel(
            writer, sheet_name="Staff", index=False
        )
    with pytest.raises(
        RecordsError, match=r"None of the sheets of w.xlsx \(Staff\).*Expected one of"
    ):
        load_records([("w.xlsx", buffer.getvalue())], LA, FakeStore())


def test_a_file_repeating_another_is_counted_once_and_named():
    files = [("a.csv", EXTRACT.encode()), ("b.csv", EXTRACT.encode())]
    result = load_records(files, LA, FakeStore())
    assert sorted(result.spells["child_id"]) == ["P1", "P2", "P6"]
    assert "b.csv: 4 records repeat spells already read from a.csv and were counted once." in (
        result.notes
    )
