"""Standardisation of an authority against England's (estimated) or a given decile gradient."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from csc_inequalities.context.official_rates import official_rates
from csc_inequalities.context.standardise import (
    england_children_by_decile,
    england_reference,
    standardise,
    summary_rows,
    uploaded_reference,
)
from csc_inequalities.publication.disclosure import SUPPRESSED, View
from csc_inequalities.publication.standardisation import standardisation_view
from csc_inequalities.publication.tables import analysis_tables
from csc_inequalities.publication.view_context import view_context
from csc_inequalities.records.intake import NOTHING_USED, IntakeAlert
from csc_inequalities.results.analysis import run_analysis
from csc_inequalities.results.measures import Measure
from tests.helpers.area_records import counts_records, spell_records
from tests.helpers.synthetic_store import synthetic_spells

KENT = "E10000016"
CPP_2024 = Measure("CPP", "at_date", pd.Timestamp("2024-03-31").date())


@pytest.fixture(scope="module")
def kent(store):
    lsoas = store.lsoas(2025).query("la_code == @KENT")
    records = spell_records(synthetic_spells(lsoas, 9_000, seed=5))
    return run_analysis(records, store, KENT, 2025, CPP_2024)


def test_a_given_gradient_gives_the_expected_count_by_hand(store, kent):
    rates = pd.DataFrame({"decile": range(1, 11), "rate_per_10000": np.linspace(100, 10, 10)})
    result = standardise(kent, store, uploaded_reference(rates, "ref.csv"))
    lsoas = store.lsoas(2025).query("la_code == @KENT")
    by_decile = lsoas.groupby("imd_decile")["children_0_17"].sum()
    expected = float((by_decile * rates.set_index("decile")["rate_per_10000"]).sum() / 10_000)
    assert result.ratio.expected == pytest.approx(expected)
    assert result.ratio.observed == kent.overall.count
    assert result.ratio.ratio == pytest.approx(kent.overall.count / expected)
    parts = result.decomposition
    assert parts.rate_a == pytest.approx(kent.overall.rate_per_10000)
    assert parts.composition + parts.rate_effect == pytest.approx(parts.difference)
    assert "given in ref.csv" in result.sentences["reference"]


def test_england_estimate_keeps_cwip_shape_and_dfe_rate(store):
    reference = england_reference(store, CPP_2024, 2025)
    shares = england_children_by_decile(store, 2025) / england_children_by_decile(store, 2025).sum()
    rates = reference.rates["rate_per_10000"].to_numpy()
    dfe = official_rates(store, "cpp").query("area_code == 'E92000001' and year == 2024").iloc[0]
    assert float(np.sum(shares * rates)) == pytest.approx(dfe["count"] / dfe["population"] * 1e4)
    cwip = store.cwip.query("country == 'England'").sort_values("decile")
    assert rates / rates[-1] == pytest.approx(
        (cwip["cpp_rate_per_10000"] / cwip["cpp_rate_per_10000"].iloc[-1]).to_numpy()
    )
    assert reference.estimate and "estimate" in reference.note and "2023/24" in reference.sentence


def test_children_in_need_need_a_given_gradient(store, kent):
    measure = Measure("CIN", "at_date", CPP_2024.reference_date)
    assert "upload a reference gradient" in england_reference(store, measure, 2025)
    starts = Measure.starts_in_year("CPP", 2024)
    assert "no England figure for child protection plans starting" in england_reference(
        store, starts, 2025
    )


def test_the_sentences_say_more_or_fewer_than_deprivation_predicts(store, kent):
    result = standardise(kent, store)
    ratio = result.ratio
    text = result.sentences["ratio"]
    assert f"{ratio.observed:,.0f} were counted" in text
    if ratio.lower_95 > 1:
        assert "More than its deprivation predicts" in text
    elif ratio.upper_95 < 1:
        assert "Fewer than its deprivation predicts" in text
    else:
        assert "within what chance would give" in text
    assert "Its mix of more and less deprived neighbourhoods" in result.sentences["decomposition"]
    keys = summary_rows(result)["key"].tolist()
    assert keys[:3] == ["observed", "expected", "ratio"] and keys[-1] == "attributable"


def test_an_age_or_sex_filter_is_not_compared_with_england_all_ages_rates(store):
    lsoas = store.lsoas(2025).query("la_code == @KENT")
    records = spell_records(synthetic_spells(lsoas, 9_000, seed=5))
    girls = run_analysis(records, store, KENT, 2025, CPP_2024, sex="F")
    result = standardise(girls, store)
    assert result.ratio is None and result.decomposition is None
    assert "not for girls aged 0-17" in result.sentences["ratio"]
    rates = pd.DataFrame({"decile": range(1, 11), "rate_per_10000": np.linspace(50, 5, 10)})
    given = standardise(girls, store, uploaded_reference(rates, "girls.csv"))
    assert given.ratio is not None and given.ratio.observed == girls.overall.count


def test_refused_records_give_the_reason_not_a_ratio(store, kent):
    refused = replace(kent, intake=IntakeAlert(NOTHING_USED, 0, 12, (("unknown LSOA code", 12),)))
    assert list(standardise(refused, store).sentences) == ["ratio"]
    assert "None of the uploaded records" in standardise(refused, store).sentences["ratio"]


def test_publication_view_withholds_the_split_when_a_decile_is_suppressed(store):
    lsoas = store.lsoas(2025).query("la_code == @KENT").sort_values("imd_decile")
    counts = np.where(lsoas["imd_decile"] == 10, 0, 2)
    counts[np.flatnonzero(lsoas["imd_decile"].to_numpy() == 10)[0]] = 3  # decile 10: 3 in all
    analysis = run_analysis(counts_records(lsoas["lsoa_code"], counts), store, KENT, 2025, CPP_2024)
    result = standardise(analysis, store)
    context = view_context(analysis, View.PUBLICATION)
    tables = {t.key: t for t in analysis_tables(analysis, context)}
    shown = standardisation_view(result, View.PUBLICATION, tables)
    hidden = shown.deciles["count"] == SUPPRESSED
    assert hidden.iloc[9] and hidden.sum() >= 2
    assert hidden.tolist() == (tables["gradient"].frame["count"] == SUPPRESSED).tolist()
    assert "composition" not in shown.summary["key"].tolist()
    assert "decomposition" not in shown.sentences and shown.withheld
    assert "ratio" in shown.summary["key"].tolist() and "ratio" in shown.sentences
    internal = standardisation_view(result, View.INTERNAL, tables)
    assert not internal.withheld and "decomposition" in internal.sentences


def test_local_deciles_protect_the_national_decile_table_on_its_own(store):
    lsoas = store.lsoas(2025).query("la_code == @KENT").sort_values("imd_decile")
    counts = np.where(lsoas["imd_decile"] == 10, 0, 2)
    counts[np.flatnonzero(lsoas["imd_decile"].to_numpy() == 10)[0]] = 3
    records = counts_records(lsoas["lsoa_code"], counts)
    analysis = run_analysis(records, store, KENT, 2025, CPP_2024, deciles="local")
    result = standardise(analysis, store)
    assert not result.same_groups_as_gradient
    tables = {t.key: t for t in analysis_tables(analysis, view_context(analysis, View.PUBLICATION))}
    shown = standardisation_view(result, View.PUBLICATION, tables)
    hidden = shown.deciles["count"] == SUPPRESSED
    assert hidden.iloc[9] and hidden.sum() == 2  # decile 10 and the smallest other
