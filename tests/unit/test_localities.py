"""Localities: schemes, expected counts from the authority's own rates, funnel positions,
sentences, and suppression of small localities with secondary suppression."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from csc_inequalities.publication.disclosure import (
    SUPPRESSED,
    DisclosureRule,
    View,
    suppressed_cells,
)
from csc_inequalities.publication.localities import localities_view, published_localities
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import view_context
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.localities import (
    CAUTION,
    NOT_IN_A_LOCALITY,
    default_scheme_kind,
    file_scheme,
    localities,
    scheme_for,
)
from csc_inequalities.results.locality_maps import locality_geojson
from csc_inequalities.results.measures import Measure
from csc_inequalities.stats import funnel
from tests.helpers.area_records import counts_records

KENT, BLACKPOOL = "E10000016", "E06000009"
CPP = Measure("CPP", "at_date", pd.Timestamp("2025-03-31").date())


def _lsoas(store, la_code: str, imd_year: int = 2025) -> pd.DataFrame:
    lsoas = store.lsoas(imd_year)
    return lsoas[lsoas["la_code"] == la_code].reset_index(drop=True)


def _analysis(store, la_code: str, counts, deciles: str = "national"):
    lsoas = _lsoas(store, la_code)
    return run_analysis(
        counts_records(lsoas["lsoa_code"], counts), store, la_code, 2025, CPP, deciles
    )


def test_kent_districts_expect_the_authority_total_and_match_the_store(store):
    lsoas = _lsoas(store, KENT)
    counts = np.where(lsoas["imd_decile"] <= 3, 4, 1)
    result = localities(_analysis(store, KENT, counts), scheme_for("district", store, KENT, 2025))
    table = result.table
    assert sorted(table["locality"]) == sorted(lsoas["lad_name"].unique()) and len(table) == 12
    assert table["expected"].sum() == pytest.approx(counts.sum())
    assert table["count"].sum() == counts.sum()
    # A locality's expected count is its children times the authority's own decile rates.
    dover = lsoas[lsoas["lad_name"] == "Dover"]
    by_decile = lsoas.assign(c=counts).groupby("imd_decile")
    rate = by_decile["c"].sum() / by_decile["children_0_17"].sum()
    expected = (dover["children_0_17"] * dover["imd_decile"].map(rate)).sum()
    row = table.set_index("locality").loc["Dover"]
    assert row["expected"] == pytest.approx(expected)
    assert row["ratio"] == pytest.approx(row["count"] / expected)
    lower, upper = funnel.ratio_limits(expected, 0.998)
    assert (row["limit_998_lower"], row["limit_998_upper"]) == pytest.approx((lower[0], upper[0]))


def test_a_locality_far_above_its_prediction_is_named_with_the_caution(store):
    lsoas = _lsoas(store, KENT)
    counts = np.where(lsoas["lad_name"] == "Ashford", 12, 2)
    result = localities(_analysis(store, KENT, counts), scheme_for("district", store, KENT, 2025))
    ashford = result.table.set_index("locality").loc["Ashford"]
    assert ashford["position"] == funnel.HIGH_998
    assert result.sentences[funnel.HIGH_998].endswith(": Ashford.")
    assert result.sentences["caution"] == CAUTION
    assert "Of the 12 districts," in result.sentences["localities"]


def test_a_single_district_authority_is_told_to_choose_wards(store):
    counts = np.full(len(_lsoas(store, BLACKPOOL)), 2)
    analysis = _analysis(store, BLACKPOOL, counts)
    assert default_scheme_kind(store, BLACKPOOL, 2025) == "ward"
    assert default_scheme_kind(store, KENT, 2025) == "district"
    result = localities(analysis, scheme_for("district", store, BLACKPOOL, 2025))
    assert "choose electoral wards" in result.sentences["localities"]
    wards = localities(analysis, scheme_for("ward", store, BLACKPOOL, 2025))
    names = store.table("wards_2021").set_index("lsoa_code")["ward_name"]
    assert set(wards.table["locality"]) == set(_lsoas(store, BLACKPOOL)["lsoa_code"].map(names))


def test_wards_on_2011_neighbourhoods_follow_their_2021_best_fit(store):
    scheme = scheme_for("ward", store, KENT, 2019)
    assert len(scheme.assignment) == len(_lsoas(store, KENT, 2019))
    assert "2021 part with most children" in scheme.note
    assert scheme.assignment["locality"].nunique() > 200


def test_an_uploaded_scheme_keeps_its_good_rows_and_shows_neighbourhoods_in_none(store):
    lsoas = _lsoas(store, BLACKPOOL)
    codes = lsoas["lsoa_code"].tolist()
    text = "lsoa,team\n" + "".join(
        f"{code},{'North' if i % 2 else 'South'}\n" for i, code in enumerate(codes[:-3])
    )
    text += "E01999999,North\n"
    scheme = file_scheme("teams.csv", text.encode(), store, BLACKPOOL, 2025)
    assert scheme.file.issues["row"].tolist() == [len(codes) - 1]
    result = localities(_analysis(store, BLACKPOOL, np.full(len(codes), 2)), scheme)
    assert result.table["locality"].tolist() == ["North", "South", NOT_IN_A_LOCALITY]
    assert result.table["lsoas"].tolist()[-1] == 3
    assert result.compared["locality"].tolist() == ["North", "South"]
    assert "3 of Blackpool's neighbourhoods" in result.sentences["not_in_scheme"]


def test_one_small_locality_is_suppressed_with_the_next_smallest(store):
    lsoas = _lsoas(store, KENT)
    counts = np.full(len(lsoas), 2)
    dover = (lsoas["lad_name"] == "Dover").to_numpy()
    counts[dover] = 0
    counts[np.flatnonzero(dover)[0]] = 3  # Dover: 3 in all, the only small district
    result = localities(_analysis(store, KENT, counts), scheme_for("district", store, KENT, 2025))
    published, hidden = published_localities(result, DisclosureRule())
    by_name = published.set_index("locality")
    smallest_other = result.table[result.table["locality"] != "Dover"].sort_values("count")
    assert set(result.table.loc[hidden, "locality"]) == {
        "Dover",
        smallest_other.iloc[0]["locality"],
    }
    for column in ("count", "rate_per_10000", "ratio", "ratio_lower", "position"):
        assert by_name.loc["Dover", column] == SUPPRESSED
    # The published counts and the authority's total no longer give Dover's count.
    shown = pd.to_numeric(published["count"], errors="coerce").sum()
    assert counts.sum() - shown == 3 + smallest_other.iloc[0]["count"]
    view = localities_view(result, "publication")
    assert view.withheld == 2 and "2 districts with small counts are suppressed" in " ".join(
        view.sentences.values()
    )
    assert "Dover" not in " ".join(view.sentences.values())


def test_suppression_also_covers_the_row_of_neighbourhoods_in_no_locality(store):
    lsoas = _lsoas(store, BLACKPOOL)
    codes = lsoas["lsoa_code"].tolist()
    text = "lsoa,team\n" + "".join(f"{code},{'AB'[i % 2]}\n" for i, code in enumerate(codes[1:]))
    scheme = file_scheme("teams.csv", text.encode(), store, BLACKPOOL, 2025)
    counts = np.full(len(codes), 3)
    result = localities(_analysis(store, BLACKPOOL, counts), scheme)
    published, hidden = published_localities(result, DisclosureRule())
    assert published["locality"].tolist()[-1] == NOT_IN_A_LOCALITY
    assert hidden.tolist() == [True, False, True] or hidden.tolist() == [False, True, True]


def test_cells_a_reader_knows_are_never_used_to_protect():
    # Localities 0 and 1 lie only in group 0, localities 2 and 3 only in group 1, and the
    # groups' totals are published. Locality 0 (3) is small; hiding locality 2 (the smallest
    # other) is not enough, since group 0's total less locality 1's gives locality 0, and
    # group 1's less locality 3's gives locality 2. Hiding the zeros each locality is known to
    # have in the other group protects nothing: every locality's total must go.
    counts = np.array([[3.0, 0.0], [10.0, 0.0], [0.0, 8.0], [0.0, 30.0]])
    present = counts > 0
    mask = suppressed_cells(
        counts,
        row_totals="shown",
        column_totals="known",
        overall_total="known",
        unpublished=present,
        known=~present,
    )
    assert mask[:4, -1].all()
    assert not mask[:4, :2][~present].any()


def test_published_expected_counts_do_not_reveal_suppressed_deciles(store):
    # Two sets of records that differ only in how 4 counted children split between deciles 7
    # and 8, both suppressed in the published gradient: the published expected counts, ratios
    # and limits must be the same, or a reader could solve for the hidden deciles' rates.
    lsoas = _lsoas(store, BLACKPOOL)
    decile = lsoas["imd_decile"].to_numpy()
    views = []
    for in_7, in_8 in ((3, 1), (1, 3)):
        counts = np.where(decile <= 6, 2, 0)
        counts[np.flatnonzero(decile == 7)[0]] = in_7
        counts[np.flatnonzero(decile == 8)[0]] = in_8
        analysis = _analysis(store, BLACKPOOL, counts)
        context = view_context(analysis, View.PUBLICATION)
        tables = {t.key: t for t in analysis_tables(analysis, context)}
        assert list(tables["gradient"].frame["count"].iloc[6:8]) == [SUPPRESSED, SUPPRESSED]
        result = localities(analysis, scheme_for("ward", store, BLACKPOOL, 2025))
        views.append((result, localities_view(result, View.PUBLICATION, tables=tables)))
    (internal_a, shown_a), (internal_b, shown_b) = views
    assert not np.allclose(internal_a.table["expected"], internal_b.table["expected"])
    assert np.allclose(shown_a.table["expected"], shown_b.table["expected"])
    assert shown_a.table["limit_95_upper"].tolist() == shown_b.table["limit_95_upper"].tolist()
    assert shown_a.sentences["pooled"].startswith("Publication view")


def test_locality_polygons_are_the_union_of_their_neighbourhoods(store):
    wards = locality_geojson(2025, BLACKPOOL, "ward", None)
    assert locality_geojson(2025, BLACKPOOL, "ward", None) is wards  # kept for the process
    scheme = scheme_for("ward", store, BLACKPOOL, 2025)
    assert sorted(f["id"] for f in wards["features"]) == sorted(
        scheme.assignment["locality"].unique()
    )
    lsoas = store.boundaries(2025, BLACKPOOL)
    total = sum(shapely.from_geojson(json.dumps(f["geometry"])).area for f in wards["features"])
    assert total == pytest.approx(shapely.union_all(lsoas.geometry.to_numpy()).area, rel=1e-9)
    own = scheme.assignment.assign(locality="All of it")
    uploaded = locality_geojson(2025, BLACKPOOL, "file", own)
    assert uploaded is not locality_geojson(2025, BLACKPOOL, "file", own)  # not kept
    assert [f["id"] for f in uploaded["features"]] == ["All of it"]
