"""Deprivation profiles against figures computed here, independently, from the raw mirror files."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from csc_inequalities.cli import main
from csc_inequalities.results.profile import deprivation_profile, profile_headlines
from tests.conftest import mirror_dir

pytestmark = pytest.mark.slow

MIRROR = mirror_dir()
CUMBERLAND_DISTRICTS_2019 = {"E07000026", "E07000028", "E07000029"}  # Allerdale, Carlisle, Copeland


def _csv(relative: str, **options) -> pd.DataFrame:
    return pd.read_csv(MIRROR / relative, encoding="utf-8-sig", **options)


@pytest.fixture(scope="module")
def raw_2019() -> pd.DataFrame:
    """IoD2019 File 1 with the 2019 UTLA lookup and mid-2020 children 0..17, from the raw files."""
    imd = _csv("iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", thousands=",")
    utla = _csv("lookups/LSOA11_UTLA19_EW_LU.csv.gz")[["LSOA11CD", "UTLA19CD"]]
    pop = _csv("population/population20_lsoa11.csv.gz")
    pop["children"] = pop[[str(age) for age in range(18)]].sum(axis=1)
    return imd.merge(utla, left_on="LSOA code (2011)", right_on="LSOA11CD").merge(
        pop[["lsoa11_code", "children"]], left_on="LSOA code (2011)", right_on="lsoa11_code"
    )


def _expected(rows: pd.DataFrame, decile_column: str, children_column: str | None) -> pd.DataFrame:
    grouped = rows.groupby(decile_column)
    expected = pd.DataFrame({"lsoas": grouped.size()})
    if children_column:
        expected["children"] = grouped[children_column].sum()
    return expected.reindex(range(1, 11), fill_value=0)


@pytest.mark.parametrize("la_code", ["E06000009", "E10000016", "E06000063", "E09000033"])
def test_2019_profile_equals_the_raw_files(store, raw_2019, la_code):
    if la_code == "E06000063":
        rows = raw_2019[
            raw_2019["Local Authority District code (2019)"].isin(CUMBERLAND_DISTRICTS_2019)
        ]
    else:
        rows = raw_2019[raw_2019["UTLA19CD"] == la_code]
    expected = _expected(rows, "Index of Multiple Deprivation (IMD) Decile", "children")
    profile = deprivation_profile(store, la_code, 2019).set_index("decile")
    assert profile["lsoas"].tolist() == expected["lsoas"].tolist()
    assert profile["children_0_17"].tolist() == pytest.approx(expected["children"].tolist())
    assert profile["share_of_lsoas"].sum() == pytest.approx(1.0)
    headlines = profile_headlines(deprivation_profile(store, la_code, 2019))
    assert headlines["lsoas"] == len(rows)
    assert headlines["children_0_17"] == pytest.approx(rows["children"].sum())
    most_deprived = rows.loc[rows["Index of Multiple Deprivation (IMD) Decile"] <= 2, "children"]
    assert headlines["share_most_deprived_20"] == pytest.approx(
        most_deprived.sum() / rows["children"].sum()
    )


@pytest.mark.parametrize("la_code", ["E06000009", "E10000016", "E06000063", "E09000033"])
def test_2025_profile_lsoas_equal_the_raw_files(store, la_code):
    imd = _csv("iod2025/imd2025_england_lsoa21.csv.gz")
    lad = _csv("lookups/lookup_lsoa21_ward24_ltla24.csv.gz")[["lsoa21_code", "ltla24_code"]]
    utla = _csv("lookups/lookup_ltla23_utla23.csv")
    rows = imd.merge(lad, on="lsoa21_code").merge(
        utla, left_on="ltla24_code", right_on="ltla23_code"
    )
    expected = _expected(rows[rows["utla23_code"] == la_code], "IMD_decile", None)
    profile = deprivation_profile(store, la_code, 2025).set_index("decile")
    assert profile["lsoas"].tolist() == expected["lsoas"].tolist()


def test_2025_children_follow_the_exact_fit_apportioning_from_the_raw_files(store):
    """Blackpool's 2021 LSOAs: each 2011 LSOA's children shared by its parts' Census 0-15 counts."""
    exact = _csv("lookups/lookup_lsoa11_lsoa21_ltla22.csv.gz")
    census = _csv("population/census21_pop_lsoa21_age6.csv.gz")
    census = census[census["age_group"] == "Aged 15 years and under"].set_index("lsoa21_code")[
        "usual_residents"
    ]
    pop = _csv("population/population20_lsoa11.csv.gz").set_index("lsoa11_code")
    children11 = pop[[str(age) for age in range(18)]].sum(axis=1)
    exact = exact[exact["ltla22_code"] == "E06000009"]
    parts_of: dict[str, list[str]] = {}
    for old, new in zip(exact["lsoa11_code"], exact["lsoa21_code"], strict=True):
        parts_of.setdefault(old, []).append(new)
    expected: dict[str, float] = {}
    for old, parts in parts_of.items():
        total = sum(census[part] for part in parts)
        for part in parts:
            expected[part] = expected.get(part, 0.0) + children11[old] * census[part] / total
    lsoas = store.lsoas(2025).set_index("lsoa_code")
    for code, children in expected.items():
        assert lsoas.loc[code, "children_0_17"] == pytest.approx(children)


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


@pytest.mark.parametrize("imd_year", [2019, 2025])
def test_cli_areas_gives_the_stores_numbers(store, imd_year):
    table = pd.read_csv(io.StringIO(_run(["areas", "--imd", str(imd_year)])))
    assert list(table.columns) == ["code", "name", "lsoas", "children_0_17"]
    assert len(table) == 153
    authorities = store.authorities.set_index("la_code")
    geography = "2011" if imd_year == 2019 else "2021"
    assert (table.set_index("code")["lsoas"] == authorities[f"n_lsoa_{geography}"]).all()
    assert table.set_index("code")["children_0_17"].to_numpy() == pytest.approx(
        authorities[f"children_{geography}"].to_numpy(), abs=0.5
    )


def test_cli_profile_gives_the_stores_numbers(store):
    table = pd.read_csv(io.StringIO(_run(["profile", "--la", "E10000016", "--imd", "2019"])))
    profile = deprivation_profile(store, "E10000016", 2019)
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["lsoas"].tolist() == profile["lsoas"].tolist()
    assert table["children_0_17"].to_numpy() == pytest.approx(profile["children_0_17"].to_numpy())


def test_cli_profile_rejects_an_unknown_authority_without_a_traceback(store, capsys):
    assert main(["profile", "--la", "E99999999"]) == 2
    assert "not a current English upper-tier authority" in capsys.readouterr().err
