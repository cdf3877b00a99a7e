"""The localities table as a view shows it: small localities suppressed like any cell.

A locality's count is suppressed when it is 1 to the threshold, and further localities (or the
row of neighbourhoods in no locality) are suppressed until no hidden count can be worked out
from the others and the authority's total. The deprivation groups' totals are published in the
gradient, so the protection is of the locality x group table whose cells are never shown, whose
group totals and overall total count as known, and where a locality with no neighbourhoods in a
group is known to have none there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csc_inequalities.publication.disclosure import (
    DEFAULT_RULE,
    SUPPRESSED,
    DisclosureRule,
    View,
    suppressed_cells,
    with_hidden_rows,
)
from csc_inequalities.results.localities import Localities, locality_sentences

# Built on the count: suppressed with it. Limits and expected counts rest on children only.
RATIO_COLUMNS = ("ratio", "ratio_lower", "ratio_upper", "position")


@dataclass(frozen=True)
class LocalitiesView:
    """The locality table and sentences one view may show, and how many localities it hides."""

    table: pd.DataFrame
    sentences: dict[str, str]
    withheld: int


def hidden_localities(result: Localities, rule: DisclosureRule = DEFAULT_RULE) -> pd.Series:
    """Which rows of the locality table the publication view suppresses."""
    cells = result.by_group
    mask = suppressed_cells(
        cells.counts,
        row_totals="shown",
        column_totals="known",
        overall_total="known",
        rule=rule,
        unpublished=cells.present,
        known=~cells.present,
    )
    return pd.Series(mask[:-1, -1], index=result.table.index)


def published_localities(
    result: Localities, rule: DisclosureRule = DEFAULT_RULE
) -> tuple[pd.DataFrame, pd.Series]:
    """The locality table with suppressed counts, rates and ratios as 'c', and the hidden rows."""
    hidden = hidden_localities(result, rule)
    published = with_hidden_rows(result.table, hidden, rule)
    for column in RATIO_COLUMNS:
        published[column] = result.table[column].astype(object).where(~hidden, SUPPRESSED)
    return published, hidden


def localities_view(
    result: Localities, view: View | str, rule: DisclosureRule = DEFAULT_RULE
) -> LocalitiesView:
    """What the chosen view shows of the localities: everything, or the protected table."""
    if View(view) is View.INTERNAL:
        return LocalitiesView(result.table, result.sentences, 0)
    table, hidden = published_localities(result, rule)
    withheld = int((hidden & result.table["in_scheme"]).sum())
    sentences = locality_sentences(
        table, result.scheme, result.measure, result.la_name, result.total_count, withheld
    )
    if set(result.sentences) == {"localities"}:
        # A reason instead of findings (nothing counted, one locality, refused records) stays.
        sentences = result.sentences
    if 0 < result.total_count <= rule.threshold:
        sentences = {"localities": "The authority's count is too small to compare localities."}
    return LocalitiesView(table, sentences, withheld)


def chart_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A shown locality table with 'c' as missing, so charts and maps leave those out."""
    out = frame.copy()
    for column in ("count", "rate_per_10000", "ratio", "ratio_lower", "ratio_upper"):
        out[column] = pd.to_numeric(out[column].replace(SUPPRESSED, None), errors="coerce")
    out["position"] = out["position"].where(out["position"] != SUPPRESSED, None)
    return out
