"""The records readers against the built reference store: real postcodes and the real lookup."""

from __future__ import annotations

import pytest

from csc_inequalities.records.load import load_records

pytestmark = pytest.mark.slow
LA = "E08000025"


def spaced(postcode: str) -> str:
    """A postcode as people write it, in lower case with its space."""
    return f"{postcode[:-3]} {postcode[-3:]}".lower()


def test_real_postcodes_resolve_and_outsiders_are_counted_separately(store):
    table = store.postcodes()
    local = table[table["la_code"] == LA].sample(40, random_state=3)
    other = table[table["la_code"] != LA].sample(5, random_state=3)
    rows = [f"C{i},CPP,01/05/2024,{spaced(code)}" for i, code in enumerate(local["postcode"])]
    rows += [f"X{i},CPP,01/05/2024,{spaced(code)}" for i, code in enumerate(other["postcode"])]
    text = "child_id,intervention,start_date,postcode\n" + "\n".join(rows) + "\n"
    result = load_records([("extract.csv", text.encode())], LA, store)
    assert len(result.spells) == 40
    assert result.spells["lsoa11_code"].tolist() == local["lsoa11_code"].tolist()
    assert result.spells["lsoa21_code"].tolist() == local["lsoa21_code"].tolist()
    outside = result.issues[result.issues["reason"] == "outside the authority"]
    assert sorted(outside["child_id"]) == [f"X{i}" for i in range(5)]
    assert result.summary.loc[0, "outside_authority"] == 5


def test_a_split_2011_lsoa_count_is_shared_among_its_2021_parts_by_children(store):
    from datetime import date

    from csc_inequalities.results.measures import Measure, count_by_lsoa

    lookup = store.lsoa_lookup
    lsoas_2011 = store.lsoas(2019)
    in_la = set(lsoas_2011.loc[lsoas_2011["la_code"] == LA, "lsoa_code"])
    split = lookup[(lookup["change_code"] == "S") & lookup["lsoa11_code"].isin(in_la)]
    code = split["lsoa11_code"].iloc[0]
    parts = split[split["lsoa11_code"] == code].set_index("lsoa21_code")["weight_11_to_21"]
    text = f"lsoa11cd,measure,count\n{code},CLA,7\n"
    result = load_records([("counts.csv", text.encode())], LA, store)
    assert result.counts[["geography", "lsoa_code", "count"]].values.tolist() == [[2011, code, 7]]
    assert result.issues.empty
    measure = Measure("CLA", "at_date", date(2025, 3, 31))
    on_2021 = count_by_lsoa(result, measure, 2021, lookup).set_index("lsoa_code")["count"]
    assert len(parts) >= 2
    assert on_2021.sum() == pytest.approx(7)
    assert on_2021.to_dict() == pytest.approx((7 * parts).to_dict())


def test_shared_sample_postcodes_are_mostly_unknown_and_reported(store, formats_dir):
    samples = formats_dir / "samples"
    files = [(name, (samples / name).read_bytes()) for name in ("header.csv", "episodes.csv")]
    result = load_records(files, LA, store)
    reasons = result.issues.loc[result.issues["severity"] == "dropped", "reason"].value_counts()
    # The sample postcodes are made up; a handful happen to be real postcodes elsewhere.
    assert set(reasons.index) <= {"unknown postcode", "missing field", "outside the authority"}
    assert reasons["unknown postcode"] > 0.95 * reasons.sum()
    assert len(result.spells) == result.summary["spells_used"].sum()


@pytest.mark.parametrize("imd_year", [2019, 2025])
def test_a_count_per_lsoa_is_counted_once_for_the_authority(store, imd_year):
    from datetime import date

    from csc_inequalities.context.upload_check import upload_against_return
    from csc_inequalities.results.analysis import run_analysis
    from csc_inequalities.results.measures import Measure

    blackpool = "E06000009"
    text = "LSOA code,Measure,Count\nE01012662,CLA,10\n"
    records = load_records([("counts.csv", text.encode())], blackpool, store)
    measure = Measure("CLA", "at_date", date(2025, 3, 31))
    analysis = run_analysis(records, store, blackpool, imd_year, measure, "national")
    assert analysis.gradient["count"].sum() == pytest.approx(10)
    assert analysis.overall.count == pytest.approx(10)
    check = upload_against_return(records, store, blackpool, imd_year=imd_year)
    assert check.table.loc[check.table["measure"].str.startswith("cla"), "uploaded"].sum() == 10
