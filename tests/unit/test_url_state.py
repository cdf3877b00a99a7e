"""Shared links: settings survive a round trip and hand-edited values fall back safely."""

from __future__ import annotations

from csc_inequalities.serving.url_state import DEFAULTS, query_from_settings, settings_from_query

LAS = ["E06000009", "E10000016"]


def test_round_trip_keeps_every_setting() -> None:
    chosen = {
        "la": "E10000016",
        "imd": "2019",
        "domain": "idaci",
        "deciles": "local",
        "intervention": "CLA",
        "count": "starts",
        "year": "2024",
        "view": "publication",
        "age": "1_4",
        "sex": "F",
    }
    query = query_from_settings(chosen)
    assert query.startswith("?la=E10000016&imd=2019")
    parsed = dict(pair.split("=") for pair in query[1:].split("&"))
    assert settings_from_query(parsed, LAS) == chosen


def test_unknown_or_malformed_values_fall_back_to_defaults() -> None:
    query = {"la": "E99999999", "imd": "2018", "year": "20x4", "view": "secret", "child": "123",
             "age": "0_3", "sex": "X"}  # fmt: skip
    assert settings_from_query(query, LAS) == DEFAULTS


def test_empty_year_is_left_out_of_the_link() -> None:
    assert "year" not in query_from_settings({**DEFAULTS, "year": ""})


def test_age_and_sex_enter_the_link_only_when_chosen() -> None:
    unfiltered = query_from_settings({**DEFAULTS, "year": "2025"})
    assert "age=" not in unfiltered and "sex=" not in unfiltered
    assert query_from_settings({**DEFAULTS, "age": "16_17", "sex": "M"}).endswith(
        "&age=16_17&sex=M"
    )
