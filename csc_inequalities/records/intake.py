"""Whether an upload's results can be read as findings: how much was dropped, and why.

A result built on dropped records must say so where it is shown. "0 children" is never a
finding when records were refused: the screen, the report and the command line all take
their warning from `intake_alert`, so they say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from csc_inequalities.records.canonical import LoadResult

# Results are shown with the reasons above them once more than one record in ten was dropped.
DROPPED_SHARE_SHOWN = 0.10
# A join of two files (episodes to header, records to addresses) matching fewer than this
# share of the children is a warning shown beside the results.
JOIN_MATCH_MINIMUM = 0.5
REASONS_SHOWN = 4

NOTHING_USED = "error"
MANY_DROPPED = "warning"


@dataclass(frozen=True)
class IntakeAlert:
    """What a reader of the results must know first about the records behind them."""

    level: str
    headline: str
    reasons: tuple[str, ...]
    used: int
    dropped: int

    def text(self) -> str:
        """The headline and its reasons as one paragraph, for the command line and reports."""
        reasons = "; ".join(self.reasons)
        return f"{self.headline} {reasons}." if reasons else self.headline


def dropped_by_reason(result: LoadResult) -> list[tuple[str, int]]:
    """Dropped records counted by reason, largest first."""
    dropped = result.issues[result.issues["severity"] == "dropped"]
    counts = dropped["reason"].value_counts()
    return [(str(reason), int(count)) for reason, count in counts.items()]


def intake_alert(result: LoadResult) -> IntakeAlert | None:
    """The warning to show above results, or None when the records can be read as they stand."""
    used = int(result.summary["spells_used"].sum()) if not result.summary.empty else 0
    reasons = dropped_by_reason(result)
    dropped = sum(count for _, count in reasons)
    listed = tuple(f"{count:,} {reason}" for reason, count in reasons[:REASONS_SHOWN])
    if len(reasons) > REASONS_SHOWN:
        others = sum(count for _, count in reasons[REASONS_SHOWN:])
        listed += (f"{others:,} for other reasons",)
    if used == 0:
        headline = (
            f"None of the uploaded records could be used ({dropped:,} dropped), so the figures "
            "show no children because of the files, not because none were found. Reasons:"
            if dropped
            else "The uploaded files hold no records that could be counted."
        )
        return IntakeAlert(NOTHING_USED, headline, listed, used, dropped)
    share = dropped / (dropped + used)
    if share > DROPPED_SHARE_SHOWN or result.alerts:
        parts = []
        if share > DROPPED_SHARE_SHOWN:
            parts.append(
                f"{dropped:,} of {dropped + used:,} records ({share:.0%}) were dropped, so these "
                "figures undercount. Reasons:"
            )
        headline = " ".join([*result.alerts, *parts]) if parts else " ".join(result.alerts)
        return IntakeAlert(MANY_DROPPED, headline, listed if parts else (), used, dropped)
    return None


def join_alert(what: str, matched: int, total: int) -> str | None:
    """A warning when a join of two files matched fewer than half of the children."""
    if total == 0 or matched / total >= JOIN_MATCH_MINIMUM:
        return None
    return (
        f"Only {matched:,} of {total:,} children ({matched / total:.0%}) in {what}: check that "
        "the files come from the same system and use the same child identifiers."
    )
