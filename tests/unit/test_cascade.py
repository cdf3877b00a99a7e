"""The decision cascade: stages counted as DfE counts them, conversions, gaps and sentences."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date

import pandas as pd
import pytest

from csc_inequalities.demo import demo_files
from csc_inequalities.demo.files import STANDARD_RETURN_FILES
from csc_inequalities.figures.cascade import CONVERSION_TICKS, conversions_chart
from csc_inequalities.figures.style import BEYOND_NAME
from csc_inequalities.records.load import load_records
from csc_inequalities.results.analysis import authority_groups
from csc_inequalities.results.cascade import PATH, STEP_NAMES, run_cascade
from csc_inequalities.results.cascade_sentences import gap_sentence
from csc_inequalities.stats.proportions import wilson_interval

KENT = "E10000016"
MOST_DEPRIVED = "E01023973"  # Kent 2021 LSOAs in IMD 2025 national deciles 1-2 and 9-10
LEAST_DEPRIVED = "E01023983"


def child(child_id: str, born: str, sex: str, episodes: str) -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
        f"<PersonBirthDate>{born}</PersonBirthDate><Sex>{sex}</Sex></ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>"
        f"{episodes}</Child>"
    )


def episode(referral: str, inner: str = "", nfa: str = "0", need: str = "N1") -> str:
    """A CINdetails in schema order; ``inner`` holds what sits between the closure and NFA."""
    plans, _, middle = inner.partition("|") if "|" in inner else ("", "", inner)
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>1A</ReferralSource><PrimaryNeedCode>{need}</PrimaryNeedCode>"
        f"{middle}<ReferralNFA>{nfa}</ReferralNFA>{plans}</CINdetails>"
    )


def assessment(start: str, authorised: str = "", factors: tuple[str, ...] = ()) -> str:
    done = f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>"
    listed = "".join(f"<AssessmentFactors>{code}</AssessmentFactors>" for code in factors)
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>"
        f"{done if authorised else ''}"
        f"{f'<FactorsIdentifiedAtAssessment>{listed}</FactorsIdentifiedAtAssessment>' if factors else ''}"  # noqa: E501
        "</Assessments>"
    )


def enquiry(start: str, conference: str = "", not_required: str = "0") -> str:
    held = f"<DateOfInitialCPC>{conference}</DateOfInitialCPC>" if conference else ""
    return (
        f"<Section47><S47ActualStartDate>{start}</S47ActualStartDate>{held}"
        f"<ICPCnotRequired>{not_required}</ICPCnotRequired></Section47>"
    )


def plan(start: str, category: str = "NEG") -> str:
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>"
        f"<InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>"
        f"<LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>"
    )


CHILDREN = "".join(
    [
        # A, most deprived: referral, assessment with two factors, s47, conference recorded in
        # both the episode and the enquiry (one conference), plan; later an NFA referral.
        child(
            "A", "2015-06-01", "F",
            episode(
                "2024-05-01",
                plan("2024-05-25")
                + "|<DateOfInitialCPC>2024-05-25</DateOfInitialCPC>"
                + assessment("2024-05-02", "2024-05-20", ("3B", "4B"))
                + enquiry("2024-05-10", "2024-05-25"),
            )
            + episode("2025-02-01", nfa="1", need=""),
        ),
        # B, most deprived, an infant: referred the year before, assessed and enquired into in
        # this year, no conference needed.
        child(
            "B", "2024-01-10", "M",
            episode(
                "2024-03-15",
                assessment("2024-03-20", "2024-04-10") + enquiry("2024-04-02", not_required="1"),
            ),
        ),
        # C, least deprived: an assessment never authorised, an enquiry and a conference, no plan.
        child(
            "C", "2010-02-02", "M",
            episode(
                "2024-10-01",
                assessment("2024-10-02") + enquiry("2024-10-05", "2024-10-20"),
                need="N4",
            ),
        ),
        # D, least deprived: referred after the year ends.
        child("D", "2012-07-07", "F", episode("2025-04-01")),
        # E, most deprived: an enquiry whose date cannot be read.
        child("E", "2016-01-01", "F", episode("2024-06-01", enquiry("2024-13-01"))),
    ]
)  # fmt: skip
CENSUS = (
    '<?xml version="1.0" encoding="UTF-8"?><Message><Header><CollectionDetails>'
    "<Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>"
    "</CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>886</LEA></Source></Header>"
    f"<Children>{CHILDREN}</Children></Message>"
).encode()
ADDRESSES = (
    "LAchildID,LSOA\n"
    f"A,{MOST_DEPRIVED}\nB,{MOST_DEPRIVED}\nC,{LEAST_DEPRIVED}\nD,{LEAST_DEPRIVED}\n"
    f"E,{MOST_DEPRIVED}\n"
).encode()


def counted_by_hand(census: bytes, quintile_of_child: dict[str, int], year: int) -> dict:
    """Each stage's count per quintile, walking the XML here with the DfE rules in the docs."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)

    def in_year(text: str | None) -> bool:
        try:
            return text is not None and first <= date.fromisoformat(text) <= last
        except ValueError:
            return False

    counts: dict[tuple[str, int], int] = {}
    conferences = set()
    for element in ElementTree.fromstring(census).iter("Child"):
        child_id = element.findtext("ChildIdentifiers/LAchildID")
        q = quintile_of_child[child_id]
        for details in element.iter("CINdetails"):
            found = []
            if in_year(details.findtext("CINreferralDate")):
                found.append("referral")
                if details.findtext("ReferralNFA") == "1":
                    found.append("nfa")
            for item in details.iter("Assessments"):
                if in_year(item.findtext("AssessmentAuthorisationDate")):
                    found.append("assessment")
            for item in details.iter("Section47"):
                if in_year(item.findtext("S47ActualStartDate")):
                    found.append("s47")
            for item in details.iter("DateOfInitialCPC"):
                if in_year(item.text):
                    conferences.add((child_id, item.text, q))
            for item in details.iter("ChildProtectionPlans"):
                if in_year(item.findtext("CPPstartDate")):
                    found.append("plan")
            for stage in found:
                counts[(stage, q)] = counts.get((stage, q), 0) + 1
    for _, _, q in conferences:
        counts[("icpc", q)] = counts.get(("icpc", q), 0) + 1
    return counts


