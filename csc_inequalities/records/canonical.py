"""The canonical spells and events tables the readers produce, and the ethnicity groupings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

# Where the child lived and who they are: the columns spells and events share.
CHILD_TYPES = {
    "lsoa11_code": "str",
    "lsoa21_code": "str",
    "ethnicity_code": "str",
    "ethnic_group": "str",
    "sex": "str",
    "date_of_birth": "datetime64[ns]",
}
SPELL_TYPES = {
    "child_id": "str",
    "intervention": "str",
    "start_date": "datetime64[ns]",
    "end_date": "datetime64[ns]",
    **CHILD_TYPES,
    "legal_status": "str",
    "reason_new_episode": "str",
    "cin_nfa": "bool",
    "source_file": "str",
    "source_row": "int64",
}
SPELL_COLUMNS: tuple[str, ...] = tuple(SPELL_TYPES)

# One row per decision in a CIN episode (the CIN census only), placed like spells: stage is
# "referral", "assessment" (completed: its authorisation date), "s47" (enquiry started),
# "icpc" (initial child protection conference) or "plan" (child protection plan started).
EVENT_COLUMNS: tuple[str, ...] = (
    "child_id",
    "stage",
    "date",
    "referral_source",
    "referral_nfa",
    "primary_need",
    "assessment_factors",
    "icpc_not_required",
    "abuse_category",
    "lsoa11_code",
    "lsoa21_code",
    "ethnicity_code",
    "ethnic_group",
    "sex",
    "date_of_birth",
    "source_file",
    "source_row",
)
EVENT_TYPES = {
    "child_id": "str",
    "stage": "str",
    "date": "datetime64[ns]",
    "referral_source": "str",
    "referral_nfa": "bool",
    "primary_need": "str",
    "assessment_factors": "str",
    "icpc_not_required": "bool",
    "abuse_category": "str",
    **CHILD_TYPES,
    "source_file": "str",
    "source_row": "int64",
}

ISSUE_COLUMNS: tuple[str, ...] = ("file", "row", "child_id", "severity", "reason", "detail")

COUNT_COLUMNS: tuple[str, ...] = (
    "lsoa_code",
    "geography",
    "intervention",
    "ethnic_group",
    "count",
)

SUMMARY_COLUMNS: tuple[str, ...] = (
    "file",
    "kind",
    "records_read",
    "spells_used",
    "dropped",
    "warnings",
    "outside_authority",
)

INTERVENTIONS: tuple[str, ...] = ("CIN", "CPP", "CLA")

NOT_KNOWN = "Not known"
ETHNIC_GROUPS: tuple[str, ...] = ("White", "Mixed", "Asian", "Black", "Other", NOT_KNOWN)

ETHNIC_GROUP_NAMES: dict[str, str] = {
    "White": "White",
    "Mixed": "Mixed or Multiple ethnic groups",
    "Asian": "Asian or Asian British",
    "Black": "Black, African, Caribbean or Black British",
    "Other": "Other ethnic group",
    NOT_KNOWN: "Refused or not obtained",
}

ETHNICITY_CODE_GROUP: dict[str, str] = {
    "WBRI": "White",
    "WIRI": "White",
    "WIRT": "White",
    "WOTH": "White",
    "WROM": "White",
    "MWBC": "Mixed",
    "MWBA": "Mixed",
    "MWAS": "Mixed",
    "MOTH": "Mixed",
    "AIND": "Asian",
    "APKN": "Asian",
    "ABAN": "Asian",
    "AOTH": "Asian",
    "BCRB": "Black",
    "BAFR": "Black",
    "BOTH": "Black",
    "CHNE": "Other",
    "OOTH": "Other",
    "REFU": NOT_KNOWN,
    "NOBT": NOT_KNOWN,
}


# Spells columns holding a few repeated codes: as categories they take about a third of the
# memory (a shared authority's demo stays in memory while any session shows it).
CATEGORY_COLUMNS: tuple[str, ...] = (
    "intervention",
    "lsoa11_code",
    "lsoa21_code",
    "ethnicity_code",
    "ethnic_group",
    "sex",
    "legal_status",
    "reason_new_episode",
    "source_file",
)


def _with_categories(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The table with the given columns as categories (ethnic groups keep every group)."""
    compact = table.copy()
    for column in columns:
        categories = ETHNIC_GROUPS if column == "ethnic_group" else None
        compact[column] = pd.Categorical(table[column], categories=categories)
    return compact


def compact_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """The spells with repeated codes stored as categories: same values, a third of the memory.

    Ethnic groups keep every group as a category, so relabelling (CHNE counted as Asian,
    missing as Not known) stays within the categories.
    """
    return _with_categories(spells, CATEGORY_COLUMNS)


