"""The reference data build: its arithmetic on small tables, its checks, and the store it makes."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from csc_inequalities.build import checks, normalise, pipeline, population
from csc_inequalities.build.checks import BuildCheckError
from csc_inequalities.build.sources import (
    Input,
    SourceError,
    check_normalised,
    load_manifest,
    table_checksum,
)
from csc_inequalities.reference.paths import manifest_path, store_dir
from tests.conftest import mirror_dir

MIRROR = mirror_dir()


# ---- arithmetic on hand-made tables -------------------------------------------------------


def _exact_fit() -> pd.DataFrame:
    """U: A->A; S: B->B1,B2; M: C,D->CD; X: E->E1,E2 and F->E2."""
    return pd.DataFrame(
        {
            "lsoa11_code": [
                "E01000001",
                "E01000002",
                "E01000002",
                "E01000003",
                "E01000004",
                "E01000005",
                "E01000005",
                "E01000006",
            ],
            "lsoa21_code": [
                "E01000001",
                "E01100021",
                "E01100022",
                "E01100034",
                "E01100034",
                "E01100051",
                "E01100052",
                "E01100052",
            ],
            "change_code": ["U", "S", "S", "M", "M", "X", "X", "X"],
        }
    )


def _census() -> pd.Series:
    return pd.Series(
        {
            "E01000001": 50.0,
            "E01100021": 30.0,
            "E01100022": 10.0,
            "E01100034": 80.0,
            "E01100051": 0.0,
            "E01100052": 40.0,
        }
    )


def _children11() -> pd.DataFrame:
    frame = pd.DataFrame({"lsoa_code": [f"E0100000{i}" for i in range(1, 7)]})
    for age in range(18):
        frame[f"age_{age}"] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] if age == 0 else 0.0
    frame["children_0_17"] = frame[population.AGES].sum(axis=1)
    return frame


def test_weights_copy_unchanged_and_merged_lsoas_and_split_others_by_census_children():
    weights = population.exact_fit_weights(_exact_fit(), _census())
    got = weights.set_index(["lsoa11_code", "lsoa21_code"])["weight_11_to_21"]
    assert got[("E01000001", "E01000001")] == 1.0
    assert got[("E01000002", "E01100021")] == pytest.approx(30 / 40)
    assert got[("E01000002", "E01100022")] == pytest.approx(10 / 40)
    assert got[("E01000003", "E01100034")] == 1.0
    assert got[("E01000005", "E01100051")] == 0.0
    assert got[("E01000005", "E01100052")] == 1.0
    assert got[("E01000006", "E01100052")] == 1.0


def test_children_on_2021_lsoas_keep_the_total_and_follow_the_weights():
    weights = population.exact_fit_weights(_exact_fit(), _census())
    children21 = population.children_2021(_children11(), weights).set_index("lsoa_code")
    assert children21.loc["E01100021", "age_0"] == pytest.approx(2.0 * 0.75)
    assert children21.loc["E01100034", "age_0"] == pytest.approx(3.0 + 4.0)
    assert children21.loc["E01100052", "age_0"] == pytest.approx(5.0 + 6.0)
    assert children21["children_0_17"].sum() == pytest.approx(21.0)


def test_lookup_weights_back_to_2011_are_shares_of_each_2021_lsoas_children():
    weights = population.exact_fit_weights(_exact_fit(), _census())
    children11 = _children11()
    lookup = population.lsoa_lookup(
        weights, children11, population.children_2021(children11, weights)
    )
    merged = lookup.set_index(["lsoa11_code", "lsoa21_code"])["weight_21_to_11"]
    assert merged[("E01000003", "E01100034")] == pytest.approx(3 / 7)
    assert merged[("E01000006", "E01100052")] == pytest.approx(6 / 11)
    assert lookup.groupby("lsoa21_code")["weight_21_to_11"].sum().tolist() == pytest.approx(
        [1.0] * 6
    )


def test_a_split_lsoa_whose_parts_have_no_census_children_is_shared_equally():
    census = _census().copy()
    census[["E01100021", "E01100022"]] = 0.0
    weights = population.exact_fit_weights(_exact_fit(), census)
    split = weights[weights["lsoa11_code"] == "E01000002"]["weight_11_to_21"]
    assert split.tolist() == [0.5, 0.5]


def test_checks_name_the_table_and_the_problem():
    frame = pd.DataFrame({"lsoa_code": ["E01000001", "E01000001"], "d": [0, 11]})
    with pytest.raises(BuildCheckError, match="t: 1 duplicated lsoa_code"):
        checks.check_unique(frame, "lsoa_code", "t")
    with pytest.raises(BuildCheckError, match="d has values outside 1..10"):
        checks.check_deciles(frame, ["d"], "t")
    with pytest.raises(BuildCheckError, match="values do not match"):
        checks.check_codes(pd.DataFrame({"c": ["W01000001"]}), "c", checks.LSOA_PATTERN, "t")
    with pytest.raises(BuildCheckError, match="differs from the source"):
        checks.check_total_preserved(100.0, 99.0, "children")


# ---- the inputs: missing, corrupt, offline ------------------------------------------------


def _linked_mirror(tmp_path: Path) -> Path:
    """A mirror of symbolic links to the real files, which a test may then replace one by one."""
    mirror = tmp_path / "mirror"
    for source in load_manifest(manifest_path()).sources.values():
        target = mirror / source.mirror_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(MIRROR / source.mirror_path)
    return mirror


def _replace(mirror: Path, relative: str, content: bytes) -> None:
    path = mirror / relative
    path.unlink()
    path.write_bytes(content)


def test_an_input_with_one_byte_changed_is_reported_by_name(tmp_path):
    mirror = _linked_mirror(tmp_path)
    relative = "lookups/lookup_ltla23_utla23.csv"
    content = bytearray((MIRROR / relative).read_bytes())
    content[200] = ord("9") if content[200] != ord("9") else ord("8")
    _replace(mirror, relative, bytes(content))
    with pytest.raises(SourceError, match="lookup_ltla23_utla23.csv.*expected sha256"):
        pipeline.build_store(mirror, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_a_truncated_input_is_reported_by_name(tmp_path):
    mirror = _linked_mirror(tmp_path)
    relative = "iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    _replace(mirror, relative, (MIRROR / relative).read_bytes()[:5000])
    with pytest.raises(SourceError, match="File_1_-_IMD2019"):
        pipeline.build_store(mirror, tmp_path / "store")


def test_a_missing_input_is_listed(tmp_path):
    mirror = _linked_mirror(tmp_path)
    (mirror / "cwip/national_gradient_2015.csv").unlink()
    with pytest.raises(SourceError, match="lacks: cwip/national_gradient_2015.csv"):
        pipeline.build_store(mirror, tmp_path / "store")


def test_a_readable_file_with_the_wrong_shape_names_the_missing_columns(tmp_path):
    manifest = load_manifest(manifest_path())
    source = manifest.sources["lookup_ltla23_utla23"]
    path = tmp_path / "lookup.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("a,b\n1,2\n")
    with pytest.raises(SourceError, match="lacks the columns: ltla23_code"):
        normalise.load(source, Input(path, "mirror"))


@pytest.mark.slow
def test_every_mirror_copy_normalises_to_the_pinned_content():
    manifest = load_manifest(manifest_path())
    for name, source in manifest.sources.items():
        frame = normalise.load(source, Input(MIRROR / source.mirror_path, "mirror"))
        assert check_normalised(source, frame, "mirror") == source.normalised_sha256, name


# ---- idempotence and the atomic swap (steps replaced by a quick one) -----------------------


def _quick_steps(monkeypatch, calls: list[str]) -> None:
    def write_marker(ctx):
        calls.append("ran")
        ctx.write("marker", pd.DataFrame({"run": [len(calls)]}))

    monkeypatch.setattr(pipeline, "STEPS", [("marker", write_marker)])


def test_a_second_build_with_the_same_inputs_does_nothing_and_says_so(tmp_path, monkeypatch):
    calls: list[str] = []
    _quick_steps(monkeypatch, calls)
    first = pipeline.build_store(MIRROR, tmp_path / "store")
    second = pipeline.build_store(MIRROR, tmp_path / "store")
    assert first.built and not second.built
    assert "nothing to do" in second.message
    assert calls == ["ran"]
    forced = pipeline.build_store(MIRROR, tmp_path / "store", force=True)
    assert forced.built and calls == ["ran", "ran"]
    assert pd.read_parquet(tmp_path / "store" / "marker.parquet")["run"].tolist() == [2]


def test_a_changed_input_checksum_triggers_a_rebuild_that_names_it(tmp_path, monkeypatch):
    calls: list[str] = []
    _quick_steps(monkeypatch, calls)
    pipeline.build_store(MIRROR, tmp_path / "store")
    state_path = tmp_path / "store" / pipeline.STATE_FILE
    state = json.loads(state_path.read_text())
    state["inputs"]["dfe_b1"] = "0" * 64
    state_path.write_text(json.dumps(state))
    report = pipeline.build_store(MIRROR, tmp_path / "store")
    assert report.built and "dfe_b1" in report.message


def test_changed_demo_code_triggers_a_rebuild_that_says_so(tmp_path, monkeypatch):
    calls: list[str] = []
    _quick_steps(monkeypatch, calls)
    pipeline.build_store(MIRROR, tmp_path / "store")
    monkeypatch.setattr(pipeline, "demo_code_version", lambda: "made by other code")
    report = pipeline.build_store(MIRROR, tmp_path / "store")
    assert report.built and "demonstration records changed" in report.message
    assert calls == ["ran", "ran"]


def test_a_failing_step_leaves_the_previous_store_whole_and_no_temporary_folder(
    tmp_path, monkeypatch
):
    calls: list[str] = []
    _quick_steps(monkeypatch, calls)
    pipeline.build_store(MIRROR, tmp_path / "store")

    def fail(ctx):
        ctx.write("half", pd.DataFrame({"x": [1]}))
        raise BuildCheckError("broken on purpose")

    monkeypatch.setattr(pipeline, "STEPS", [("fail", fail)])
    with pytest.raises(BuildCheckError, match="broken on purpose"):
        pipeline.build_store(MIRROR, tmp_path / "store", force=True)
    assert sorted(os.listdir(tmp_path / "store")) == ["build_state.json", "marker.parquet"]
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name] == []


# ---- the built store (the session store, built from the mirror) ---------------------------


def _raw(relative: str, **options) -> pd.DataFrame:
    return pd.read_csv(MIRROR / relative, encoding="utf-8-sig", **options)


@pytest.mark.slow
def test_the_store_was_built_from_the_mirror_and_is_up_to_date(store):
    report = pipeline.build_store(MIRROR, store_dir())
    assert not report.built
    assert report.tables["lsoa_2011"] == 32844 and report.tables["lsoa_2021"] == 33755


@pytest.mark.slow
def test_the_build_records_the_checksum_of_every_table_and_normalised_input(store):
    state = json.loads((store_dir() / pipeline.STATE_FILE).read_text())
    # Every Parquet table has its checksum; the demo records and map polygons made from them
    # at the end of the build are counted, not checksummed.
    parquet = {name for name in state["tables"] if (store_dir() / f"{name}.parquet").is_file()}
    assert set(state["table_checksums"]) == parquet
    assert {"demo spells", "geojson files"} <= set(state["tables"]) - parquet
    for table in ("authorities", "lsoa_2021", "dfe_b1"):
        frame = pd.read_parquet(store_dir() / f"{table}.parquet")
        assert table_checksum(frame) == state["table_checksums"][table], table
    boundaries = gpd.read_parquet(store_dir() / "boundaries_2011.parquet")
    assert table_checksum(boundaries) == state["table_checksums"]["boundaries_2011"]
    manifest = load_manifest(manifest_path())
    assert state["normalised_inputs"] == {
        name: source.normalised_sha256 for name, source in manifest.sources.items()
    }


@pytest.mark.slow
def test_authorities_are_the_153_current_ones_with_reorganisations_recorded(store):
    authorities = store.authorities.set_index("la_code")
    utla23 = _raw("lookups/lookup_ltla23_utla23.csv")
    assert set(authorities.index) == set(
        utla23.loc[utla23["utla23_code"].str.startswith("E"), "utla23_code"]
    )
    assert len(authorities) == 153
    assert authorities.loc["E06000063", "previous_codes"] == "E10000006"
    assert authorities.loc["E06000064", "previous_codes"] == "E10000006"
    assert authorities.loc["E06000065", "previous_codes"] == "E10000023"
    assert authorities.loc["E06000066", "previous_codes"] == "E10000027"
    assert authorities.loc["E06000060", "previous_codes"] == "E10000002"
    assert authorities.loc["E06000061", "previous_codes"] == "E10000021"
    assert authorities.loc["E06000062", "previous_codes"] == "E10000021"
    assert authorities.loc["E06000059", "previous_codes"] == "E10000009"
    assert authorities.loc["E06000058", "previous_codes"] == "E06000028;E06000029"
    assert authorities.loc["E06000009", "previous_codes"] == ""
    assert authorities.loc["E06000009", "dfe_la_number"] == 890
    assert authorities.loc["E10000016", "region_name"] == "South East"


@pytest.mark.slow
@pytest.mark.parametrize(("imd_year", "rows"), [(2019, 32844), (2025, 33755)])
def test_each_english_lsoa_is_in_exactly_one_of_the_153_authorities(store, imd_year, rows):
    lsoas = store.lsoas(imd_year)
    assert len(lsoas) == rows and lsoas["lsoa_code"].is_unique
    assert lsoas["lsoa_code"].str.fullmatch(r"E01\d{6}").all()
    assert lsoas["la_code"].nunique() == 153
    assert set(lsoas["la_code"]) == set(store.authorities["la_code"])
    counts = lsoas["imd_decile"].value_counts()
    assert sorted(counts.index) == list(range(1, 11))
    assert counts.max() - counts.min() <= 1
    for domain in ("income", "idaci", "environment"):
        assert sorted(lsoas[f"{domain}_decile"].unique()) == list(range(1, 11))


@pytest.mark.slow
def test_every_2021_lsoa_has_the_ons_best_fit_ward(store):
    wards = store.table("wards_2021")
    lookup = _raw("lookups/lookup_lsoa21_ward24_ltla24.csv.gz")
    english = lookup[lookup["lsoa21_code"].str.startswith("E01")]
    assert len(wards) == 33755 and set(wards["lsoa_code"]) == set(store.lsoas(2025)["lsoa_code"])
    expected = english.set_index("lsoa21_code")["ward24_code"]
    assert (wards.set_index("lsoa_code")["ward_code"] == expected.reindex(wards["lsoa_code"])).all()
    assert wards["ward_code"].str.fullmatch(r"E05\d{6}").all()


@pytest.mark.slow
def test_children_match_the_mid_2020_estimates_on_both_geographies(store):
    raw = _raw("population/population20_lsoa11.csv.gz")
    english = raw[raw["lsoa11_code"].str.startswith("E01")]
    expected_total = english[[str(age) for age in range(18)]].to_numpy().sum()
    for year in (2019, 2025):
        lsoas = store.lsoas(year)
        assert lsoas["children_0_17"].sum() == pytest.approx(expected_total, rel=1e-12)
        ages = lsoas[[f"age_{age}" for age in range(18)]].sum(axis=1)
        assert np.allclose(ages, lsoas["children_0_17"])
    lsoa_2011 = store.lsoas(2019).set_index("lsoa_code")
    row = english.set_index("lsoa11_code").loc["E01000001"]
    assert lsoa_2011.loc["E01000001", "age_17"] == row["17"]


@pytest.mark.slow
def test_a_split_2011_lsoa_is_shared_by_its_parts_census_children(store):
    census = _raw("population/census21_pop_lsoa21_age6.csv.gz")
    census = census[census["age_group"] == "Aged 15 years and under"].set_index("lsoa21_code")
    lookup = store.lsoa_lookup
    split = lookup[lookup["change_code"] == "S"]
    parent = split["lsoa11_code"].iloc[0]
    parts = split[split["lsoa11_code"] == parent]
    kids = census.loc[parts["lsoa21_code"], "usual_residents"].to_numpy(dtype=float)
    assert parts["weight_11_to_21"].to_numpy() == pytest.approx(kids / kids.sum())
    assert lookup.groupby("lsoa11_code")["weight_11_to_21"].sum().to_numpy() == pytest.approx(1.0)
    assert lookup.groupby("lsoa21_code")["weight_21_to_11"].sum().to_numpy() == pytest.approx(1.0)


@pytest.mark.slow
def test_ethnic_shares_sum_to_one_and_children_by_group_match_the_census_file(store):
    shares = ["eth_white", "eth_mixed", "eth_asian", "eth_black", "eth_other"]
    for year in (2019, 2025):
        assert store.lsoas(year)[shares].sum(axis=1).to_numpy() == pytest.approx(1.0)
    raw = _raw("ethnicity/census21_ethnicity5_sex_age13_msoa21.csv.gz")
    english = raw[raw["msoa"].str.startswith("E02")]
    table = store.ethnicity_children
    england = table[table["la_code"] == "E92000001"].set_index("ethnic_group")["children_0_15"]
    assert england.to_dict() == english.groupby("Ethnicity")["0-15"].sum().to_dict()
    authorities = table[table["la_code"] != "E92000001"]
    assert authorities["la_code"].nunique() == 153
    assert authorities["children_0_15"].sum() == england.sum()


@pytest.mark.slow
def test_boundaries_cover_every_lsoa_validly_with_five_decimals_and_shared_borders(store):
    for year, table in ((2019, "lsoa_2011"), (2025, "lsoa_2021")):
        kent = store.boundaries(year, "E10000016")
        lsoas = store.lsoas(year)
        assert set(kent["lsoa_code"]) == set(
            lsoas.loc[lsoas["la_code"] == "E10000016", "lsoa_code"]
        )
        assert kent.crs.to_epsg() == 4326
        assert shapely.is_valid(kent.geometry.to_numpy()).all(), table
        coords = shapely.get_coordinates(kent.geometry.to_numpy())
        assert np.allclose(coords, np.round(coords, 5), atol=1e-9)
    projected = store.boundaries(2019, "E06000009").to_crs(27700)
    union = shapely.union_all(projected.geometry.to_numpy())
    assert projected.area.sum() == pytest.approx(union.area, rel=1e-4)


@pytest.mark.slow
def test_postcodes_fall_in_the_right_lsoas_and_authorities(store):
    postcodes = store.postcodes().set_index("postcode")
    downing_street = postcodes.loc["SW1A2AA"]
    assert downing_street["la_code"] == "E09000033"
    assert downing_street["lsoa11_code"] in set(store.lsoas(2019)["lsoa_code"])
    assert postcodes["lsoa21_code"].isin(store.lsoas(2025)["lsoa_code"]).all()
    assert postcodes["la_code"].isin(store.authorities["la_code"]).all()
    unchanged = store.lsoa_lookup.query("change_code == 'U'")["lsoa11_code"]
    sample = postcodes[postcodes["lsoa11_code"].isin(unchanged)].head(1000)
    assert (sample["lsoa11_code"] == sample["lsoa21_code"]).all()


@pytest.mark.slow
def test_dfe_tables_are_copied_as_text_with_every_row(store):
    b1 = store.table("dfe_b1")
    raw = _raw("dfe/b1_children_in_need_2013_to_2025.csv.gz", dtype=str, keep_default_na=False)
    assert list(b1.columns) == list(raw.columns) and len(b1) == len(raw)
    assert all(pd.api.types.is_string_dtype(b1[column]) for column in b1.columns)
    assert store.cwip["decile"].tolist()[:10] == list(range(1, 11))


def test_build_state_file_is_written_last_inside_the_new_store(tmp_path, monkeypatch):
    written: dict[str, int] = {}
    real_swap = pipeline._swap_in

    def spy(new, target):
        written.update({path.name: path.stat().st_mtime_ns for path in new.iterdir()})
        real_swap(new, target)

    _quick_steps(monkeypatch, [])
    monkeypatch.setattr(pipeline, "_swap_in", spy)
    pipeline.build_store(MIRROR, tmp_path / "store")
    assert written["build_state.json"] == max(written.values())
