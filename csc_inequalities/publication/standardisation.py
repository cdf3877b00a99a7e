"""The standardisation as a view shows it: decile counts protected, findings that would reveal
a suppressed count withheld.

The deciles are the gradient's own when national IMD deciles are chosen, so they take the
pattern the gradient publishes (two patterns for one table could reveal a cell); otherwise they
are protected on their own against the authority's total. The ratio rests on the authority's
total only; the split of the difference into deprivation mix and rates within deciles rests
on every decile's count, so it is withheld when any is suppressed (as the SII is); the
attributable fraction rests on the least deprived fifth's count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csc_inequalities.context.standardise import Standardisation, summary_rows
from csc_inequalities.publication.disclosure import (
    DEFAULT_RULE,
    RATE_COLUMNS,
    SUPPRESSED,
    DisclosureRule,
    View,
    publication_table,
    with_hidden_rows,
)
from csc_inequalities.publication.tables import ViewTable

WITHHELD = (
    "Some figures are withheld in the publication view because they would reveal a "
    "suppressed count."
)


@dataclass(frozen=True)
class StandardisationView:
    """The decile table, the summary and the sentences one view may show."""

    deciles: pd.DataFrame
    summary: pd.DataFrame
    sentences: dict[str, str]
    withheld: bool


def _hidden_deciles(
    result: Standardisation, tables: dict[str, ViewTable], rule: DisclosureRule
) -> pd.Series:
    """Which deciles the publication view suppresses."""
    gradient = tables.get("gradient")
    if result.same_groups_as_gradient and gradient is not None:
        return pd.Series((gradient.frame["count"] == SUPPRESSED).to_numpy(), index=range(10))
    published = publication_table(result.deciles, ["count"], RATE_COLUMNS, rule=rule)
    return published["count"] == SUPPRESSED


def standardisation_view(
    result: Standardisation,
    view: View | str,
    tables: dict[str, ViewTable],
    rule: DisclosureRule = DEFAULT_RULE,
) -> StandardisationView:
    """What the chosen view shows of the standardisation (``tables``: the view's tables)."""
    summary = summary_rows(result)
    if View(view) is View.INTERNAL:
        return StandardisationView(result.deciles, summary, result.sentences, False)
    hidden = _hidden_deciles(result, tables, rule)
    deciles = with_hidden_rows(result.deciles, hidden, rule)
    total = float(result.deciles["count"].sum())
    quintiles = tables.get("gradient-quintiles")
    allowed = {
        "observed": not 0 < total <= rule.threshold,
        "expected": True,
        "ratio": not 0 < total <= rule.threshold,
        "rate_a": not 0 < total <= rule.threshold,
        "rate_b": True,
        "difference": not 0 < total <= rule.threshold,
        "composition": not hidden.any(),
        "rate_effect": not hidden.any(),
        "attributable": quintiles is not None
        and quintiles.frame["count"].iloc[-1] != SUPPRESSED
        and not 0 < total <= rule.threshold,
    }
    shown = summary[summary["key"].map(allowed).fillna(True).astype(bool)]
    sentence_allowed = {
        "reference": True,
        "ratio": allowed["ratio"],
        "decomposition": allowed["composition"] and allowed["difference"],
        "attributable": allowed["attributable"],
    }
    sentences = {k: v for k, v in result.sentences.items() if sentence_allowed.get(k, True)}
    withheld = len(shown) < len(summary) or len(sentences) < len(result.sentences)
    return StandardisationView(deciles, shown.reset_index(drop=True), sentences, withheld)
