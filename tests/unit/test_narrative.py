"""Plain-language sentences, including honest wording when a ratio is undefined."""

from __future__ import annotations

from datetime import date

import pandas as pd

from csc_inequalities.results.gradient import overall_rate, with_rates
from csc_inequalities.results.measures import Measure
from csc_inequalities.results.narrative import (
    excess_sentence,
    overall_sentence,
    ratio_sentence,
    relative_sentence,
    slope_sentence,
)
from csc_inequalities.stats.inequality import excess_above_least_deprived, rate_ratio, slope_index

CPP = Measure("CPP", "at_date", date(2024, 3, 31))


def quintiles(counts, children):
    table = pd.DataFrame({"group": range(1, 6), "count": counts, "children": children})
    return with_rates(table)


def test_the_headline_sentence_reads_as_in_the_brief():
    table = quintiles([58.0, 40.0, 30.0, 20.0, 10.0], [10_000.0] * 5)
    ratio = rate_ratio(58, 10_000, 10, 10_000)
    sentence = ratio_sentence(table, ratio, CPP, "Blackpool", "local")
    assert sentence.startswith(
        "Children in the most deprived fifth of Blackpool's neighbourhoods were 5.8 times as "
        "likely to be on a child protection plan as those in the least deprived fifth"
    )
    assert "95% interval 3.0 to 11.3" in sentence
    national = ratio_sentence(table, ratio, CPP, "Blackpool", "national")
    assert "England's least deprived fifth" in national


def test_undefined_ratios_are_explained_not_computed():
    no_least = quintiles([5.0, 4.0, 3.0, 2.0, 0.0], [1000.0] * 5)
    sentence = ratio_sentence(no_least, rate_ratio(5, 1000, 0, 1000), CPP, "Rutland", "local")
    assert "ratio is undefined" in sentence and "times" not in sentence
    empty = quintiles([5.0, 4.0, 3.0, 2.0, 0.0], [1000.0, 1000.0, 1000.0, 1000.0, 0.0])
    sentence = ratio_sentence(empty, rate_ratio(5, 1000, 0, 0), CPP, "Knowsley", "national")
    assert sentence.startswith("Knowsley has no neighbourhoods in England's least deprived fifth")
    nothing = quintiles([0.0] * 5, [1000.0] * 5)
    assert "either" in ratio_sentence(nothing, rate_ratio(0, 1000, 0, 1000), CPP, "X", "local")


def test_wide_intervals_say_they_include_no_difference():
    table = quintiles([3.0, 2.0, 2.0, 2.0, 2.0], [1000.0] * 5)
    sentence = ratio_sentence(table, rate_ratio(3, 1000, 2, 1000), CPP, "X", "local")
    assert "includes no difference" in sentence


def test_sii_and_rii_sentences_state_direction():
    table = quintiles([50.0, 40.0, 30.0, 20.0, 10.0], [10_000.0] * 5)
    slope = slope_index(
        table["children"], table["rate_per_10000"], table["lower_95ci"], table["upper_95ci"]
    )
    assert "higher at the most deprived end" in slope_sentence(slope, "quintile")
    relative = relative_sentence(slope)
    assert relative.startswith("The fitted rate at the most deprived end is 11.0 times")
    missing = slope_index([1, 1], [1, 1], [0, 0], [2, 2])
    assert "No slope index of inequality is given: it needs at least 5" in slope_sentence(
        missing, "decile"
    )


def test_overall_and_excess_sentences():
    table = quintiles([40.0, 30.0, 15.0, 10.0, 5.0], [1000.0] * 5)
    assert overall_sentence(overall_rate(table), CPP, "Testshire") == (
        "Testshire had 100 children on a child protection plan at 31 March 2024, a rate of "
        "200.0 per 10,000 children aged 0-17 (95% interval 162.7 to 243.3)."
    )
    sentence = excess_sentence(excess_above_least_deprived(table), CPP, "Testshire")
    assert "about 25 children on a child protection plan rather than 100: 75 above" in sentence


def test_trend_ethnicity_and_cwip_sentences():
    import numpy as np

    from csc_inequalities.results.narrative import (
        cwip_sentence,
        ethnicity_deprivation_sentence,
        trend_sentence,
    )

    sii = pd.DataFrame(
        {"year": [2022, 2024], "sii": [-50.0, -120.0], "sii_lower": [-60.0, -130.0],
         "sii_upper": [-40.0, -110.0]}
    )  # fmt: skip
    assert trend_sentence(sii) == (
        "The gap between the most and least deprived ends was 50.0 per 10,000 at 31 March 2022 "
        "and 120.0 at 31 March 2024: wider, beyond the play of chance in the intervals."
    )
    assert "no trend" in trend_sentence(sii.iloc[:1])
    groups = ["White", "Mixed", "Asian", "Black", "Other"]
    table = pd.DataFrame(
        {
            "quintile": np.repeat([1, 5], 5),
            "ethnic_group": groups * 2,
            "count": [9.0, 4.0, 0.0, 1.0, 2.0, 3.0, 6.0, 2.0, 1.0, 1.0],
            "rate_per_10000": [90.0, 40.0, 0.0, 10.0, 20.0, 30.0, 60.0, 20.0, 10.0, 10.0],
        }
    )
    assert ethnicity_deprivation_sentence(table, CPP) == (
        "Rates were higher in England's most deprived fifth than in its least deprived fifth "
        "for White and Other ethnic group children; not higher for Mixed or Multiple and "
        "Black, African, Caribbean or Black British children; too few children on a child "
        "protection plan to compare the ends for Asian or Asian British children "
        "(denominators estimated; see methods)."
    )
    cwip = pd.DataFrame({"decile": [1, 10], "rate_per_10000": [113.0, 9.0]})
    assert "12.6 times as high" in cwip_sentence(cwip, CPP)
    assert cwip_sentence(None, CPP).startswith("No England gradient")


def test_the_ethnicity_sentence_reads_when_no_group_has_both_ends():
    from csc_inequalities.results.ethnicity import MAJOR_GROUPS
    from csc_inequalities.results.narrative import ethnicity_deprivation_sentence

    table = pd.DataFrame(
        [
            {"quintile": q, "ethnic_group": g, "count": 0.0, "rate_per_10000": 0.0}
            for q in range(1, 6)
            for g in MAJOR_GROUPS
        ]
    )
    assert ethnicity_deprivation_sentence(table, CPP) == (
        "There were too few children on a child protection plan in England's most and least "
        "deprived fifths to compare them for any ethnic group (denominators estimated; see "
        "methods)."
    )
