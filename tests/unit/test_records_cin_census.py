"""CIN census XML: episodes and plans, yes/no and sex codes, years, safety, address extracts."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pandas as pd
import pytest

from csc_inequalities.records.address import ADDRESS_RULE
from csc_inequalities.records.cin_census import read_cin_census
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.load import load_records
from tests.helpers.fake_store import LA, FakeStore
from tests.helpers.return_samples import ADDRESSES, CHILDREN, census, child, cin


def load(xml: bytes = None, addresses: bytes | None = ADDRESSES):
    files = [("cin.xml", census(CHILDREN) if xml is None else xml)]
    if addresses is not None:
        files.append(("addresses.csv", addresses))
    return load_records(files, LA, FakeStore())


def test_cin_episodes_and_plans_become_spells_with_dates_and_nfa_flags():
    spells, _, children = read_cin_census("cin.xml", census(CHILDREN))
    assert children == 6
    k1 = spells[spells["child_id"] == "K1"].sort_values("start_date")
    assert k1["intervention"].tolist() == ["CIN", "CPP", "CIN"]
    assert k1["start_date"].tolist() == [
        pd.Timestamp("2024-05-01"),
        pd.Timestamp("2024-06-01"),
        pd.Timestamp("2025-01-10"),
    ]
    assert k1["end_date"].isna().tolist() == [False, False, True]
    assert k1["cin_nfa"].tolist() == [False, False, True]
    assert k1["source_row"].tolist() == [1, 1, 2]


def test_yes_no_read_as_0_1_and_true_false():
    spells, issues, _ = read_cin_census("cin.xml", census(CHILDREN))
    cin_rows = spells[spells["intervention"] == "CIN"].set_index("child_id")
    assert bool(cin_rows.loc["K2", "cin_nfa"]) is True
    assert bool(cin_rows.loc["K3", "cin_nfa"]) is False
    assert issues[issues["reason"] == "unknown code"].empty


def test_gender_current_and_sex_codes_are_both_read():
    old = child("G1", cin("2020-05-01"), sex="<GenderCurrent>1</GenderCurrent>")
    old += child("G2", cin("2020-05-01"), sex="<GenderCurrent>2</GenderCurrent>")
    old += child("G0", cin("2020-05-01"), sex="<GenderCurrent>0</GenderCurrent>")
    old += child("G9", cin("2020-05-01"), sex="<GenderCurrent>9</GenderCurrent>")
    spells, issues, _ = read_cin_census("old.xml", census(old, "2021", "2021-03-31"))
    assert dict(zip(spells["child_id"], spells["sex"], strict=True)) == {
        "G1": "M",
        "G2": "F",
        "G0": "U",
        "G9": "U",
    }
    assert issues.empty


def test_spells_are_placed_at_the_address_valid_on_their_start_date():
    result = load()
    spells = result.spells.set_index(["child_id", "intervention", "start_date"]).sort_index()
    assert spells.loc[("K1", "CIN", pd.Timestamp("2024-05-01")), "lsoa11_code"] == "E01000001"
    assert spells.loc[("K1", "CIN", pd.Timestamp("2025-01-10")), "lsoa21_code"] == "E01033003"
    assert bool(spells.loc[("K1", "CIN", pd.Timestamp("2025-01-10")), "cin_nfa"]) is True
    assert ADDRESS_RULE in result.notes


def test_every_unusable_cin_record_is_reported_with_child_and_position():
    result = load()
    found = set(
        zip(
            result.issues["file"],
            result.issues["row"],
            result.issues["child_id"],
            result.issues["reason"],
            strict=True,
        )
    )
    assert found == {
        ("cin.xml", 3, "K2", "unknown ethnicity code"),
        ("cin.xml", 3, "K2", "outside the authority"),
        ("cin.xml", 4, "K3", "address taken from a later episode or record"),
        ("cin.xml", 5, "K4", "unreadable date"),
        ("cin.xml", 6, "K5", "end before start"),
    }
    k3 = result.spells[result.spells["child_id"] == "K3"]
    assert k3["lsoa21_code"].tolist() == ["E01033002"]


def test_children_without_an_address_are_dropped_with_that_reason():
    result = load(addresses=b"child_id,postcode\nK1,AB1 2CD\n")
    no_address = result.issues[result.issues["reason"] == "no address for the child"]
    assert sorted(set(no_address["child_id"])) == ["K2", "K3"]


def test_lsoa_addresses_of_a_split_2011_lsoa_go_to_the_largest_2021_part():
    result = load(addresses=b"child_id,lsoa11cd\nK1,E01000002\n")
    k1 = result.spells[result.spells["child_id"] == "K1"]
    assert set(k1["lsoa21_code"]) == {"E01033001"}
    assert any("3 records were on LSOAs split" in note for note in result.notes)


def test_census_without_an_address_extract_is_refused_with_advice():
    with pytest.raises(RecordsError, match="holds no addresses. Add an address extract"):
        load(addresses=None)


@pytest.mark.parametrize(("year", "reference"), [("2031", "2031-03-31"), ("2012", "")])
def test_census_of_an_unknown_year_is_refused_naming_the_years_read(year, reference):
    with pytest.raises(RecordsError, match=f"census for {year}.*2017 to 2026"):
        load(census(CHILDREN, year, reference))


def test_xml_that_is_not_a_census_is_refused():
    with pytest.raises(RecordsError, match="not a CIN census.*<Message>"):
        load(b"<?xml version='1.0'?><Report><Row/></Report>")


def test_malformed_xml_is_refused_with_its_position():
    with pytest.raises(RecordsError, match="not well-formed XML"):
        load(census(CHILDREN)[:-30])


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol4;</LAchildID>
</ChildIdentifiers></Child></Children></Message>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID>
</ChildIdentifiers></Child></Children></Message>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_expansion_and_external_entities_are_refused(content):
    with pytest.raises(RecordsError, match="refused: it declares a DTD or entities"):
        load(content)


def independent_counts(path) -> tuple[int, int, int]:
    """Children, CIN episodes and plans in a census file, counted with ElementTree directly."""
    root = ElementTree.parse(path).getroot()
    children = root.findall("./Children/Child")
    episodes = [d for c in children for d in c.findall("CINdetails")]
    plans = [p for d in episodes for p in d.findall("ChildProtectionPlans")]
    return len(children), len(episodes), len(plans)


@pytest.mark.parametrize("name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml"])
def test_shared_samples_match_independent_counts(formats_dir, name):
    path = formats_dir / "samples" / name
    spells, issues, children = read_cin_census(name, path.read_bytes())
    n_children, n_episodes, n_plans = independent_counts(path)
    assert children == n_children
    assert (spells["intervention"] == "CIN").sum() == n_episodes
    assert (spells["intervention"] == "CPP").sum() == n_plans
    assert issues.empty
    addresses = b"child_id,postcode\nDfEX0000001,EG19 7TT\nchild_fails_assessments,AB1 2CD\n"
    result = load_records([(name, path.read_bytes()), ("a.csv", addresses)], LA, FakeStore())
    assert set(result.spells["child_id"]) == {"child_fails_assessments"}
    unknown = result.issues[result.issues["reason"] == "unknown postcode"]
    assert set(unknown["child_id"]) == {"DfEX0000001"}
