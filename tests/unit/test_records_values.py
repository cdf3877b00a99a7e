"""Cell text to canonical values: dates, sex, yes/no, ethnicity and intervention names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csc_inequalities.records.values import (
    EXCEL_EPOCH,
    parse_dates,
    parse_ethnicity,
    parse_intervention,
    parse_sex,
    parse_yes_no,
)


def text(*values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_dates_in_the_formats_authorities_export():
    values = text(
        "05/04/2024",
        "2024-04-05",
        "2024-04-05 00:00:00",
        "05/04/2024 00:00",
        "05-04-2024",
        "05.04.2024",
        "05/04/24",
    )
    dates, unreadable = parse_dates(values)
    assert dates.tolist() == [pd.Timestamp("2024-04-05")] * 7
    assert not unreadable.any()
    assert dates.dtype == "datetime64[ns]"


def test_unreadable_and_out_of_range_dates_are_flagged_and_blanks_are_not():
    dates, unreadable = parse_dates(text("31/02/2024", "soon", "01/01/1850", "01/01/9999", None))
    assert dates.isna().all()
    assert unreadable.tolist() == [True, True, True, True, False]


def test_a_long_column_of_every_form_gives_back_the_dates_it_was_written_from():
    # Each cell is a known date written in one of the forms extracts use; the reading must give
    # back exactly the dates the text was made from, row for row.
    rng = np.random.default_rng(7)
    dates = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7000, 3000), unit="D")
    forms = [
        lambda d: d.strftime("%d/%m/%Y"),
        lambda d: d.strftime("%d-%m-%y"),
        lambda d: f"{d.day}.{d.month}.{d.year}",
        lambda d: d.strftime("%Y-%m-%d"),
        lambda d: d.strftime("%d/%m/%Y 00:00:00"),
        lambda d: f"{(d - EXCEL_EPOCH).days + 0.25}",
        lambda d: d.strftime("%d %b %Y"),
    ]
    cells = [forms[i % len(forms)](d) for i, d in enumerate(dates)]
    blank = rng.random(len(cells)) < 0.05
    values = pd.Series([None if b else c for b, c in zip(blank, cells, strict=True)], dtype="str")

    parsed, unreadable = parse_dates(values)

    expected = pd.Series(dates).where(~blank)
    assert parsed.equals(expected.astype("datetime64[ns]"))
    assert not unreadable.any()


def test_sex_codes_of_every_layout():
    sex, unknown = parse_sex(text("1", "2", "0", "9", "m", "F", "U", "Female", "X", None))
    assert sex.tolist() == ["M", "F", "U", "U", "M", "F", "U", "F", "U", "U"]
    assert unknown.tolist() == [False] * 8 + [True, False]


def test_yes_no_as_0_1_and_true_false():
    flags, unknown = parse_yes_no(text("1", "0", "true", "FALSE", "maybe", None))
    assert flags.tolist() == [True, False, True, False, False, False]
    assert unknown.tolist() == [False, False, False, False, True, False]


def test_ethnicity_codes_groups_and_unknowns():
    codes, groups, unknown = parse_ethnicity(
        text("WBRI", "chne", "REFU", "Black", "Mixed or Multiple ethnic groups", "ZZZZ", None)
    )
    assert groups.tolist() == [
        "White",
        "Other",
        "Not known",
        "Black",
        "Mixed",
        "Not known",
        "Not known",
    ]
    assert codes.tolist()[:3] == ["WBRI", "CHNE", "REFU"]
    assert codes.iloc[3:].isna().all()
    assert unknown.tolist() == [False, False, False, False, False, True, False]


def test_intervention_names():
    names, unknown = parse_intervention(
        text("CIN", "Child protection plan", "LAC", "looked-after", "Early help", None)
    )
    assert names.tolist()[:4] == ["CIN", "CPP", "CLA", "CLA"]
    assert unknown.tolist() == [False, False, False, False, True, False]
