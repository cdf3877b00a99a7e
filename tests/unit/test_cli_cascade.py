"""The cascade command, and --age-band and --sex: the app's figures on the command line."""

from __future__ import annotations

import json

import pytest

from csc_inequalities.cli import main
from csc_inequalities.demo import demo_files
from csc_inequalities.demo.files import STANDARD_RETURN_FILES
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.cascade import run_cascade
from csc_inequalities.results.measures import Measure, year_ending

pytestmark = pytest.mark.slow
BLACKPOOL = "E06000009"


@pytest.fixture(scope="module")
def demo(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cascade")
    files = demo_files(BLACKPOOL, store, names=STANDARD_RETURN_FILES)
    paths = []
    for name, content in files.items():
        (folder / name).write_bytes(content)
        paths.append(str(folder / name))
    return paths, load_records(list(files.items()), BLACKPOOL, store)


def test_cascade_json_gives_the_figures_the_core_computes(store, demo, capsys):
    paths, records = demo
    code = main(["cascade", "--la", "Blackpool", "--records", *paths, "--year", "2025",
                 "--deciles", "local", "--format", "json"])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0
    printed = json.loads(out)
    expected = run_cascade(records, store, BLACKPOOL, 2025, 2025, "local")
    stages = printed["tables"]["stages"]
    assert [row["count"] for row in stages] == expected.by_quintile["count"].tolist()
    assert printed["sentences"] == expected.sentences | expected.ethnicity_sentences
    conversions = printed["tables"]["conversions"]
    lower = expected.conversions["lower_95ci"].iloc[0]
    assert conversions[0]["lower"] == pytest.approx(lower, abs=1e-4)


def test_cascade_text_and_csv_with_a_filter(demo, capsys):
    paths, _ = demo
    assert main(["cascade", "--la", BLACKPOOL, "--records", *paths, "--year", "2025",
                 "--age-band", "under-1", "--sex", "F"]) == 0  # fmt: skip
    out, _ = capsys.readouterr()
    assert out.startswith("Decision cascade, 1 April 2024 to 31 March 2025 (girls aged under 1)")
    assert "Section 47 enquiries started" in out and "share of girls" in out
    assert main(["cascade", "--la", BLACKPOOL, "--records", *paths, "--year", "2025",
                 "--format", "csv"]) == 0  # fmt: skip
    out, _ = capsys.readouterr()
    assert out.startswith("stage,quintile,children,count,rate,lower,upper,table")


def test_cascade_without_census_or_903_says_why_and_fails(demo, tmp_path, capsys):
    extract = tmp_path / "extract.csv"
    extract.write_text("child_id,intervention,start_date,lsoa\nC1,CIN,01/05/2024,E01012662\n")
    code = main(["cascade", "--la", BLACKPOOL, "--records", str(extract), "--year", "2025"])
    _, err = capsys.readouterr()
    assert code != 0
    assert "load the CIN census XML" in err and "SSDA903" in err


def test_gradient_takes_age_band_and_sex(store, demo, capsys):
    paths, records = demo
    code = main(["gradient", "--la", BLACKPOOL, "--records", *paths, "--measure", "cla",
                 "--at", "2025-03-31", "--age-band", "10-15", "--sex", "M",
                 "--format", "json"])  # fmt: skip
    out, _ = capsys.readouterr()
    assert code == 0
    printed = json.loads(out)
    measure = Measure("CLA", "at_date", year_ending(2025))
    expected = run_analysis(records, store, BLACKPOOL, 2025, measure, age_band="10_15", sex="M")
    assert [row["count"] for row in printed["gradient"]] == expected.gradient["count"].tolist()
    assert printed["measure"].endswith("(boys aged 10 to 15)")
