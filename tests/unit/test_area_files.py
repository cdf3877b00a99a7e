"""Locality files and reference gradients: bad rows reported by row, good rows still count."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook

from csc_inequalities.records import issues as iss
from csc_inequalities.records.area_files import (
    DUPLICATE_DECILE,
    LISTED_TWICE,
    OTHER_GEOGRAPHY,
    TWO_LOCALITIES,
    read_locality_file,
    read_reference_gradient,
)
from csc_inequalities.records.geography import store_geography
from csc_inequalities.records.issues import RecordsError

BLACKPOOL = "E06000009"


@pytest.fixture(scope="module")
def blackpool(store) -> pd.DataFrame:
    lsoas = store.lsoas(2025)
    return lsoas[lsoas["la_code"] == BLACKPOOL].sort_values("lsoa_code", ignore_index=True)


def _read(store, blackpool, text: str):
    codes = pd.Index(blackpool["lsoa_code"])
    return read_locality_file("teams.csv", text.encode(), codes, 2021, store_geography(store))


def test_a_locality_file_with_bad_rows_reports_each_by_row(store, blackpool):
    codes = blackpool["lsoa_code"].tolist()
    elsewhere = store.lsoas(2025).query("la_code == 'E06000008'")["lsoa_code"].iloc[0]
    lines = [
        "LSOA code,Team",  # row 1
        f"{codes[0]},North",  # row 2: good
        f"{codes[1]},South",  # row 3: good
        "E01999999,North",  # row 4: no such LSOA
        f"{elsewhere},South",  # row 5: another authority's
        f"{codes[0]},South",  # row 6: already in North
        f"{codes[1]},South",  # row 7: listed again, same locality
        ",North",  # row 8: no code
        f"{codes[2]},",  # row 9: no locality
        f"{codes[3].lower()} ,North",  # row 10: good (case and spaces do not matter)
    ]
    read = _read(store, blackpool, "\n".join(lines))
    assert read.assignment.to_dict("list") == {
        "lsoa_code": [codes[0], codes[1], codes[3]],
        "locality": ["North", "South", "North"],
    }
    assert read.rows_read == 9 and read.rows_used == 3 and read.problem() is None
    found = read.issues.set_index("row")
    assert found.loc[4, "reason"] == iss.UNKNOWN_LSOA and found.loc[4, "detail"] == "E01999999"
    assert found.loc[5, "reason"] == iss.OUTSIDE_AUTHORITY
    assert found.loc[6, "reason"] == TWO_LOCALITIES
    assert found.loc[6, "detail"] == f"{codes[0]} is already in 'North' (row 2)"
    assert found.loc[7, "reason"] == LISTED_TWICE and found.loc[7, "severity"] == iss.WARNING
    assert found.loc[8, "reason"] == found.loc[9, "reason"] == iss.MISSING_FIELD
    assert set(found.index) == {4, 5, 6, 7, 8, 9}
    assert (found.drop(index=7)["severity"] == iss.DROPPED).all()


def test_a_2011_code_is_placed_in_its_2021_best_fit_and_said_so(store):
    lsoas_21 = store.lsoas(2025).query("la_code == 'E10000016'")["lsoa_code"]
    kent_11 = store.lsoas(2019).query("la_code == 'E10000016'")["lsoa_code"]
    old = sorted(set(kent_11) - set(lsoas_21))[0]  # a 2011 code that 2021 does not have
    parts = store.lsoa_lookup.query("lsoa11_code == @old")
    read = read_locality_file(
        "kent.csv",
        f"lsoa11cd,locality\n{old},Central\n".encode(),
        pd.Index(lsoas_21),
        2021,
        store_geography(store),
    )
    assert read.rows_used == 1
    best = parts.sort_values("weight_11_to_21")["lsoa21_code"].iloc[-1]
    assert read.assignment["lsoa_code"].iloc[0] == best
    issue = read.issues.iloc[0]
    assert (issue["row"], issue["reason"], issue["severity"]) == (2, OTHER_GEOGRAPHY, iss.WARNING)
    assert issue["detail"] == f"{old} is not a 2021 LSOA: placed in {best}, its 2021 best fit"


def test_a_workbook_is_read_like_a_csv(store, blackpool):
    book = Workbook()
    sheet = book.active
    sheet.append(["Locality name", "LSOA"])
    for code in blackpool["lsoa_code"].head(4):
        sheet.append(["Coast", code])
    sheet.append(["Coast", "not a code"])
    buffer = io.BytesIO()
    book.save(buffer)
    read = read_locality_file(
        "areas.xlsx",
        buffer.getvalue(),
        pd.Index(blackpool["lsoa_code"]),
        2021,
        store_geography(store),
    )
    assert read.rows_used == 4
    assert read.issues["row"].tolist() == [6]


def test_nothing_usable_says_why(store, blackpool):
    read = _read(store, blackpool, "lsoa_code,team\nE01999999,A\nE01999998,B\n")
    assert read.rows_used == 0
    assert "unknown LSOA code (2)" in read.problem()


def test_a_file_without_locality_names_is_refused_with_its_columns(store, blackpool):
    with pytest.raises(RecordsError, match="locality name"):
        _read(store, blackpool, "lsoa_code,children,count\nE01012662,5,1\n")


def test_a_reference_gradient_with_bad_rows_reports_them_and_needs_every_decile():
    text = 'Decile,"Rate per 10,000"\n1,120\n2,90\n2,85\n3,abc\n11,5\n4,-2\n'
    read = read_reference_gradient("england.csv", text.encode())
    assert read.rates is None
    assert "decile(s) 3, 4, 5, 6, 7, 8, 9, 10" in read.problem
    found = read.issues.set_index("row")
    assert found.loc[4, "reason"] == DUPLICATE_DECILE
    assert found.loc[4, "detail"] == "decile 2 is already given on row 3"
    assert found.loc[5, "reason"] == iss.UNREADABLE_NUMBER
    assert found.loc[6, "reason"] == iss.UNKNOWN_CODE
    assert found.loc[7, "reason"] == iss.UNREADABLE_NUMBER


def test_a_full_reference_gradient_is_read_in_decile_order():
    rows = "\n".join(f"{d},{(11 - d) * 10}" for d in (3, 1, 2, 4, 5, 6, 7, 8, 9, 10))
    read = read_reference_gradient("ref.csv", f"decile,rate\n{rows}\n".encode())
    assert read.problem is None and read.warning is None
    assert read.rates["decile"].tolist() == list(range(1, 11))
    assert read.rates["rate_per_10000"].iloc[0] == 100.0


def test_a_gradient_rising_towards_decile_10_is_questioned():
    rows = "\n".join(f"{d},{d * 10}" for d in range(1, 11))
    read = read_reference_gradient("ref.csv", f"decile,rate\n{rows}\n".encode())
    assert read.rates is not None and "decile 1 is the most deprived" in read.warning
