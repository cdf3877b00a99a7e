"""Records for the standardisation and locality tests: counts per LSOA or spells, as read."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.records.canonical import LoadResult


def _summary(kind: str, used: int) -> pd.DataFrame:
    """A one-file summary saying how many records were used (none dropped)."""
    return pd.DataFrame(
        {
            "file": ["test.csv"],
            "kind": [kind],
            "records_read": [used],
            "spells_used": [used],
            "dropped": [0],
            "warnings": [0],
            "outside_authority": [0],
        }
    )


def counts_records(codes, counts, intervention: str = "CPP") -> LoadResult:
    """An upload of counts per 2021 LSOA for one intervention."""
    frame = pd.DataFrame(
        {
            "lsoa_code": list(codes),
            "geography": 2021,
            "intervention": intervention,
            "ethnic_group": "Not known",
            "count": list(counts),
        }
    )
    return LoadResult(counts=frame, summary=_summary("Counts per LSOA", len(frame)))


def spell_records(spells: pd.DataFrame) -> LoadResult:
    """Spells as an upload that used every one of them."""
    return LoadResult(spells=spells, summary=_summary("Case-system extract", len(spells)))
