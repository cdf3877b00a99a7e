"""The localities table as a view shows it: small localities suppressed like any cell.

A locality's count is suppressed when it is 1 to the threshold, and further localities (or the
row of neighbourhoods in no locality) are suppressed until no hidden count can be worked out
from the others and the authority's total. The deprivation groups' totals are published in the
gradient, so the protection is of the locality x group table whose cells are never shown, whose
group totals and overall total count as known, and where a locality with no neighbourhoods in a
group is known to have none there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from csc_inequalities.publication.disclosure import (
    DEFAULT_RULE,
    SUPPRESSED,
    DisclosureRule,
    View,
    suppressed_cells,
    with_hidden_rows,
)
from csc_inequalities.publication.tables import ViewTable
from csc_inequalities.results.localities import Localities, compared_with, locality_sentences

# Built on the count: suppressed with it. Limits and expected counts rest on children only.
RATIO_COLUMNS = ("ratio", "ratio_lower", "ratio_upper", "position")
POOLED_NOTE = (
    "Publication view: the deprivation groups whose counts are suppressed in the gradient share "
    "one rate in the expected counts, so the expected counts reveal nothing the gradient hides."
)


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


def pooled_groups(tables: dict[str, ViewTable] | None) -> np.ndarray | None:
    """The deprivation groups the published gradient suppresses (None when it shows none)."""
    gradient = None if tables is None else tables.get("gradient")
    if gradient is None:
        return None
    hidden = (gradient.frame["count"] == SUPPRESSED).to_numpy()
    return hidden if hidden.any() else None


def localities_view(
    result: Localities,
    view: View | str,
    rule: DisclosureRule = DEFAULT_RULE,
    tables: dict[str, ViewTable] | None = None,
) -> LocalitiesView:
    """What the chosen view shows of the localities: everything, or the protected table.

    In the publication view, expected counts built on the rates of groups the gradient
    suppresses would let a reader solve for those rates (each locality's expected count is a
    known mix of them): the suppressed groups share one pooled rate instead, which the
    published figures already give.
    """
    if View(view) is View.INTERNAL:
        return LocalitiesView(result.table, result.sentences, 0)
    pooled = pooled_groups(tables)
    if pooled is not None:
        expected = result.by_group.expected(pooled)
        result = replace(result, table=compared_with(result.table, expected))
    table, hidden = published_localities(result, rule)
    withheld = int((hidden & result.table["in_scheme"]).sum())
    sentences = locality_sentences(
        table, result.scheme, result.measure, result.la_name, result.total_count, withheld
    )
    if set(result.sentences) == {"localities"}:
        # A reason instead of findings (nothing counted, one locality, refused records) stays.
        sentences = dict(result.sentences)
    if 0 < result.total_count <= rule.threshold:
        sentences = {"localities": "The authority's count is too small to compare localities."}
    if pooled is not None:
        sentences["pooled"] = POOLED_NOTE
    return LocalitiesView(table, sentences, withheld)


def chart_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A shown locality table with 'c' as missing, so charts and maps leave those out."""
    out = frame.copy()
    for column in ("count", "rate_per_10000", "ratio", "ratio_lower", "ratio_upper"):
        out[column] = pd.to_numeric(out[column].replace(SUPPRESSED, None), errors="coerce")
    out["position"] = out["position"].where(out["position"] != SUPPRESSED, None)
    return out