@pytest.fixture(scope="module")
def records(store):
    return load_records([("census.xml", CENSUS), ("addresses.csv", ADDRESSES)], KENT, store)


@pytest.fixture(scope="module")
def quintiles(store) -> dict[str, int]:
    groups = authority_groups(store, KENT, 2025, "imd", "national_quintile")
    lsoas = store.lsoas(2025)
    codes = lsoas[lsoas["la_code"] == KENT].sort_values("imd_rank")["lsoa_code"].to_numpy()
    by_lsoa = dict(zip(codes, groups.to_numpy(), strict=True))
    return {"A": by_lsoa[MOST_DEPRIVED], "B": by_lsoa[MOST_DEPRIVED], "C": by_lsoa[LEAST_DEPRIVED],
            "D": by_lsoa[LEAST_DEPRIVED], "E": by_lsoa[MOST_DEPRIVED]}  # fmt: skip


def test_the_two_neighbourhoods_are_at_the_two_ends(quintiles):
    assert quintiles["A"] == 1 and quintiles["C"] == 5


def test_stages_are_counted_as_dfe_counts_them(store, records, quintiles):
    cascade = run_cascade(records, store, KENT, 2025, 2025)
    expected = counted_by_hand(CENSUS, quintiles, 2025)
    got = cascade.by_quintile.set_index(["stage", "group"])["count"]
    for stage in ("referral", "nfa", "assessment", "s47", "icpc", "plan"):
        for q in range(1, 6):
            assert got[(stage, q)] == expected.get((stage, q), 0), (stage, q)
    # The same figures typed by hand, so the walker above cannot drift with the reader.
    assert got[("referral", 1)] == 3 and got[("referral", 5)] == 1
    assert got[("nfa", 1)] == 1 and got[("assessment", 1)] == 2 and got[("assessment", 5)] == 0
    assert got[("s47", 1)] == 2 and got[("icpc", 1)] == 1 and got[("icpc", 5)] == 1
    assert got[("plan", 1)] == 1 and cascade.by_quintile["count"].sum() == 13
    assert "care" not in cascade.stages
    assert any("SSDA903" in note for note in cascade.notes)
    unreadable = records.issues[records.issues["detail"].str.contains("S47ActualStartDate")]
    assert unreadable["child_id"].tolist() == ["E"]


def test_conversions_carry_wilson_intervals(store, records):
    cascade = run_cascade(records, store, KENT, 2025, 2025)
    rows = cascade.conversions.set_index(["conversion", "group"])
    s47 = rows.loc[("s47_per_referral", 1)]
    assert (s47["numerator"], s47["denominator"]) == (2, 3)
    lower, upper = wilson_interval(2, 3)
    assert (s47["lower_95ci"], s47["upper_95ci"]) == pytest.approx((lower[0], upper[0]))
    whole = rows.loc[("s47_per_referral", 0)]
    assert (whole["numerator"], whole["denominator"]) == (3, 4)
    conference = rows.loc[("icpc_per_s47", 5)]
    assert conference["proportion"] == 1.0 and conference["upper_95ci"] == pytest.approx(1.0)


