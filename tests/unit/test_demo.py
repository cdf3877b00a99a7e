"""The synthetic demonstration data: formats DfE accepts, realistic volumes and gradient, real
postcodes of the authority, and the same spells read back through the readers."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xmlschema

from csc_inequalities.demo import DEMO_FILE_NAMES, demo_files, demo_spells
from csc_inequalities.demo.area import CENSUS_CATEGORY_CODES
from csc_inequalities.demo.files import (
    ADDRESS_FILE,
    CASE_FILE,
    CIN_FILE,
    EPISODES_FILE,
    HEADER_FILE,
    STANDARD_RETURN_FILES,
)
from csc_inequalities.demo.parameters import POSTCODE_NOT_KNOWN
from csc_inequalities.demo.targets import open_targets

AVERAGE = "E06000009"  # Blackpool
MIXED = "E08000035"  # Leeds: neighbourhoods in every national decile
REFERENCE_DATES = [pd.Timestamp(f"{year}-03-31") for year in (2023, 2024, 2025)]


@pytest.fixture(scope="module")
def files(store) -> dict[str, bytes]:
    return demo_files(AVERAGE, store)


@pytest.fixture(scope="module")
def spells(store) -> pd.DataFrame:
    return demo_spells(AVERAGE, store)


@pytest.fixture(scope="module")
def mixed_spells(store) -> pd.DataFrame:
    return demo_spells(MIXED, store)


def _csv(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)


def _spec_columns(spec: str, table: str) -> list[str]:
    """Column names of one table of the SSDA903 yml spec, in the spec's order."""
    block = re.search(rf"^    {table}:\n(.*?)(?=^    \S|\Z)", spec, re.S | re.M).group(1)
    return re.findall(r"^      (\w+):", block, re.M)


def _spec_codes(spec: str, column: str) -> set[str]:
    """Codes listed for a column of the base spec (columns are indented by six spaces)."""
    block = re.search(rf"^      {column}:\n(.*?)(?=^ {{0,6}}\w+:|\Z)", spec, re.S | re.M).group(1)
    return set(re.findall(r'- code: "([^"]+)"', block))


def _diff_codes(diff: str, key: str) -> set[str]:
    """Codes a yearly diff file sets for one key (keys start at the line's beginning)."""
    block = re.search(rf"^{re.escape(key)}:\n(.*?)(?=^\S|\Z)", diff, re.S | re.M).group(1)
    return set(re.findall(r'- code: "([^"]+)"', block))


