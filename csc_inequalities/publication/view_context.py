"""The facts every view and export of an analysis states: authority, measure, view, rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from csc_inequalities import __version__
from csc_inequalities.publication.disclosure import DEFAULT_RULE, DisclosureRule, View

if TYPE_CHECKING:
    from csc_inequalities.results.analysis import Analysis
    from csc_inequalities.results.measures import Measure


@dataclass(frozen=True)
class ViewContext:
    """The facts printed on every export of one analysis."""

    la_code: str
    la_name: str
    measure_label: str
    measure_slug: str
    reference_date: str
    imd_label: str
    deprivation_note: str
    denominator_note: str
    view: View
    rule: DisclosureRule = DEFAULT_RULE
    generated: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    version: str = __version__
    demo: bool = False

    @property
    def subtitle(self) -> str:
        """Measure, date, authority and view in one line, for charts and tables."""
        return f"{self.la_name} ({self.la_code}) · {self.imd_label} · {self.view_label}"

    @property
    def view_label(self) -> str:
        """The view, with 'synthetic demonstration data' when the figures are the demo's."""
        label = self.view.label
        return f"{label} · synthetic demonstration data" if self.demo else label

    @property
    def rule_text(self) -> str:
        """The disclosure rule applied, or that none was."""
        if self.view is View.INTERNAL:
            return "None: internal view with exact figures. Not for publication."
        return self.rule.describe()


def view_context(
    analysis: Analysis, view: View | str, rule: DisclosureRule = DEFAULT_RULE, demo: bool = False
) -> ViewContext:
    """The export context of an Analysis (csc_inequalities.results.analysis)."""
    measure = analysis.measure
    notes = analysis.notes
    return ViewContext(
        la_code=analysis.la_code,
        la_name=analysis.la_name,
        measure_label=measure.label(),
        measure_slug=measure_slug(measure),
        reference_date=measure.reference_date.isoformat(),
        imd_label=f"{notes.imd}, {notes.domain}",
        deprivation_note=notes.deciles_note,
        denominator_note=notes.denominator_note,
        view=View(view),
        rule=rule,
        demo=demo,
    )


def measure_slug(measure: Measure) -> str:
    """A measure as a file-name part: cpp-at-2024-03-31, cla-starts-2023-24-girls-1-4."""
    intervention = measure.intervention.lower()
    who = measure.who.slug()
    if measure.count_kind == "starts":
        year = measure.reference_date.year
        slug = f"{intervention}-starts-{year - 1}-{year % 100:02d}"
    else:
        slug = f"{intervention}-at-{measure.reference_date.isoformat()}"
    return f"{slug}-{who}" if who else slug