# Events columns holding repeated codes (the events of a county's demo are 157,000 rows: 30 MB
# as text, a fraction of that as categories).
EVENT_CATEGORY_COLUMNS: tuple[str, ...] = (
    "stage",
    "referral_source",
    "primary_need",
    "assessment_factors",
    "abuse_category",
    "lsoa11_code",
    "lsoa21_code",
    "ethnicity_code",
    "ethnic_group",
    "sex",
    "source_file",
)


def compact_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events with repeated codes stored as categories, as compact_spells does for spells."""
    return _with_categories(events, EVENT_CATEGORY_COLUMNS)


def _no_rows(types: dict[str, str]) -> pd.DataFrame:
    """A table with these column types and no rows."""
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in types.items()})


# Built once: making a table of typed empty columns takes 2-3 ms, copying one 0.1 ms, and a
# load or a stored demo's read asks for several (a third of reading a demo went on them).
_EMPTY_SPELLS = _no_rows(SPELL_TYPES)
_EMPTY_EVENTS = _no_rows(EVENT_TYPES)


def empty_spells() -> pd.DataFrame:
    """A spells table with no rows and the canonical column types, for a load with no records."""
    return _EMPTY_SPELLS.copy()


def empty_events() -> pd.DataFrame:
    """An events table with no rows, for loads without a CIN census."""
    return _EMPTY_EVENTS.copy()


_EMPTY_ISSUES = _no_rows({name: "int64" if name == "row" else "str" for name in ISSUE_COLUMNS})
_EMPTY_COUNTS = _no_rows(
    {
        "lsoa_code": "str",
        "geography": "int64",
        "intervention": "str",
        "ethnic_group": "str",
        "count": "int64",
    }
)
_EMPTY_SUMMARY = _no_rows(
    {name: "str" if name in ("file", "kind") else "int64" for name in SUMMARY_COLUMNS}
)


def empty_issues() -> pd.DataFrame:
    """An issues table with no rows, so every load result has the same columns."""
    return _EMPTY_ISSUES.copy()


def empty_counts() -> pd.DataFrame:
    """A counts table with no rows, for loads of child-level records."""
    return _EMPTY_COUNTS.copy()


def empty_summary() -> pd.DataFrame:
    """A per-file summary with no rows."""
    return _EMPTY_SUMMARY.copy()


@dataclass(frozen=True)
class LoadResult:
    """Everything one upload produced: usable spells or counts, and why any record was not used."""

    spells: pd.DataFrame = field(default_factory=empty_spells)
    issues: pd.DataFrame = field(default_factory=empty_issues)
    counts: pd.DataFrame = field(default_factory=empty_counts)
    summary: pd.DataFrame = field(default_factory=empty_summary)
    notes: tuple[str, ...] = ()
    # Warnings that must be shown beside the results, not only on the upload panel
    # (e.g. a join of two files that matched fewer than half of the children).
    alerts: tuple[str, ...] = ()
    # The decisions inside CIN episodes (CIN census only), for the decision cascade.
    events: pd.DataFrame = field(default_factory=empty_events)
    # A stored demo leaves its events in the store until the cascade first asks for them, so a
    # session that never opens the cascade does not hold them (they outweigh the spells).
    events_reader: Callable[[], pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )

    def decision_events(self) -> pd.DataFrame:
        """The decisions inside CIN episodes, read from the store if they were left there."""
        return self.events_reader() if self.events_reader is not None else self.events

    @property
    def is_aggregate(self) -> bool:
        """True when the upload held counts per LSOA rather than child-level records."""
        return self.spells.empty and not self.counts.empty

    def reason_counts(self) -> pd.DataFrame:
        """Issues counted by severity and reason, the table a manager reads first."""
        if self.issues.empty:
            return pd.DataFrame(
                {
                    "severity": pd.Series(dtype="str"),
                    "reason": pd.Series(dtype="str"),
                    "records": pd.Series(dtype="int64"),
                }
            )
        return (
            self.issues.groupby(["severity", "reason"], sort=True)
            .size()
            .rename("records")
            .reset_index()
            .sort_values(["severity", "records"], ascending=[True, False], ignore_index=True)
        )

    def totals(self) -> pd.DataFrame:
        """Totals over all files: what was used, dropped, doubtful and outside the authority."""
        return pd.DataFrame(
            {
                "measure": [
                    "Spells (or count rows) used",
                    "Records dropped",
                    "Warnings",
                    "Outside the authority",
                ],
                "records": [
                    int(self.summary[column].sum())
                    for column in ("spells_used", "dropped", "warnings", "outside_authority")
                ],
            }
        )
