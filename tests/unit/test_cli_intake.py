"""The command line on real authorities' files: no silent zeros, --map, size checked first."""

from __future__ import annotations

import json

import pytest

from csc_inequalities.cli import main

pytestmark = pytest.mark.slow
BLACKPOOL = "E06000009"


def extract_in(store, la_code: str, count: int, heading: str) -> str:
    """A case-system extract of CPP spells at real postcodes of an authority."""
    table = store.postcodes()
    postcodes = table[table["la_code"] == la_code]["postcode"].head(count)
    rows = [f"C{i},CPP,01/05/2024,{code}" for i, code in enumerate(postcodes)]
    return heading + "\n" + "\n".join(rows) + "\n"


def test_records_all_outside_the_authority_exit_non_zero_with_reasons(store, tmp_path, capsys):
    path = tmp_path / "extract.csv"
    path.write_text(extract_in(store, "E08000025", 12, "child_id,intervention,start_date,postcode"))
    code = main(
        ["gradient", "--la", BLACKPOOL, "--records", str(path), "--measure", "cpp",
         "--at", "2025-03-31"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    assert "None of the uploaded records could be used (12 dropped)" in err
    assert "12 outside the authority" in err


def test_a_share_dropped_is_warned_on_stderr_and_the_results_still_print(store, tmp_path, capsys):
    text = extract_in(store, BLACKPOOL, 8, "child_id,intervention,start_date,postcode")
    text += "X1,CPP,01/05/2024,QQ1 1QQ\nX2,CPP,01/05/2024,QQ1 1QQ\n"
    path = tmp_path / "extract.csv"
    path.write_text(text)
    code = main(
        ["gradient", "--la", BLACKPOOL, "--records", str(path), "--measure", "cpp",
         "--at", "2025-03-31", "--format", "csv"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    assert "warning: 2 of 10 records (20%) were dropped" in err
    assert "2 unknown postcode" in err
    assert out.startswith("decile,")


def test_map_names_the_columns_the_way_the_app_mapping_step_does(store, tmp_path, capsys):
    text = extract_in(store, BLACKPOOL, 6, "who,kind,began,where")
    path = tmp_path / "extract.csv"
    path.write_text(text)
    args = ["gradient", "--la", BLACKPOOL, "--records", str(path), "--measure", "cpp",
            "--at", "2025-03-31", "--format", "json"]  # fmt: skip
    assert main(args) != 0
    err = capsys.readouterr().err
    assert "matches no file this tool reads" in err
    mapped = args + ["--map", "child_id=who", "--map", "intervention=kind",
                     "--map", "start_date=began", "--map", "postcode=where"]  # fmt: skip
    assert main(mapped) == 0
    out = capsys.readouterr().out
    assert sum(row["count"] for row in json.loads(out)["gradient"]) == 6


def test_map_refuses_an_unknown_field(capsys):
    with pytest.raises(SystemExit):
        main(["gradient", "--la", BLACKPOOL, "--records", "x.csv", "--measure", "cpp",
              "--at", "2025-03-31", "--map", "colour=red"])  # fmt: skip
    assert "is not FIELD=COLUMN" in capsys.readouterr().err


def test_a_file_above_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSC_UPLOAD_MAX_MB", "1")
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    read = []
    monkeypatch.setattr(type(path), "read_bytes", lambda self: read.append(self) or b"")
    code = main(
        ["gradient", "--la", BLACKPOOL, "--records", str(path), "--measure", "cpp",
         "--at", "2025-03-31"]
    )  # fmt: skip
    assert code != 0 and read == []
    assert "above the upload limit of 1 MB" in capsys.readouterr().err