def test_codes_by_quintile(store, records):
    cascade = run_cascade(records, store, KENT, 2025, 2025)
    factors = cascade.factors.set_index(["quintile", "code"])
    assert factors.loc[(1, "3B"), "count"] == 1 and factors.loc[(1, "4B"), "count"] == 1
    assert factors.loc[(1, "Not recorded"), "count"] == 1  # B's assessment lists none
    assert factors.loc[(1, "3B"), "events"] == 2 and factors.loc[(1, "3B"), "share"] == 0.5
    needs = cascade.needs.set_index(["quintile", "code"])
    assert needs.loc[(1, "N1"), "count"] == 2  # A's first referral and E's; A's NFA is not
    assert needs.loc[(5, "N4"), "count"] == 1
    abuse = cascade.abuse.set_index(["quintile", "code"])
    assert abuse.loc[(1, "NEG"), "count"] == 1 and abuse["count"].sum() == 1


def test_the_filter_counts_events_by_age_on_their_day(store, records):
    infants = run_cascade(records, store, KENT, 2025, 2025, age_band="under_1")
    totals = infants.totals.set_index("stage")["count"]
    assert totals["assessment"] == 1 and totals["s47"] == 1 and totals["referral"] == 0
    children = infants.totals["children"].iloc[0]
    everyone = run_cascade(records, store, KENT, 2025, 2025)
    assert children < everyone.totals["children"].iloc[0] / 10
    girls = run_cascade(records, store, KENT, 2025, 2025, sex="F")
    assert girls.totals.set_index("stage")["count"]["referral"] == 3  # A twice, and E


def test_gap_sentence_names_where_the_gap_widens():
    gaps = pd.DataFrame(
        {
            "stage": ["referral", "assessment", "s47", "icpc", "plan"],
            "ratio": [4.1, 4.3, 5.0, 5.2, 9.8],
            "lower_95ci": [3.8, 4.0, 4.4, 4.3, 7.9],
            "upper_95ci": [4.4, 4.6, 5.7, 6.3, 12.2],
        }
    )
    sentence = gap_sentence(gaps, PATH, STEP_NAMES, "the most and least deprived fifths")
    assert sentence.startswith(
        "The gap between the most and least deprived fifths is 4.1 times at referral and "
        "9.8 times at plan: it widens most between conference and plan"
    )
    assert "beyond the play of chance" in sentence
    narrowing = gaps.assign(ratio=[9.0, 8.0, 6.0, 5.9, 2.0])
    assert "narrows at every step, most between conference and plan" in gap_sentence(
        narrowing, PATH, STEP_NAMES, "the ends"
    )


def test_demo_cascade_holds_every_stage_with_consistent_totals(store):
    files = demo_files("E06000009", store, names=STANDARD_RETURN_FILES)
    records = load_records(list(files.items()), "E06000009", store)
    cascade = run_cascade(records, store, "E06000009", 2025, 2025, deciles="local")
    assert cascade.stages == ("referral", "nfa", "assessment", "s47", "icpc", "plan", "care")
    totals = cascade.totals.set_index("stage")["count"]
    by_decile = cascade.by_decile.groupby("stage")["count"].sum()
    assert (by_decile.reindex(totals.index) == totals).all()
    # Each decision is rarer than the one before it, as in DfE's national figures.
    assert totals["referral"] > totals["s47"] > totals["icpc"] > totals["plan"] > totals["care"]
    assert cascade.factors["count"].sum() > 0 and cascade.abuse["count"].sum() > 0
    assert "times at referral" in cascade.sentences["gap"]
    ethnic = cascade.ethnicity.groupby("stage")["count"].sum().reindex(totals.index)
    assert (ethnic == totals).all()


def conversions_frame(proportions: list[float], half_width: float) -> pd.DataFrame:
    """Each conversion's per-1 proportion for quintiles 1-5 and the whole authority (group 0)."""
    rows = [
        {
            "conversion": key,
            "group": group,
            "proportion": share,
            "lower_95ci": max(0.0, share - half_width),
            "upper_95ci": min(1.0, share + half_width),
        }
        for key, share in zip(CONVERSION_TICKS, proportions, strict=True)
        for group in (1, 2, 3, 4, 5, 0)
    ]
    return pd.DataFrame(rows)


def test_conversions_axis_follows_the_estimates_and_marks_cut_intervals():
    # A small authority: few decisions, low conversions, intervals reaching far up.
    small, _ = conversions_chart(
        conversions_frame([0.10, 0.08, 0.12, 0.05], 0.6), "Smallshire", "T", "2024-25", "local"
    )
    top = small.layout.yaxis.range[1]
    assert 12 < top < 50  # not 0-105, where bars of 5-12 per 100 would lie flat
    marked = [t for t in small.data if t.name == BEYOND_NAME]
    assert len(marked) == 1 and len(marked[0].x) == 4 and set(marked[0].y) == {top}
    # Conversions that fill the scale keep (nearly) the whole 0-100 axis, with nothing cut.
    large, _ = conversions_chart(
        conversions_frame([0.80, 0.60, 0.90, 0.40], 0.05), "Largeshire", "T", "2024-25", "local"
    )
    assert 95 <= large.layout.yaxis.range[1] <= 105
    assert not [t for t in large.data if t.name == BEYOND_NAME]
