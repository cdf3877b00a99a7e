"""`standardise` and `localities` on the command line: the app's figures, bad rows by row,
non-zero exits with reasons."""

from __future__ import annotations

import json

import numpy as np
import pytest

from csc_inequalities.cli import main
from csc_inequalities.context.standardise import standardise
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.localities import localities, scheme_for
from csc_inequalities.results.measures import Measure

pytestmark = pytest.mark.slow
KENT, BLACKPOOL = "E10000016", "E06000009"
AT = ["--measure", "cpp", "--at", "2025-03-31"]


@pytest.fixture(scope="module")
def kent_counts(store, tmp_path_factory):
    """CPP counts per LSOA for Kent, as an authority without child records would upload them."""
    lsoas = store.lsoas(2025).query("la_code == @KENT")
    counts = np.random.default_rng(3).poisson(11 - lsoas["imd_decile"].to_numpy() * 0.9)
    text = "lsoa_code,measure,count\n" + "".join(
        f"{code},CPP,{n}\n" for code, n in zip(lsoas["lsoa_code"], counts, strict=True)
    )
    path = tmp_path_factory.mktemp("kent") / "kent_counts.csv"
    path.write_text(text)
    return path


def _analysis(store, path):
    records = load_records([(path.name, path.read_bytes())], KENT, store)
    measure = Measure("CPP", "at_date", np.datetime64("2025-03-31").item())
    return run_analysis(records, store, KENT, 2025, measure)


def test_standardise_prints_the_figures_the_app_computes(store, kent_counts, capsys):
    code = main(["standardise", "--la", KENT, "--records", str(kent_counts), *AT,
                 "--format", "json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    expected = standardise(_analysis(store, kent_counts), store)
    summary = {row["measure"]: row for row in out["summary"]}
    ratio = summary["standardised ratio, observed / expected"]
    assert ratio["value"] == pytest.approx(expected.ratio.ratio, abs=1e-4)
    assert ratio["lower"] == pytest.approx(expected.ratio.lower_95, abs=1e-4)
    assert summary["of which deprivation mix"]["value"] == pytest.approx(
        expected.decomposition.composition, abs=1e-4
    )
    assert out["reference_is_estimate"] and len(out["deciles"]) == 10
    assert out["sentences"] == expected.sentences


def test_localities_print_one_row_per_district_as_the_app_shows(store, kent_counts, capsys):
    code = main(["localities", "--la", KENT, "--records", str(kent_counts), *AT,
                 "--scheme", "district", "--format", "json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    table = localities(_analysis(store, kent_counts), scheme_for("district", store, KENT, 2025))
    rows = {row["locality"]: row for row in out["localities"]}
    assert set(rows) == set(table.table["locality"]) and len(rows) == 12
    for _, expected in table.table.iterrows():
        row = rows[expected["locality"]]
        assert row["count"] == expected["count"] and row["children"] == round(expected["children"])
        assert row["expected"] == pytest.approx(expected["expected"], abs=0.005)
        assert row["ratio"] == pytest.approx(expected["ratio"], abs=1e-4)
        assert row["funnel_position"] == expected["position"]


def test_a_locality_file_with_bad_rows_reports_them_and_counts_the_rest(
    store, kent_counts, tmp_path, capsys
):
    codes = store.lsoas(2025).query("la_code == @KENT")["lsoa_code"].tolist()
    text = "lsoa_code,team\n" + "".join(f"{c},{'East' if i % 2 else 'West'}\n"
                                         for i, c in enumerate(codes[:40]))  # fmt: skip
    text += "E01999999,East\n" + f"{codes[0]},East\n"
    path = tmp_path / "teams.csv"
    path.write_text(text)
    code = main(["localities", "--la", KENT, "--records", str(kent_counts), *AT,
                 "--scheme", str(path), "--format", "csv"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    assert "teams.csv, row 42: unknown LSOA code (E01999999)" in err
    assert f"teams.csv, row 43: LSOA in two localities ({codes[0]} is already in 'West'" in err
    lines = out.splitlines()
    assert lines[0].startswith("locality,count,children,rate,expected,ratio,ratio_lower")
    assert [line.split(",")[0] for line in lines[1:]] == ["East", "West", "Not in any locality"]


def test_nothing_usable_exits_non_zero_with_the_reasons(store, kent_counts, tmp_path, capsys):
    path = tmp_path / "teams.csv"
    path.write_text("lsoa_code,team\nE01999999,East\n")
    code = main(["localities", "--la", KENT, "--records", str(kent_counts), *AT,
                 "--scheme", str(path)])  # fmt: skip
    assert code != 0
    assert "No row of teams.csv placed one of the authority's neighbourhoods" in (
        capsys.readouterr().err
    )
    assert main(["localities", "--la", BLACKPOOL, "--records", str(kent_counts), *AT]) != 0
    assert "None of the uploaded records could be used" in capsys.readouterr().err


def test_children_in_need_need_a_reference_on_the_command_line(
    store, kent_counts, tmp_path, capsys
):
    args = ["standardise", "--la", KENT, "--records", str(kent_counts), "--measure", "cin",
            "--at", "2025-03-31"]  # fmt: skip
    assert main(args) != 0
    assert "--reference" in capsys.readouterr().err
    reference = tmp_path / "ref.csv"
    reference.write_text("decile,rate\n" + "".join(f"{d},{400 - 30 * d}\n" for d in range(1, 11)))
    assert main([*args, "--reference", str(reference)]) == 0
    assert "Compared with: Reference (ref.csv)" in capsys.readouterr().out
