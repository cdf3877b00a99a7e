"""Which DfE table and column hold each official measure, and whether DfE publishes its rate."""

from __future__ import annotations

from dataclasses import dataclass

POPULATION_TABLE = "mye_children_la"
ENGLAND_CODE = "E92000001"


@dataclass(frozen=True)
class OfficialMeasure:
    """One DfE series: where its count lives and how its rate per 10,000 children is obtained."""

    key: str
    label: str
    sentence_label: str
    intervention: str
    count_kind: str
    table: str
    count_column: str
    population_type: str | None = None
    # DfE counts a child starting care twice in a year once ("only the first occasion").
    counts_each_child_once: bool = False

    @property
    def has_published_rate(self) -> bool:
        """DfE publishes rates in the CLA table only; other rates are computed here."""
        return self.population_type is not None

    @property
    def rate_source(self) -> str:
        """A sentence saying where the rates come from, for notes under tables and charts."""
        if self.has_published_rate:
            return (
                "Rates per 10,000 children aged 0-17 as published by DfE (whole numbers), "
                "from 'Children looked after in England including adoptions'."
            )
        return (
            "Rates per 10,000 children aged 0-17 computed here: DfE's published count divided "
            "by the ONS mid-year estimate of children aged 0-17 for the previous June (the "
            "population file DfE issued with its Children in need statistics), times 10,000."
        )


OFFICIAL_MEASURES: dict[str, OfficialMeasure] = {
    m.key: m
    for m in (
        OfficialMeasure(
            "cin",
            "Children in need at 31 March",
            "CIN rate",
            "CIN",
            "at_date",
            "dfe_b1",
            "At31_episodes",
        ),
        OfficialMeasure(
            "cin_starts",
            "Episodes of need starting in the year",
            "rate of CIN starts",
            "CIN",
            "starts",
            "dfe_b1",
            "Started_episodes",
        ),
        OfficialMeasure(
            "cpp",
            "Child protection plans at 31 March",
            "CPP rate",
            "CPP",
            "at_date",
            "dfe_d5",
            "CPP_At31",
        ),
        OfficialMeasure(
            "cla",
            "Children looked after at 31 March",
            "CLA rate",
            "CLA",
            "at_date",
            "dfe_cla",
            "children_count",
            "Children looked after on 31 March each year",
        ),
        OfficialMeasure(
            "cla_starts",
            "Children starting to be looked after in the year",
            "rate of children starting to be looked after",
            "CLA",
            "starts",
            "dfe_cla",
            "children_count",
            "Children starting to be looked after each year",
            counts_each_child_once=True,
        ),
    )
}


def official_measure(key: str) -> OfficialMeasure:
    """Look a measure up by key, with a message listing the known keys when it is unknown."""
    try:
        return OFFICIAL_MEASURES[key.lower()]
    except KeyError:
        known = ", ".join(OFFICIAL_MEASURES)
        raise ValueError(f"Unknown measure '{key}'; choose one of {known}.") from None


def official_measure_for(intervention: str, count_kind: str) -> OfficialMeasure | None:
    """The DfE series matching the app's intervention and count choice (None if DfE has none)."""
    for measure in OFFICIAL_MEASURES.values():
        if measure.intervention == intervention.upper() and measure.count_kind == count_kind:
            return measure
    return None


def official_measure_shown(
    intervention: str, count_kind: str, filtered: bool = False
) -> tuple[OfficialMeasure, str]:
    """The DfE series to show for the app's choice, and a sentence saying which it is.

    Where DfE publishes no count of the chosen kind by authority, its figures at 31 March for
    the same intervention are shown instead, and the sentence says so; ``filtered`` (an age
    band or sex chosen) adds that DfE's figures count every child aged 0-17.
    """
    chosen = official_measure_for(intervention, count_kind)
    measure = chosen or official_measure_for(intervention, "at_date")
    if measure is None:
        raise ValueError(f"DfE publishes no figures by authority for {intervention}")
    text = f"Showing DfE's published figures for {measure.label[:1].lower()}{measure.label[1:]}."
    if chosen is None:
        text += (
            " DfE's releases held here give no count of this kind by authority, so the "
            "figures at 31 March are shown instead."
        )
    if filtered:
        text += (
            " DfE publishes these figures for every child aged 0-17: the age and sex chosen "
            "in the sidebar do not apply on this page."
        )
    return measure, text