def _open_children(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    is_open = (frame["start_date"] <= day) & (frame["end_date"].isna() | (frame["end_date"] > day))
    return frame[is_open & ~frame["cin_nfa"]]


def test_same_seed_gives_the_same_files_and_another_seed_others(store, files):
    assert set(files) == set(DEMO_FILE_NAMES)
    assert demo_files(AVERAGE, store) == files
    assert demo_files(AVERAGE, store, seed=7)[EPISODES_FILE] != files[EPISODES_FILE]


def test_only_the_files_asked_for_are_written_and_they_are_the_same(store, files):
    some = demo_files(AVERAGE, store, names=STANDARD_RETURN_FILES)
    assert list(some) == list(STANDARD_RETURN_FILES)
    assert some == {name: files[name] for name in STANDARD_RETURN_FILES}
    with pytest.raises(ValueError, match="demo_cases.csv"):
        demo_files(AVERAGE, store, names=("demo_cases.csv",))


def test_cin_census_is_valid_against_the_2026_schema(files, formats_dir: Path):
    schema = xmlschema.XMLSchema(formats_dir / "CIN_schema_2026.xsd")
    text = files[CIN_FILE].decode("utf-8")
    errors = list(schema.iter_errors(text))
    assert errors == [], errors[:3]
    assert "SYNTHETIC DEMONSTRATION DATA" in text
    assert "<ReferralNFA>1</ReferralNFA>" in text and "<ReferralNFA>0</ReferralNFA>" in text
    assert "postcode" not in text.lower()


def test_903_tables_have_exactly_the_spec_columns(files, formats_dir: Path):
    spec = (formats_dir / "liia_SSDA903_schema_2017.yml").read_text()
    for name, table in ((HEADER_FILE, "header"), (EPISODES_FILE, "episodes")):
        first_line = files[name].decode("utf-8").splitlines()[0]
        assert first_line.split(",") == _spec_columns(spec, table)


def test_903_values_use_the_2025_26_codes_and_formats(files, formats_dir: Path):
    base = (formats_dir / "liia_SSDA903_schema_2017.yml").read_text()
    since_2019 = (formats_dir / "liia_SSDA903_schema_2019.diff.yml").read_text()
    since_2026 = (formats_dir / "liia_SSDA903_schema_2026.diff.yml").read_text()
    episodes = _csv(files[EPISODES_FILE])
    header = _csv(files[HEADER_FILE])
    allowed = {
        "RNE": _spec_codes(base, "RNE"),
        "LS": _spec_codes(base, "LS"),
        "CIN": _spec_codes(base, "CIN"),
        "PLACE_PROVIDER": _spec_codes(base, "PLACE_PROVIDER"),
        "PLACE": _diff_codes(since_2026, "column_map.episodes.PLACE.category"),
        "REC": _diff_codes(since_2019, "column_map.episodes.REC.category") | {""},
        "REASON_PLACE_CHANGE": _diff_codes(
            since_2019, "column_map.episodes.REASON_PLACE_CHANGE.category"
        )
        | {""},
    }
    for column, codes in allowed.items():
        assert set(episodes[column]) <= codes, column
    assert set(header["SEX"]) <= {"M", "F", "U"}
    assert set(header["ETHNIC"]) <= _spec_codes(base, "ETHNIC")
    dates = pd.concat([episodes["DECOM"], episodes["DEC"][episodes["DEC"] != ""], header["DOB"]])
    assert dates.str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert (episodes["DEC"] == "").sum() == (episodes["REC"] == "").sum()
    assert episodes["CHILD"].str.startswith("DEMO").all()
    assert set(episodes["CHILD"]) == set(header["CHILD"])


def test_periods_of_care_chain_episodes_and_short_breaks_are_v3_v4(files, spells):
    episodes = _csv(files[EPISODES_FILE])
    episodes["DECOM"] = pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y")
    episodes["DEC"] = pd.to_datetime(episodes["DEC"], format="%d/%m/%Y")
    care = episodes[~episodes["LS"].isin(["V3", "V4"])]
    following = care.groupby("CHILD")["DECOM"].shift(-1)
    within = following.notna()
    assert (care.loc[within, "DEC"] == following[within]).all()
    assert (care.loc[within, "REC"] == "X1").all()
    assert set(care.loc[care["RNE"] != "S", "RNE"]) <= {"P", "L", "T"}
    assert (care.groupby("CHILD")["RNE"].first() == "S").all()
    assert care.groupby("CHILD").size().max() > 1
    short_breaks = episodes[episodes["LS"].isin(["V3", "V4"])]
    assert len(short_breaks) > 0
    looked_after = set(spells.loc[spells["intervention"] == "CLA", "child_id"])
    assert looked_after == set(care["CHILD"])
    assert not set(short_breaks["CHILD"]) & looked_after


def test_children_open_at_31_march_are_near_the_published_rates(store, spells):
    from csc_inequalities.demo.area import authority_area

    children = authority_area(store, AVERAGE).children
    targets = open_targets(store, AVERAGE, (2023, 2024, 2025), children)
    inside = spells[spells["home"] == "inside"]
    for intervention in ("CIN", "CPP", "CLA"):
        mine = inside[inside["intervention"] == intervention]
        count = _open_children(mine, REFERENCE_DATES[-1])["child_id"].nunique()
        target = targets.loc[2025, intervention]
        assert abs(count - target) <= max(0.1 * target, 3 * np.sqrt(target)), intervention


def test_starts_in_the_year_are_in_a_realistic_proportion_to_children_open(spells):
    inside = spells[(spells["home"] == "inside") & ~spells["cin_nfa"]]
    year = inside["start_date"].between(pd.Timestamp("2024-04-01"), REFERENCE_DATES[-1])
    for intervention, low, high in (("CLA", 0.2, 0.7), ("CPP", 0.8, 2.5), ("CIN", 0.8, 3.0)):
        mine = inside[inside["intervention"] == intervention]
        open_count = _open_children(mine, REFERENCE_DATES[-1])["child_id"].nunique()
        starts = int((year & (inside["intervention"] == intervention)).sum())
        assert low <= starts / open_count <= high, intervention


def test_rates_fall_from_the_most_to_the_least_deprived_decile(store, mixed_spells):
    spells = mixed_spells
    lsoas = store.lsoas(2025)
    lsoas = lsoas[lsoas["la_code"] == MIXED].set_index("lsoa_code")
    children = lsoas.groupby("imd_decile")["children_0_17"].sum()
    spells = spells[spells["home"] == "inside"]
    spells = spells.assign(decile=spells["home_lsoa21_code"].map(lsoas["imd_decile"]))
    for intervention in ("CPP", "CLA"):
        mine = spells[spells["intervention"] == intervention]
        counts = sum(
            _open_children(mine, day).groupby("decile")["child_id"].nunique()
            for day in REFERENCE_DATES
        )
        rates = counts.reindex(children.index, fill_value=0) / children
        assert rates.loc[1] > 3 * rates.loc[10], intervention


def test_every_home_postcode_is_real_and_in_the_authority_but_a_documented_few(store, files):
    postcodes = store.postcodes()
    authority = postcodes.set_index("postcode")["la_code"]
    addresses = _csv(files[ADDRESS_FILE])
    episodes = _csv(files[EPISODES_FILE])
    for column in (addresses["Postcode"], episodes["HOME_POST"]):
        compact = column.str.replace(" ", "", regex=False)
        unknown = (column == "") | (column == POSTCODE_NOT_KNOWN)
        where = compact[~unknown].map(authority)
        assert where.notna().all()
        inside_share = (where == AVERAGE).sum() / len(column)
        assert inside_share > 0.94
        assert (where != AVERAGE).sum() > 0 and unknown.sum() > 0


def test_ethnic_mix_follows_the_authority(store, mixed_spells):
    children = store.ethnicity_children
    mine = children[children["la_code"] == MIXED].set_index("ethnic_group")["children_0_15"]
    census = mine / mine.sum()
    codes = mixed_spells.drop_duplicates("child_id")["ethnicity"]
    census_group = {code: group for group, code in CENSUS_CATEGORY_CODES.values()}
    groups = codes.map(census_group).fillna("Not known")
    demo = groups.value_counts(normalize=True)
    for group, share in census.items():
        if share > 0.05:
            assert 0.4 * share < demo.get(group, 0) < 2.5 * share, group
    assert demo.get("Not known", 0) > 0


def test_case_extract_lists_the_same_spells_without_nfa_referrals(files, spells):
    extract = _csv(files[CASE_FILE])
    assert list(extract.columns) == [
        "Child ID",
        "Intervention",
        "Start date",
        "End date",
        "Postcode",
        "Ethnicity",
        "Gender",
        "DOB",
    ]
    assert len(extract) == int((~spells["cin_nfa"]).sum())


def test_readers_get_back_the_children_the_generator_made(store, files, spells):
    from csc_inequalities.records.load import load_records

    def children(frame: pd.DataFrame) -> dict[str, int]:
        counted = frame[~frame["cin_nfa"]]
        return counted.groupby("intervention")["child_id"].nunique().to_dict()

    expected = children(spells[spells["home"] == "inside"])
    standard = [(name, files[name]) for name in STANDARD_RETURN_FILES]
    assert children(load_records(standard, AVERAGE, store).spells) == expected
    extract = [(CASE_FILE, files[CASE_FILE])]
    assert children(load_records(extract, AVERAGE, store).spells) == expected


def test_command_writes_the_same_files(store, tmp_path: Path):
    from csc_inequalities.cli import main

    assert main(["demo", "--la", AVERAGE, "--out", str(tmp_path), "--seed", "11"]) == 0
    written = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert written == demo_files(AVERAGE, store, seed=11)


def test_command_refuses_an_unknown_authority(store, tmp_path: Path, capsys):
    from csc_inequalities.cli import main

    assert main(["demo", "--la", "E99999999", "--out", str(tmp_path)]) == 2
    assert "E99999999" in capsys.readouterr().err


def test_the_smallest_authority_gets_valid_files_too(store, formats_dir: Path):
    files = demo_files("E06000053", store)  # Isles of Scilly: a few hundred children
    schema = xmlschema.XMLSchema(formats_dir / "CIN_schema_2026.xsd")
    assert schema.is_valid(files[CIN_FILE].decode("utf-8"))
    assert len(_csv(files[CASE_FILE])) > 0


def test_rereferred_children_keep_one_identity_and_never_overlap(files, spells):
    cin = spells[spells["intervention"] == "CIN"].sort_values(["child_id", "start_date"])
    repeat = cin[cin["child_id"].duplicated(keep=False)]
    assert 0.05 < repeat["child_id"].nunique() / cin["child_id"].nunique() < 0.3
    previous_end = repeat.groupby("child_id")["end_date"].shift()
    assert (repeat["start_date"][previous_end.notna()] > previous_end.dropna()).all()
    extract = _csv(files[CASE_FILE])
    assert (extract.groupby("Child ID")[["DOB", "Gender", "Ethnicity"]].nunique() == 1).all().all()
    text = files[CIN_FILE].decode("utf-8")
    assert text.count("<CINdetails>") == len(cin)
    assert text.count("<Child>") == spells["child_id"].nunique()
