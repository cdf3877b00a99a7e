"""The authority in context: DfE figures against the raw files, neighbours, the adjusted
comparison on a constructed example, sentence wording, and the upload check."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csc_inequalities.context.adjusted import (
    AdjustedComparison,
    LogLinearFit,
    adjusted_comparison,
    adjusted_sentence,
    deprivation_by_authority,
    fit_log_linear,
    method_paragraph,
    ordinal,
    possessive,
)
from csc_inequalities.context.dfe_values import NOT_CREATED, format_rate, split_dfe_cells
from csc_inequalities.context.neighbours import neighbour_table, statistical_neighbours
from csc_inequalities.context.official_measures import official_measure, official_measure_for
from csc_inequalities.context.official_rates import official_rates, trend_table
from csc_inequalities.context.upload_check import LARGE_GAP, upload_against_return
from csc_inequalities.records.canonical import LoadResult, empty_spells
from csc_inequalities.reference.authority_views import AuthorityViews

MIRROR = Path(
    os.environ.get("CSC_DATA_MIRROR", Path(__file__).resolve().parents[3] / "shared" / "data")
)
CLA_31_MARCH = "Children looked after on 31 March each year"
CLA_STARTS = "Children starting to be looked after each year"


def raw_dfe(name: str) -> pd.DataFrame:
    """A DfE file from the mirror, read independently of the code under test."""
    folder = "population" if name.startswith("ons_mid-year") else "dfe"
    return pd.read_csv(
        MIRROR / folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


# --- DfE cell symbols -------------------------------------------------------------------------


def test_suppression_symbols_stay_missing_with_their_reason():
    numbers, status = split_dfe_cells(pd.Series(["12", "c", "x", "z", "k", "u", "", "1,234"]))
    assert numbers.iloc[0] == 12
    assert numbers.iloc[7] == 1234
    assert numbers.iloc[1:7].isna().all()
    assert status.tolist() == ["", "c", "x", "z", "k", "u", "x", ""]
    assert format_rate(np.nan, "c") == "suppressed by DfE (small number)"
    assert format_rate(np.nan, NOT_CREATED) == "authority not yet created"
    assert format_rate(66.94, "") == "66.9"


def test_app_choices_map_to_dfe_series():
    assert official_measure_for("CLA", "starts").key == "cla_starts"
    assert official_measure_for("cpp", "at_date").key == "cpp"
    assert official_measure_for("CPP", "starts") is None
    with pytest.raises(ValueError, match="Unknown measure"):
        official_measure("cln")


# --- The adjusted comparison on a constructed example -----------------------------------------

INTERCEPT, SLOPE = math.log(50.0), 0.02
# (la_code, dfe number, share of children in the most deprived quintile (%), factor, children)
CONSTRUCTED = [
    ("E06000901", 901, 10, 1.5, 2000),
    ("E06000902", 902, 10, 1 / 1.5, 2000),
    ("E06000903", 903, 30, 1.2, 4000),
    ("E06000904", 904, 30, 1 / 1.2, 4000),
    ("E06000905", 905, 50, 1.0, 2000),
    ("E06000906", 906, 50, 1.0, 2000),
    ("E06000907", 907, 40, None, 2000),  # rate suppressed by DfE
    ("E06000908", 908, 40, 9.0, 500),  # too few children to enter the fit
]


class ConstructedStore(AuthorityViews):
    """A tiny store whose rates lie on a known line times known factors."""

    def __init__(self):
        self.authorities = pd.DataFrame(
            {
                "la_code": [row[0] for row in CONSTRUCTED],
                "la_name": [f"Authority {row[1]}" for row in CONSTRUCTED],
                "region_code": "E12000001",
                "region_name": "North East",
                "dfe_la_number": [row[1] for row in CONSTRUCTED],
                "previous_codes": "",
            }
        )
        lsoas, cla = [], []
        for code, number, share, factor, children in CONSTRUCTED:
            deprived = children * share / 100
            lsoas.append((f"{code}A", code, 1, 100, deprived))
            lsoas.append((f"{code}B", code, 7, 20_000, children - deprived))
            rate = "c" if factor is None else repr(math.exp(INTERCEPT + SLOPE * share) * factor)
            count = "c" if factor is None else "100"
            cla.append(self._cla_row(number, code, count, rate))
        cla.append(self._cla_row(901, "E06000901", "90", "45", CLA_STARTS))
        self._lsoas = pd.DataFrame(
            lsoas, columns=["lsoa_code", "la_code", "imd_decile", "imd_rank", "children_0_17"]
        )
        national = {"geographic_level": "National", "old_la_code": "", "new_la_code": ""}
        self._tables = {
            "dfe_cla": pd.DataFrame(cla + [{**self._cla_row(0, "", "800", "60"), **national}]),
            "dfe_sn": self._neighbours(),
        }

    @staticmethod
    def _cla_row(number: int, code: str, count: str, rate: str, kind: str = CLA_31_MARCH) -> dict:
        return {
            "time_period": "2025",
            "geographic_level": "Local authority",
            "region_code": "E12000001",
            "old_la_code": str(number),
            "new_la_code": code,
            "population_type": kind,
            "population_estimate": "20000",
            "children_count": count,
            "rate_per_10000": rate,
        }

    @staticmethod
    def _neighbours() -> pd.DataFrame:
        numbers = [row[1] for row in CONSTRUCTED]
        rows = []
        for number in numbers:
            others = [n for n in numbers if n != number]
            row = {"old_la_code": str(number)}
            for rank in range(1, 11):
                row[f"SN_{rank}"] = str(others[(rank - 1) % len(others)])
                row[f"SN_{rank}P"] = "Close "
            rows.append(row)
        return pd.DataFrame(rows)

    def table(self, name: str) -> pd.DataFrame:
        return self._tables[name].copy()

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        return self._lsoas.copy()


def test_log_linear_fit_recovers_a_known_line():
    x = np.array([0.0, 10, 20, 30])
    fit = fit_log_linear(x, np.exp(1.0 + 0.05 * x))
    assert fit.intercept == pytest.approx(1.0)
    assert fit.slope == pytest.approx(0.05)
    assert fit.residual_sd == pytest.approx(0.0, abs=1e-12)
    weighted = fit_log_linear(x, np.exp(1.0 + 0.05 * x), weights=[1, 2, 3, 4])
    assert weighted.weighted and weighted.slope == pytest.approx(0.05)


def test_weights_pull_the_line_towards_heavy_points():
    x = np.array([0.0, 0.0, 1.0])
    rate = np.exp(np.array([0.0, 1.0, 0.0]))
    assert fit_log_linear(x, rate).intercept == pytest.approx(0.5)
    assert fit_log_linear(x, rate, weights=[3, 1, 1]).intercept == pytest.approx(0.25)


def test_deprivation_shares_and_mean_rank_by_authority():
    table = deprivation_by_authority(ConstructedStore()).set_index("la_code")
    assert table.loc["E06000903", "most_deprived_quintile"] == pytest.approx(30.0)
    # 30% of children at rank 100 and 70% at rank 20,000.
    assert table.loc["E06000903", "mean_imd_rank"] == pytest.approx(0.3 * 100 + 0.7 * 20_000)


def test_adjusted_comparison_on_a_constructed_example():
    store = ConstructedStore()
    result = adjusted_comparison(store, "E06000901", "cla")
    assert result.fit.intercept == pytest.approx(INTERCEPT)
    assert result.fit.slope == pytest.approx(SLOPE)
    assert result.predicted == pytest.approx(math.exp(INTERCEPT + SLOPE * 10))
    assert result.ratio == pytest.approx(1.5)
    assert result.higher_ratio_count == 0
    assert result.excluded_names == ("Authority 908",)
    in_fit = result.points.set_index("la_code")["in_fit"]
    assert not in_fit["E06000907"] and not in_fit["E06000908"] and in_fit.sum() == 6
    assert adjusted_sentence(result) == (
        "Given its deprivation, Authority 901's CLA rate is 50% above the level typical of "
        "English authorities."
    )
    lower = adjusted_comparison(store, "E06000904", "cla")
    assert lower.ratio == pytest.approx(1 / 1.2)
    assert "17% below the level typical" in adjusted_sentence(lower)
    roles = lower.points.set_index("la_code")["role"]
    assert roles["E06000904"] == "chosen" and (roles.drop("E06000904") == "neighbour").all()


def test_suppressed_rate_gives_no_ratio_and_says_why():
    result = adjusted_comparison(ConstructedStore(), "E06000907", "cla")
    assert math.isnan(result.ratio) and result.observed_status == "c"
    assert "suppressed by DfE" in adjusted_sentence(result)
    assert "cannot be set against" in adjusted_sentence(result)


def test_method_paragraph_cites_the_inverse_intervention_law():
    text = method_paragraph(adjusted_comparison(ConstructedStore(), "E06000901", "cla"))
    assert "inverse intervention law" in text
    assert "Bywaters" in text and "Children and Youth Services Review 57: 98-105" in text
    assert "ordinary least squares" in text and "Authority 908" in text
    weighted = adjusted_comparison(ConstructedStore(), "E06000901", "cla", weighted=True)
    assert "weighted by each authority's number of children" in method_paragraph(weighted)


def _comparison(name: str, ratio: float) -> AdjustedComparison:
    return AdjustedComparison(
        la_code="E06000009",
        la_name=name,
        measure_key="cla",
        year=2025,
        imd_year=2025,
        predictor="most_deprived_quintile",
        fit=LogLinearFit(0.0, 0.0, False, 2, 0.0),
        points=pd.DataFrame({"in_fit": [True, True]}),
        observed=100.0 * ratio,
        observed_status="",
        predicted=100.0,
        ratio=ratio,
        higher_ratio_count=0,
        excluded_names=(),
    )


@pytest.mark.parametrize(
    ("name", "ratio", "expected"),
    [
        (
            "Blackpool",
            1.38,
            "Given its deprivation, Blackpool's CLA rate is 38% above the level "
            "typical of English authorities.",
        ),
        (
            "St. Helens",
            0.9,
            "Given its deprivation, St. Helens' CLA rate is 10% below the level "
            "typical of English authorities.",
        ),
        (
            "Wigan",
            1.004,
            "Given its deprivation, Wigan's CLA rate is in line with the level "
            "typical of English authorities.",
        ),
    ],
)
def test_sentence_wording(name, ratio, expected):
    assert adjusted_sentence(_comparison(name, ratio)) == expected


def test_small_words():
    assert possessive("Barnet") == "Barnet's" and possessive("St. Helens") == "St. Helens'"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


# --- The upload against the return (constructed) ---------------------------------------------


def _spells(rows: list[tuple[str, str | None, str, str | None]]) -> pd.DataFrame:
    """CLA spells (child id, LSOA 2021 code, start, end) in the canonical layout."""
    spells = empty_spells()
    frame = pd.DataFrame(
        {
            "child_id": [r[0] for r in rows],
            "intervention": "CLA",
            "start_date": pd.to_datetime([r[2] for r in rows]),
            "end_date": pd.to_datetime([r[3] for r in rows]),
            "lsoa11_code": pd.Series([None] * len(rows), dtype="str"),
            "lsoa21_code": pd.Series([r[1] for r in rows], dtype="str"),
            "ethnicity_code": "WBRI",
            "ethnic_group": "White",
            "sex": "F",
            "cin_nfa": False,
            "source_file": "episodes.csv",
            "source_row": range(2, len(rows) + 2),
        }
    )
    return pd.concat([spells, frame], ignore_index=True)


def test_upload_against_return_counts_coverage_and_flags_a_gap():
    inside, outside = "E06000901A", "E06000902A"
    rows = [(f"in{i}", inside, "2024-06-01", None) for i in range(70)]
    rows += [(f"nolsoa{i}", None, "2024-06-01", None) for i in range(5)]
    rows += [(f"out{i}", outside, "2024-06-01", None) for i in range(5)]
    rows += [("left", inside, "2024-06-01", "2025-02-01")]
    rows += [("in0", inside, "2024-04-10", "2024-05-01")]  # a second start for one child
    issues = pd.DataFrame(
        {
            "file": ["episodes.csv"] * 3,
            "row": [90, 91, 92],
            "child_id": ["a", "b", "c"],
            "severity": ["dropped"] * 3,
            "reason": ["unreadable date"] * 3,
            "detail": [""] * 3,
        }
    )
    records = LoadResult(spells=_spells(rows), issues=issues)
    check = upload_against_return(records, ConstructedStore(), "E06000901")
    row = check.table.set_index("measure").loc["cla"]
    assert row["year"] == 2025
    assert row["uploaded"] == 80 and row["without_lsoa"] == 5 and row["outside_authority"] == 5
    assert row["placed_in_authority"] == 70 and row["published"] == 100
    assert row["coverage"] == pytest.approx(0.8)
    assert row["placed_coverage"] == pytest.approx(0.7)
    assert row["gap"] == LARGE_GAP
    assert any(
        "70%" in advice and "read the gradient with care" in advice for advice in check.advice
    )
    assert check.reasons.set_index("reason").loc["unreadable date", "records"] == 3
    starts = check.table.set_index("measure").loc["cla_starts"]
    assert starts["uploaded"] == 81 and starts["published"] == 90  # each child counted once


def test_upload_within_the_band_is_not_flagged():
    rows = [(f"in{i}", "E06000901A", "2024-06-01", None) for i in range(95)]
    rows += [("left", "E06000901A", "2024-06-01", "2025-02-01")]
    check = upload_against_return(LoadResult(spells=_spells(rows)), ConstructedStore(), "E06000901")
    row = check.table.set_index("measure").loc["cla"]
    assert row["placed_coverage"] == pytest.approx(0.95) and row["gap"] == ""
    assert check.advice == ()


# --- Against the real store and the raw DfE files ---------------------------------------------


def _raw_rate(b1_or_d5: pd.DataFrame, column: str, number: str, year: int) -> float:
    """count / children 0-17 at the previous mid-year * 10,000, read straight from the files."""
    population = raw_dfe("ons_mid-year_population_estimates_2012_to_2024.csv.gz")
    count = b1_or_d5[(b1_or_d5["time_period"] == str(year)) & (b1_or_d5["old_la_code"] == number)]
    pop = population[
        (population["time_period"] == str(year - 1)) & (population["old_la_code"] == number)
    ]
    return float(count[column].iloc[0]) / float(pop["population_estimate"].iloc[0]) * 10_000


@pytest.mark.slow
@pytest.mark.parametrize(
    ("la_code", "number", "year"),
    [
        ("E06000009", "890", 2025),  # Blackpool
        ("E08000025", "330", 2014),  # Birmingham
        ("E06000065", "815", 2016),  # North Yorkshire: county series before the 2023 recoding
        ("E06000060", "825", 2018),  # Buckinghamshire: county series before 2020
        ("E06000063", "942", 2024),  # Cumberland, first year
    ],
)
def test_cin_and_cpp_rates_match_the_raw_files(store, la_code, number, year):
    b1 = raw_dfe("b1_children_in_need_2013_to_2025.csv.gz")
    d5 = raw_dfe("d5_cpps_at31march_by_duration_2013_to_2025.csv.gz")
    for key, raw, column in (("cin", b1, "At31_episodes"), ("cpp", d5, "CPP_At31")):
        trend = trend_table(store, la_code, key).set_index("year")
        assert trend.loc[year, "authority_rate"] == pytest.approx(
            _raw_rate(raw, column, number, year)
        )
        assert trend.loc[year, "authority_status"] == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("la_code", "year"), [("E06000009", 2025), ("E09000033", 2021), ("E06000066", 2022)]
)
def test_cla_rates_are_dfe_published_rates(store, la_code, year):
    cla = raw_dfe("cla_number_and_rate_per_10k_children.csv.gz")
    expected = cla[
        (cla["new_la_code"] == la_code)
        & (cla["time_period"] == str(year))
        & (cla["population_type"] == CLA_31_MARCH)
    ]
    trend = trend_table(store, la_code, "cla").set_index("year")
    assert trend.loc[year, "authority_rate"] == float(expected["rate_per_10000"].iloc[0])
    assert trend.loc[year, "authority_count"] == float(expected["children_count"].iloc[0])
    england = cla[
        (cla["geographic_level"] == "National")
        & (cla["time_period"] == str(year))
        & (cla["population_type"] == CLA_31_MARCH)
    ]
    assert trend.loc[year, "england_rate"] == float(england["rate_per_10000"].iloc[0])


@pytest.mark.slow
def test_region_and_england_rates_match_the_raw_files(store):
    b1 = raw_dfe("b1_children_in_need_2013_to_2025.csv.gz")
    population = raw_dfe("ons_mid-year_population_estimates_2012_to_2024.csv.gz")
    trend = trend_table(store, "E06000009", "cin").set_index("year")  # North West
    for level, code, column in (
        ("Regional", "E12000002", "region_rate"),
        ("National", "E92000001", "england_rate"),
    ):
        key = "region_code" if level == "Regional" else "country_code"
        count = b1[(b1["geographic_level"] == level) & (b1[key] == code)]
        count = count[count["time_period"] == "2019"]["At31_episodes"].astype(float).iloc[0]
        pop = population[(population["geographic_level"] == level) & (population[key] == code)]
        pop = pop[pop["time_period"] == "2018"]["population_estimate"].astype(float).iloc[0]
        assert trend.loc[2019, column] == pytest.approx(count / pop * 10_000)


@pytest.mark.slow
def test_suppressed_values_are_kept_as_missing(store):
    b1 = raw_dfe("b1_children_in_need_2013_to_2025.csv.gz")
    suppressed = b1[
        (b1["geographic_level"] == "Local authority") & (b1["At31_episodes"].isin(["c", "x", "u"]))
    ]
    current = store.authorities.set_index(store.authorities["dfe_la_number"].astype(str))
    rates = official_rates(store, "cin").set_index(["area_code", "year"])
    checked = 0
    for row in suppressed.itertuples(index=False):
        if row.old_la_code not in current.index:
            continue
        code = current.loc[row.old_la_code, "la_code"]
        value = rates.loc[(code, int(row.time_period))]
        assert math.isnan(value["rate_per_10000"]) and math.isnan(value["count"])
        assert value["rate_status"] == row.At31_episodes
        checked += 1
    assert checked >= 5
    cla = trend_table(store, "E09000001", "cla").set_index("year")  # City of London
    assert math.isnan(cla.loc[2025, "authority_rate"]) and cla.loc[2025, "authority_status"] == "c"


@pytest.mark.slow
def test_new_authorities_have_no_invented_history(store):
    cumberland = trend_table(store, "E06000063", "cin").set_index("year")
    assert (cumberland.loc[2013:2023, "authority_status"] == NOT_CREATED).all()
    assert cumberland.loc[2013:2023, "authority_rate"].isna().all()
    bcp = trend_table(store, "E06000058", "cpp").set_index("year")
    assert (bcp.loc[2013:2019, "authority_status"] == NOT_CREATED).all()
    assert bcp.loc[2020:, "authority_rate"].notna().all()
    # Cumbria's CLA rows carry DfE's own 'z' for the new unitaries before 2024.
    cla = trend_table(store, "E06000064", "cla").set_index("year")
    assert (cla.loc[2021:2023, "authority_status"] == "z").all()


@pytest.mark.slow
def test_neighbours_resolve_to_current_codes_for_all_153_authorities(store):
    table = neighbour_table(store)
    codes = set(store.authorities["la_code"])
    assert len(codes) == 153
    assert set(table["la_code"]) == codes and len(table) == 1530
    assert table["neighbour_code"].notna().all() and set(table["neighbour_code"]) <= codes
    assert (table["la_code"] != table["neighbour_code"]).all()
    assert table.groupby("la_code")["neighbour_code"].nunique().eq(10).all()
    raw = raw_dfe("sn_model_2025_wide.csv.gz").set_index("old_la_code")
    population = raw_dfe("ons_mid-year_population_estimates_2012_to_2024.csv.gz")
    latest = population[
        (population["time_period"] == "2024")
        & (population["geographic_level"] == "Local authority")
    ]
    gss = dict(zip(latest["old_la_code"], latest["new_la_code"], strict=True))
    for number, code in (
        ("942", "E06000063"),
        ("943", "E06000064"),
        ("815", "E06000065"),
        ("933", "E06000066"),
        ("839", "E06000058"),
        ("941", "E06000062"),
    ):
        mine = statistical_neighbours(store, code)
        expected = [gss[raw.loc[number, f"SN_{rank}"]] for rank in range(1, 11)]
        assert mine["la_code"].tolist() == expected
        assert mine["closeness"].tolist() == [
            raw.loc[number, f"SN_{rank}P"].strip() for rank in range(1, 11)
        ]


@pytest.mark.slow
def test_every_authority_has_a_trend_and_an_adjusted_comparison(store):
    comparison = adjusted_comparison(store, "E06000009", "cla")
    assert comparison.points["la_code"].nunique() == 153
    assert comparison.points["in_fit"].sum() >= 145
    assert comparison.fit.slope > 0
    for la_code in store.authorities["la_code"]:
        trend = trend_table(store, la_code, "cpp")
        assert trend["year"].tolist() == list(range(2013, 2026))
        assert trend["england_rate"].notna().all()


@pytest.mark.slow
def test_cli_prints_trend_and_adjusted_figure(store, capsys):
    from csc_inequalities.cli import main

    assert main(["context", "--la", "E06000009", "--measure", "cla", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("year,authority,authority_status,england,region,neighbours_average")
    assert lines[-1].startswith("2025,")
    assert main(["context", "--la", "Blackpool", "--measure", "cpp", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["la_code"] == "E06000009" and len(result["neighbours"]) == 10
    assert result["adjusted"]["sentence"].startswith("Given its deprivation, Blackpool's CPP")
    assert main(["context", "--la", "Nowhere", "--measure", "cla"]) == 2
