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
    used: int
    dropped: int
    reasons: tuple[tuple[str, int], ...]
    joins: tuple[str, ...] = ()

    @property
    def share_dropped(self) -> float:
        """Dropped records as a share of all records read."""
        total = self.used + self.dropped
        return self.dropped / total if total else 0.0

    def headline(self, with_counts: bool = True) -> str:
        """The first sentence: nothing could be used, or how much of the upload was dropped."""
        if self.level == NOTHING_USED:
            if not self.dropped:
                return "The uploaded files hold no records that could be counted."
            dropped = f" ({self.dropped:,} dropped)" if with_counts else ""
            return (
                f"None of the uploaded records could be used{dropped}, so the figures show no "
                "children because of the files, not because none were found."
            )
        if self.share_dropped <= DROPPED_SHARE_SHOWN:
            return ""
        if with_counts:
            return (
                f"{self.dropped:,} of {self.used + self.dropped:,} records "
                f"({self.share_dropped:.0%}) were dropped, so these figures undercount."
            )
        return (
            f"More than one record in ten ({self.share_dropped:.0%}) could not be used, so these "
            "figures undercount."
        )

    def reason_list(self, with_counts: bool = True) -> list[str]:
        """The main reasons records were dropped, largest first."""
        shown = [
            f"{count:,} {reason}" if with_counts else reason
            for reason, count in self.reasons[:REASONS_SHOWN]
        ]
        others = sum(count for _, count in self.reasons[REASONS_SHOWN:])
        if others:
            shown.append(f"{others:,} for other reasons" if with_counts else "other reasons")
        return shown

    def text(self, with_counts: bool = True) -> str:
        """The whole warning as one paragraph (counts left out for published reports)."""
        parts = [*self.joins]
        headline = self.headline(with_counts)
        if headline:
            reasons = self.reason_list(with_counts)
            parts.append(f"{headline} Reasons: {'; '.join(reasons)}." if reasons else headline)
        return " ".join(parts)


def dropped_by_reason(result: LoadResult) -> tuple[tuple[str, int], ...]:
    """Dropped records counted by reason, largest first."""
    dropped = result.issues[result.issues["severity"] == "dropped"]
    counts = dropped["reason"].value_counts()
    return tuple((str(reason), int(count)) for reason, count in counts.items())


def intake_alert(result: LoadResult) -> IntakeAlert | None:
    """The warning to show above results, or None when the records can be read as they stand."""
    used = int(result.summary["spells_used"].sum()) if not result.summary.empty else 0
    reasons = dropped_by_reason(result)
    dropped = sum(count for _, count in reasons)
    if used == 0:
        return IntakeAlert(NOTHING_USED, used, dropped, reasons, result.alerts)
    alert = IntakeAlert(MANY_DROPPED, used, dropped, reasons, result.alerts)
    return alert if alert.joins or alert.share_dropped > DROPPED_SHARE_SHOWN else None


def join_alert(what: str, matched: int, total: int) -> str | None:
    """A warning when a join of two files matched fewer than half of the children."""
    if total == 0 or matched / total >= JOIN_MATCH_MINIMUM:
        return None
    return (
        f"Only {matched:,} of {total:,} children ({matched / total:.0%}) in {what}: check that "
        "the files come from the same system and use the same child identifiers."
    )
