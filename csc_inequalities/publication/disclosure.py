"""Disclosure control: the one suppression and rounding rule every publication output follows.

Counts of 1 to the threshold are suppressed (primary suppression). Further cells are then
suppressed (secondary suppression) until no suppressed count can be worked out from the
published cells and the row, column and overall totals, including totals that are published
elsewhere (the authority total DfE publishes). Every suppressed cell is checked with a linear
programme: the smallest and largest value it could take, given everything published, differ.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import pandas as pd

SUPPRESSED = "c"
MARGINS = ("column", "row", "overall")


class View(StrEnum):
    """Who an output is for: exact figures stay inside the authority, the rest is published."""

    INTERNAL = "internal"
    PUBLICATION = "publication"

    @property
    def label(self) -> str:
        """The words shown beside every figure and in every title of this view."""
        if self is View.INTERNAL:
            return "Internal: exact figures, not for publication"
        return "Publication: disclosure control applied"

    @property
    def file_tag(self) -> str:
        """The part of a file name that says which view a file holds."""
        if self is View.INTERNAL:
            return "internal-not-for-publication"
        return "publication"


@dataclass(frozen=True)
class DisclosureRule:
    """The stated rule: suppression threshold and optional rounding of counts and totals."""

    threshold: int = 5
    round_counts_to: int | None = None
    round_totals_to: int | None = None

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("The suppression threshold must be at least 1.")
        for base in (self.round_counts_to, self.round_totals_to):
            if base is not None and base < 2:
                raise ValueError("Counts can be rounded to a multiple of 2 or more (5 or 10).")

    def describe(self) -> str:
        """The rule in words, printed on every publication output."""
        parts = [
            f"Counts of 1 to {self.threshold} are suppressed and shown as '{SUPPRESSED}'.",
            "Further counts are suppressed so that no suppressed count can be worked out "
            "from the other figures and the row, column or overall totals, including the "
            "authority total published by the Department for Education.",
            "Rates, percentages and confidence intervals built on a suppressed count are "
            f"shown as '{SUPPRESSED}' too.",
        ]
        if self.round_counts_to:
            parts.append(f"Other counts are rounded to the nearest {self.round_counts_to}.")
        if self.round_totals_to:
            parts.append(f"Totals are rounded to the nearest {self.round_totals_to}.")
        if self.round_counts_to or self.round_totals_to:
            parts.append("Rates are calculated from unrounded counts.")
        return " ".join(parts)


DEFAULT_RULE = DisclosureRule()


class _Cell(IntEnum):
    PUBLISHED = 0
    SUPPRESSED = 1
    KNOWN = 2
    ABSENT = 3


def suppressed_cells(
    counts: np.ndarray,
    *,
    row_totals: str = "absent",
    column_totals: str = "known",
    overall_total: str = "known",
    rule: DisclosureRule = DEFAULT_RULE,
    unpublished: np.ndarray | None = None,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """Which cells of a table with margins to hide so that none can be worked out.

    `counts` is the rows x columns table; each margin is "absent" (not published
    anywhere), "shown" (a line of the table, which may itself be suppressed) or "known"
    (published elsewhere, so it can never be hidden). `unpublished` marks interior cells
    that no table shows (they still add up into the margins); `known` marks interior cells
    a reader knows anyway (a structural zero), which hiding could never protect. The result
    is the mask of the table with its margins: shape (rows + 1, columns + 1), margins last.
    """
    values = _with_margins(np.nan_to_num(np.asarray(counts, dtype=float)))
    n_rows, n_cols = values.shape[0] - 1, values.shape[1] - 1
    state = np.full(values.shape, _Cell.PUBLISHED, dtype=int)
    state[:n_rows, n_cols] = _margin_state(row_totals)
    state[n_rows, :n_cols] = _margin_state(column_totals)
    state[n_rows, n_cols] = _margin_state(overall_total)
    if unpublished is not None:
        state[:n_rows, :n_cols][np.asarray(unpublished, dtype=bool)] = _Cell.ABSENT
    if known is not None:
        state[:n_rows, :n_cols][np.asarray(known, dtype=bool)] = _Cell.KNOWN
    small = (values >= 1) & (values <= rule.threshold)
    state[small & (state == _Cell.PUBLISHED)] = _Cell.SUPPRESSED
    lines = _lines(n_rows, n_cols)
    while True:
        _complete_lines(values, state, lines)
        pinned = _pinned_cells(values, state, lines)
        if not pinned or not _protect(values, state, lines, pinned):
            return state == _Cell.SUPPRESSED


def publication_table(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    derived_columns: Mapping[str, str] | None = None,
    *,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    known_totals: Collection[str] = ("column", "overall"),
    rule: DisclosureRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """The table as it may be published: small counts and what they reveal shown as 'c'.

    `count_columns` hold counts of children (one column for a one-way table such as the
    gradient, several for a two-way table); `derived_columns` maps each rate, percentage
    or interval column to the count column it is built on. `total_row` is the index label
    of a row of column totals and `total_column` a count column of row totals, if the table
    has them. `known_totals` says which totals are published elsewhere: "column" (each count
    column's total, such as the authority total DfE publishes), "row" and "overall".
    """
    unknown = set(known_totals) - set(MARGINS)
    if unknown:
        raise ValueError(f"Unknown totals {sorted(unknown)}: use {', '.join(MARGINS)}.")
    derived_columns = dict(derived_columns or {})
    interior_columns = [c for c in count_columns if c != total_column]
    interior_rows = [label for label in table.index if label != total_row]
    counts = table.loc[interior_rows, interior_columns].to_numpy(dtype=float)
    mask = suppressed_cells(
        counts,
        row_totals=_margin_kind(total_column is not None, "row" in known_totals),
        column_totals=_margin_kind(total_row is not None, "column" in known_totals),
        overall_total=_margin_kind(
            total_row is not None and total_column is not None, "overall" in known_totals
        ),
        rule=rule,
    )
    cell_mask = pd.DataFrame(False, index=table.index, columns=list(count_columns))
    cell_mask.loc[interior_rows, interior_columns] = mask[:-1, :-1]
    if total_column is not None:
        cell_mask.loc[interior_rows, total_column] = mask[:-1, -1]
    if total_row is not None:
        cell_mask.loc[total_row, interior_columns] = mask[-1, :-1]
        if total_column is not None:
            cell_mask.loc[total_row, total_column] = mask[-1, -1]
    is_total = pd.DataFrame(False, index=table.index, columns=list(count_columns))
    if total_column is not None:
        is_total[total_column] = True
    if total_row is not None:
        is_total.loc[total_row] = True
    published = table.copy()
    for column in count_columns:
        published[column] = _published_counts(
            table[column], cell_mask[column], is_total[column], rule
        )
    for column, source in derived_columns.items():
        published[column] = table[column].astype(object).where(~cell_mask[source], SUPPRESSED)
    return published


def publication_long_table(
    table: pd.DataFrame,
    row_key: str,
    column_key: str,
    count_column: str,
    derived_columns: Sequence[str] = (),
    *,
    known_totals: Collection[str] = MARGINS,
    rule: DisclosureRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """A two-way table in long form (one row per cell, e.g. ethnic group x quintile) published.

    The margins of a two-way table are usually published in other tables (rates by group,
    rates by quintile), so by default every margin counts as known.
    """
    wide = _summed_wide(table, row_key, column_key, count_column)
    mask = suppressed_cells(
        wide.fillna(0).to_numpy(dtype=float),
        row_totals=_margin_kind(False, "row" in known_totals),
        column_totals=_margin_kind(False, "column" in known_totals),
        overall_total=_margin_kind(False, "overall" in known_totals),
        rule=rule,
    )
    hidden = pd.DataFrame(mask[:-1, :-1], index=wide.index, columns=wide.columns)
    long_hidden = hidden.stack().rename("_hidden").reset_index()
    flags = table[[row_key, column_key]].merge(long_hidden, on=[row_key, column_key], how="left")
    cell_mask = pd.Series(flags["_hidden"].fillna(False).to_numpy(dtype=bool), index=table.index)
    published = table.copy()
    published[count_column] = _published_counts(
        table[count_column], cell_mask, pd.Series(False, index=table.index), rule
    )
    for column in derived_columns:
        published[column] = table[column].astype(object).where(~cell_mask, SUPPRESSED)
    return published


def _summed_wide(table: pd.DataFrame, row_key: str, column_key: str, count: str) -> pd.DataFrame:
    """Counts summed into one row per row key and one column per column key.

    What pivot_table(aggfunc="sum", observed=True) gives (identical on the ethnicity tables of
    51 demo authorities and an upload), in a third of its time: the Export tab runs it.
    """
    sums = table.groupby([row_key, column_key], observed=True, sort=True)[count].sum()
    return sums.unstack(column_key)


def _with_margins(counts: np.ndarray) -> np.ndarray:
    """The table with a column of row totals and a row of column totals appended."""
    with_rows = np.column_stack([counts, counts.sum(axis=1)])
    return np.vstack([with_rows, with_rows.sum(axis=0)])


def _margin_state(kind: str) -> _Cell:
    """How a margin is treated: shown in the table, known from elsewhere, or not published."""
    states = {"shown": _Cell.PUBLISHED, "known": _Cell.KNOWN, "absent": _Cell.ABSENT}
    if kind not in states:
        raise ValueError(f"A margin is one of {', '.join(states)}, not {kind!r}.")
    return states[kind]


def _margin_kind(in_table: bool, known_elsewhere: bool) -> str:
    """Known elsewhere beats shown: hiding a total published elsewhere protects nothing."""
    if known_elsewhere:
        return "known"
    return "shown" if in_table else "absent"


def _lines(n_rows: int, n_cols: int) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Each additive constraint: the cells of a row or column and the total cell they sum to."""
    rows = [([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows + 1)]
    cols = [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols + 1)]
    return rows + cols


def _complete_lines(values: np.ndarray, state: np.ndarray, lines: list) -> None:
    """Suppress complementary cells until no line has exactly one hidden, recoverable cell."""
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            cells = [*parts, total]
            hidden = [c for c in cells if state[c] in (_Cell.SUPPRESSED, _Cell.ABSENT)]
            if len(hidden) == 1 and state[hidden[0]] == _Cell.SUPPRESSED:
                choice = _complement(values, state, cells)
                if choice is not None:
                    state[choice] = _Cell.SUPPRESSED
                    changed = True


def _complement(values: np.ndarray, state: np.ndarray, cells: list) -> tuple[int, int] | None:
    """The cell of a line to hide as well: smallest non-zero count, then total, then zeros."""
    candidates = [c for c in cells if state[c] == _Cell.PUBLISHED]
    if not candidates:
        return None

    last_row, last_col = values.shape[0] - 1, values.shape[1] - 1

    def preference(cell: tuple[int, int]) -> tuple[int, float, int]:
        is_total = cell[0] == last_row or cell[1] == last_col
        kind = int(is_total) + (2 if values[cell] == 0 else 0)
        crossing_hidden = int(np.sum(state[cell[0], :] == _Cell.SUPPRESSED)) + int(
            np.sum(state[:, cell[1]] == _Cell.SUPPRESSED)
        )
        return kind, float(values[cell]), -crossing_hidden

    return min(candidates, key=preference)


def _pinned_cells(values: np.ndarray, state: np.ndarray, lines: list) -> list[tuple[int, int]]:
    """The suppressed non-zero cells the published figures pin down (linear programmes)."""
    from scipy.optimize import linprog  # imported on first use, off the app's start-up path

    variables = [tuple(c) for c in np.argwhere(np.isin(state, [_Cell.SUPPRESSED, _Cell.ABSENT]))]
    suppressed = [c for c in variables if state[c] == _Cell.SUPPRESSED]
    if not suppressed:
        return []
    position = {cell: k for k, cell in enumerate(variables)}
    equations, targets = [], []
    for parts, total in lines:
        terms = [(cell, 1.0) for cell in parts] + [(total, -1.0)]
        row = np.zeros(len(variables))
        constant = 0.0
        for cell, sign in terms:
            if cell in position:
                row[position[cell]] = sign
            else:
                constant += sign * values[cell]
        if row.any():
            equations.append(row)
            targets.append(-constant)
    last_row, last_col = values.shape[0] - 1, values.shape[1] - 1

    def is_total(cell: tuple[int, int]) -> bool:
        return cell[0] == last_row or cell[1] == last_col

    # Zeros are hidden only as a last resort, so a reader may assume a hidden count (and,
    # separately, a hidden total) is at least 1 unless a zero of that kind was hidden.
    floors = {
        kind: 0.0 if any(values[c] == 0 for c in suppressed if is_total(c) == kind) else 1.0
        for kind in (False, True)
    }
    bounds = [
        (floors[is_total(c)] if state[c] == _Cell.SUPPRESSED else 0.0, None) for c in variables
    ]
    a_eq, b_eq = np.array(equations), np.array(targets)
    truth = np.array([values[c] for c in variables])
    free = np.zeros(len(variables), dtype=bool)
    at_stake = np.array([position[cell] for cell in suppressed if values[cell] != 0], dtype=int)
    # The true table is one solution; any other vertex that moves a cell proves it hidden.
    # Once every suppressed count has moved, no cell is pinned and the rest would prove nothing.
    directions = np.random.default_rng(0).standard_normal((2, len(variables)))
    for objective in (*directions, *-directions):
        if free[at_stake].all():
            return []
        vertex = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if vertex.status == 0:
            free |= np.abs(vertex.x - truth) >= 0.5
    pinned = []
    for cell in suppressed:
        if free[position[cell]] or values[cell] == 0:
            continue
        objective = np.zeros(len(variables))
        objective[position[cell]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 0.5:
            pinned.append(cell)
        # Each solution is another table the published figures allow: a cell it moves is not
        # pinned either, and needs no programmes of its own.
        for solution in (low, high):
            if solution.status == 0:
                free |= np.abs(solution.x - truth) >= 0.5
    return pinned


def _protect(
    values: np.ndarray, state: np.ndarray, lines: list, pinned: list[tuple[int, int]]
) -> bool:
    """Hide one more cell in a line through a pinned cell; False when nothing is left to hide.

    When those lines have nothing left to hide, the pin is worked out through hidden or
    unpublished cells: the search goes on along their lines, one step further at a time (a
    total known elsewhere, less a row of published zeros, reveals an unpublished cell).
    """
    line_cells = [[*parts, total] for parts, total in lines]
    reached = set(pinned)
    frontier = set(pinned)
    while frontier:
        through = [cells for cells in line_cells if frontier.intersection(cells)]
        best = None
        for cells in through:
            choice = _complement(values, state, cells)
            if choice is not None and (best is None or values[choice] < values[best]):
                best = choice
        if best is not None:
            state[best] = _Cell.SUPPRESSED
            return True
        hidden = {
            cell
            for cells in through
            for cell in cells
            if state[cell] in (_Cell.SUPPRESSED, _Cell.ABSENT) and cell not in reached
        }
        reached |= hidden
        frontier = hidden
    return False


def _published_counts(
    column: pd.Series, hidden: pd.Series, is_total: pd.Series, rule: DisclosureRule
) -> pd.Series:
    """Counts with hidden cells as 'c' and the rest rounded as the rule says."""
    if not hidden.any() and not rule.round_counts_to and not rule.round_totals_to:
        return column.copy()
    out: list[object] = []
    for value, hide, total in zip(column, hidden, is_total, strict=True):
        if hide:
            out.append(SUPPRESSED)
        elif pd.isna(value):
            out.append(value)
        else:
            base = rule.round_totals_to if total else rule.round_counts_to
            out.append(_rounded(value, base))
    return pd.Series(out, index=column.index, dtype=object, name=column.name)


def _rounded(value: float, base: int | None) -> int:
    """Round half up to a multiple of the base (Python's round() rounds half to even)."""
    if not base:
        return int(value)
    return int(np.floor(value / base + 0.5) * base)


RATE_COLUMNS = {"rate_per_10000": "count", "lower_95ci": "count", "upper_95ci": "count"}


def publication_gradients(
    deciles: pd.DataFrame, quintiles: pd.DataFrame, rule: DisclosureRule = DEFAULT_RULE
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Decile and quintile gradient tables protected together, since both are published.

    When each quintile is exactly two deciles, a quintile count minus one published decile
    would reveal the other: the tables are protected as one quintile x (first, second decile)
    table whose row totals are the quintiles. When the groups do not nest (local groups of
    unequal size), the quintile table is withheld (None).
    """
    nested = len(deciles) == 2 * len(quintiles) and all(
        np.allclose(
            deciles[column].to_numpy(dtype=float).reshape(-1, 2).sum(axis=1),
            quintiles[column].to_numpy(dtype=float),
        )
        for column in ("lsoas", "children", "count")
    )
    if not nested:
        return publication_table(deciles, ["count"], RATE_COLUMNS, rule=rule), None
    pairs = deciles["count"].to_numpy(dtype=float).reshape(-1, 2)
    mask = suppressed_cells(
        pairs, row_totals="shown", column_totals="absent", overall_total="known", rule=rule
    )
    decile_hidden = pd.Series(mask[:-1, :-1].reshape(-1), index=deciles.index)
    quintile_hidden = pd.Series(mask[:-1, -1], index=quintiles.index)
    return (
        with_hidden_rows(deciles, decile_hidden, rule),
        with_hidden_rows(quintiles, quintile_hidden, rule),
    )


def publication_ethnicity(
    ethnicity: pd.DataFrame,
    by_deprivation: pd.DataFrame,
    quintile_totals: pd.Series,
    rule: DisclosureRule = DEFAULT_RULE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates by ethnic group and by group within quintiles, protected together.

    Each group's count in the first table is the sum of its quintile cells in the second,
    and children whose ethnicity is not known complete each quintile's total: the tables
    are protected as one quintile x (groups + not known) table whose not-known cells are
    never shown, whose group totals are the first table, and whose quintile and authority
    totals count as known. When the tables do not add up that way (records outside the
    quintiles), each is protected on its own against every total.
    """
    wide = _summed_wide(by_deprivation, "quintile", "ethnic_group", "count").fillna(0.0)
    groups = [g for g in ethnicity["ethnic_group"] if g in wide.columns]
    other = [g for g in ethnicity["ethnic_group"] if g not in wide.columns]
    by_group = ethnicity.set_index("ethnic_group")["count"].astype(float)
    totals = quintile_totals.reindex(wide.index).astype(float)
    not_known = totals.to_numpy() - wide[groups].sum(axis=1).to_numpy()
    consistent = (
        len(other) == 1
        and np.allclose(wide[groups].sum(axis=0).to_numpy(), by_group[groups].to_numpy())
        and np.allclose(not_known.sum(), by_group[other[0]])
        and (not_known >= -1e-9).all()
    )
    if not consistent:
        return (
            publication_table(ethnicity, ["count"], _ethnicity_derived(ethnicity), rule=rule),
            publication_long_table(
                by_deprivation, "quintile", "ethnic_group", "count", list(RATE_COLUMNS), rule=rule
            ),
        )
    counts = np.column_stack([wide[groups].to_numpy(), np.clip(not_known, 0, None)])
    unpublished = np.zeros(counts.shape, dtype=bool)
    unpublished[:, -1] = True
    mask = suppressed_cells(
        counts,
        row_totals="known",
        column_totals="shown",
        overall_total="known",
        rule=rule,
        unpublished=unpublished,
    )
    margin = dict(zip([*groups, other[0]], mask[-1, :-1], strict=True))
    group_hidden = ethnicity["ethnic_group"].map(margin).fillna(False).astype(bool)
    cells = pd.DataFrame(mask[:-1, : len(groups)], index=wide.index, columns=groups)
    flags = by_deprivation[["quintile", "ethnic_group"]].merge(
        cells.stack().rename_axis(["quintile", "ethnic_group"]).rename("_hidden").reset_index(),
        on=["quintile", "ethnic_group"],
        how="left",
    )
    cell_hidden = pd.Series(flags["_hidden"].fillna(False).to_numpy(dtype=bool))
    cell_hidden.index = by_deprivation.index
    published_groups = ethnicity.copy()
    published_groups["count"] = _published_counts(
        ethnicity["count"], group_hidden, pd.Series(False, index=ethnicity.index), rule
    )
    for column in _ethnicity_derived(ethnicity):
        published_groups[column] = ethnicity[column].astype(object).where(~group_hidden, SUPPRESSED)
    return published_groups, with_hidden_rows(by_deprivation, cell_hidden, rule)


def _ethnicity_derived(table: pd.DataFrame) -> dict[str, str]:
    """Rate, interval and ratio columns of the ethnicity table, all built on its count."""
    derived = [*RATE_COLUMNS, "ratio_to_white", "ratio_lower", "ratio_upper"]
    return {column: "count" for column in derived if column in table.columns}


def with_hidden_rows(
    table: pd.DataFrame, hidden: pd.Series, rule: DisclosureRule = DEFAULT_RULE
) -> pd.DataFrame:
    """A table with the given rows' counts and rates shown as 'c' (a pattern chosen elsewhere)."""
    published = table.copy()
    published["count"] = _published_counts(
        table["count"], hidden, pd.Series(False, index=table.index), rule
    )
    for column in RATE_COLUMNS:
        published[column] = table[column].astype(object).where(~hidden, SUPPRESSED)
    return published


PUBLISHABLE_MAP_LAYERS = ("deprivation", "decile", "quintile", "minority", "minority_share")


class DisclosureRefused(ValueError):
    """An export the publication view never allows, with the reason in words."""


def check_map_publishable(layer: str, view: View | str) -> None:
    """Refuse LSOA maps of counts or rates in the publication view: deciles only there."""
    if View(view) is View.PUBLICATION and layer not in PUBLISHABLE_MAP_LAYERS:
        raise DisclosureRefused(
            "Maps of counts or rates for single neighbourhoods (LSOAs) are never exported in "
            "the publication view: a few children per neighbourhood could be identified. "
            "Export the map coloured by deprivation decile, or choose the internal view for "
            "use inside the authority."
        )
