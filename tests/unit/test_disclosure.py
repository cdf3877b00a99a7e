"""Disclosure control: primary and secondary suppression, rounding, and an attacker's view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from csc_inequalities.publication.disclosure import (
    DEFAULT_RULE,
    RATE_COLUMNS,
    SUPPRESSED,
    DisclosureRefused,
    DisclosureRule,
    View,
    check_map_publishable,
    publication_ethnicity,
    publication_gradients,
    publication_long_table,
    publication_table,
    suppressed_cells,
)


def attacker_range(
    counts: np.ndarray,
    hidden: np.ndarray,
    cell: tuple[int, int],
    floor: float,
    rows_known: bool = True,
):
    """Smallest and largest value a hidden interior cell can take given every published figure.

    Written independently of the module: the reader knows every unhidden cell, every column
    total, every row total (unless `rows_known` is False) and that a hidden count is at
    least `floor`.
    """
    n_rows, n_cols = counts.shape
    unknown = [tuple(c) for c in np.argwhere(hidden)]
    index = {c: k for k, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    for i in range(n_rows if rows_known else 0):
        row = np.zeros(len(unknown))
        for j in range(n_cols):
            if (i, j) in index:
                row[index[(i, j)]] = 1
        if row.any():
            a_eq.append(row)
            b_eq.append(sum(counts[i, j] for j in range(n_cols) if (i, j) in index))
    for j in range(n_cols):
        col = np.zeros(len(unknown))
        for i in range(n_rows):
            if (i, j) in index:
                col[index[(i, j)]] = 1
        if col.any():
            a_eq.append(col)
            b_eq.append(sum(counts[i, j] for i in range(n_rows) if (i, j) in index))
    objective = np.zeros(len(unknown))
    objective[index[cell]] = 1
    bounds = [(floor, None)] * len(unknown)
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    return low.fun, -high.fun


def assert_nothing_recoverable(
    counts: np.ndarray, hidden: np.ndarray, rows_known: bool = True
) -> None:
    """No hidden count of children is pinned to one value; small counts are all hidden."""
    small = (counts >= 1) & (counts <= 5)
    assert hidden[small].all()
    floor = 0.0 if (counts[hidden] == 0).any() else 1.0
    for cell in map(tuple, np.argwhere(hidden & (counts > 0))):
        low, high = attacker_range(counts, hidden, cell, floor, rows_known)
        assert high - low >= 1 - 1e-6, (cell, counts.tolist(), hidden.tolist())


def test_one_way_table_hides_the_next_smallest_cell():
    mask = suppressed_cells(np.array([[3], [40], [12], [50]]))
    assert mask[:4, 0].tolist() == [True, False, True, False]


def test_one_way_table_without_any_known_total_needs_only_primary_suppression():
    mask = suppressed_cells(
        np.array([[3], [40], [12]]), column_totals="absent", overall_total="absent"
    )
    assert mask[:3, 0].tolist() == [True, False, False]


def test_two_small_cells_of_one_are_not_left_alone_with_the_total():
    # 1 + 1 = 2 and a reader knows a hidden count is at least 1: both would be recovered.
    mask = suppressed_cells(np.array([[1], [1], [50], [60]]))
    assert mask[:4, 0].tolist() == [True, True, True, False]


def test_nothing_hidden_when_no_small_counts():
    assert not suppressed_cells(np.array([[0], [40], [12]])).any()


def test_two_way_table_hides_a_rectangle():
    counts = np.array([[3, 20, 30], [25, 40, 60], [30, 50, 70]])
    mask = suppressed_cells(counts, row_totals="known")
    interior = mask[:3, :3]
    assert interior.sum(axis=0).tolist() in ([2, 2, 0], [2, 0, 2])
    assert_nothing_recoverable(counts, interior)


def test_threshold_is_configurable():
    mask = suppressed_cells(np.array([[7], [40], [30]]), rule=DisclosureRule(threshold=10))
    assert mask[:3, 0].tolist() == [True, False, True]


def test_rule_rejects_bad_settings_and_describes_itself():
    with pytest.raises(ValueError):
        DisclosureRule(threshold=0)
    with pytest.raises(ValueError):
        DisclosureRule(round_counts_to=1)
    text = DisclosureRule(round_counts_to=10).describe()
    assert "1 to 5" in text and "nearest 10" in text and "unrounded" in text


def gradient_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": list(range(1, 6)),
            "group_label": [f"Decile {d}" for d in range(1, 6)],
            "lsoas": [20, 20, 20, 20, 20],
            "children": [5000.0, 5200.0, 4800.0, 5100.0, 4900.0],
            "count": [40, 3, 25, 12, 0],
            "rate_per_10000": [80.0, 5.8, 52.1, 23.5, 0.0],
            "lower_95ci": [57.2, 1.2, 33.7, 12.1, 0.0],
            "upper_95ci": [108.9, 16.9, 76.9, 41.1, 7.5],
            "ci_method": ["Byar", "Exact", "Byar", "Byar", "Exact"],
        }
    )


def test_gradient_publication_hides_small_count_its_complement_and_their_rates():
    published = publication_table(gradient_frame(), ["count"], RATE_COLUMNS)
    assert published["count"].tolist() == [40, SUPPRESSED, 25, SUPPRESSED, 0]
    for column in RATE_COLUMNS:
        assert published[column].tolist()[1] == SUPPRESSED
        assert published[column].tolist()[3] == SUPPRESSED
        assert published[column].tolist()[0] != SUPPRESSED
    assert published["children"].tolist() == gradient_frame()["children"].tolist()
    assert published["ci_method"].tolist() == gradient_frame()["ci_method"].tolist()


def test_total_row_in_the_table_is_rounded_and_cells_rounded_as_the_rule_says():
    table = pd.DataFrame({"count": [40, 3, 27, 12]}, index=["a", "b", "c", "d"])
    table.loc["Total"] = table["count"].sum()
    rule = DisclosureRule(round_counts_to=5, round_totals_to=10)
    published = publication_table(table, ["count"], total_row="Total", rule=rule)
    assert published["count"].tolist() == [40, SUPPRESSED, 25, SUPPRESSED, 80]


def test_total_row_shown_but_not_known_can_itself_be_hidden():
    table = pd.DataFrame({"count": [3]}, index=["a"])
    table.loc["Total"] = 3
    published = publication_table(table, ["count"], total_row="Total", known_totals=())
    assert published["count"].tolist() == [SUPPRESSED, SUPPRESSED]


def test_wide_two_way_table_with_total_column_and_row():
    table = pd.DataFrame(
        {"White": [3, 25, 30], "Black": [20, 40, 50], "Asian": [30, 60, 70]},
        index=["Q1", "Q2", "Q3"],
    )
    table["All"] = table.sum(axis=1)
    table.loc["All"] = table.sum(axis=0)
    published = publication_table(
        table,
        ["White", "Black", "Asian", "All"],
        total_row="All",
        total_column="All",
        known_totals=("column", "row", "overall"),
    )
    hidden = (
        published.loc[["Q1", "Q2", "Q3"], ["White", "Black", "Asian"]] == SUPPRESSED
    ).to_numpy()
    assert hidden.sum() == 4
    assert_nothing_recoverable(table.iloc[:3, :3].to_numpy(), hidden)
    assert (published["All"] != SUPPRESSED).all()


def test_long_two_way_table():
    wide = pd.DataFrame(
        {"White": [3, 25, 30], "Black": [20, 40, 50], "Asian": [30, 60, 70]},
        index=pd.Index(["Q1", "Q2", "Q3"], name="quintile"),
    )
    long = wide.stack().rename("count").reset_index().rename(columns={"level_1": "group"})
    long["rate_per_10000"] = long["count"] * 2.0
    published = publication_long_table(long, "quintile", "group", "count", ["rate_per_10000"])
    hidden = published["count"] == SUPPRESSED
    assert hidden.sum() == 4
    assert (published.loc[hidden, "rate_per_10000"] == SUPPRESSED).all()
    assert (published.loc[~hidden, "rate_per_10000"] != SUPPRESSED).all()


def test_unknown_total_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown totals"):
        publication_table(gradient_frame(), ["count"], known_totals=("authority",))


def test_views_are_labelled_for_titles_and_files():
    assert "not for publication" in View.INTERNAL.label
    assert View.INTERNAL.file_tag == "internal-not-for-publication"
    assert View("publication") is View.PUBLICATION


small_or_large = st.one_of(st.integers(0, 8), st.integers(0, 200))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_or_large, min_size=1, max_size=12))
def test_one_way_tables_never_reveal_a_hidden_cell(values):
    counts = np.array(values, dtype=float).reshape(-1, 1)
    hidden = suppressed_cells(counts, rule=DEFAULT_RULE)[:-1, :-1]
    if _protectable(counts, rows_known=False):
        assert_nothing_recoverable(counts, hidden, rows_known=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(small_or_large, min_size=n_cols, max_size=n_cols), min_size=2, max_size=6
        )
    )
)
@example(rows=[[1, 1, 7], [12, 9, 20], [1, 1, 5], [3, 4, 100], [40, 9, 100]])
def test_two_way_tables_never_reveal_a_hidden_cell(rows):
    counts = np.array(rows, dtype=float)
    hidden = suppressed_cells(
        counts, row_totals="known", column_totals="known", overall_total="known"
    )[:-1, :-1]
    if _protectable(counts):
        assert_nothing_recoverable(counts, hidden)


def _protectable(counts: np.ndarray, rows_known: bool = True) -> bool:
    """A table is protectable unless its published margins already pin a small cell down."""
    determined = np.zeros(counts.shape, dtype=bool)
    everything = np.ones(counts.shape, dtype=bool)
    floor = 0.0 if (counts == 0).any() else 1.0
    for cell in map(tuple, np.argwhere((counts >= 1) & (counts <= 5))):
        low, high = attacker_range(counts, everything, cell, floor, rows_known)
        determined[cell] = high - low < 1 - 1e-6
    return not determined.any()


def gradient_of(counts: list[int]) -> pd.DataFrame:
    n = len(counts)
    return pd.DataFrame(
        {
            "group": range(1, n + 1),
            "lsoas": [10] * n,
            "children": [2000.0] * n,
            "count": [float(c) for c in counts],
            "rate_per_10000": [c * 5.0 for c in counts],
            "lower_95ci": [c * 4.0 for c in counts],
            "upper_95ci": [c * 6.0 for c in counts],
        }
    )


def quintiles_of(deciles: pd.DataFrame) -> pd.DataFrame:
    summed = deciles.groupby((deciles["group"] + 1) // 2)[["lsoas", "children", "count"]].sum()
    summed["rate_per_10000"] = summed["count"] * 5.0
    summed["lower_95ci"] = summed["count"] * 4.0
    summed["upper_95ci"] = summed["count"] * 6.0
    return summed.reset_index(drop=True)


def test_decile_and_quintile_tables_are_protected_together():
    deciles = gradient_of([3, 30, 40, 50, 20, 25, 10, 12, 8, 9])
    published_deciles, published_quintiles = publication_gradients(deciles, quintiles_of(deciles))
    # Quintile 1 (33) minus decile 2 (30) would give decile 1, so decile 2 is hidden too;
    # the quintiles can then all be shown.
    assert published_deciles["count"].tolist()[:3] == [SUPPRESSED, SUPPRESSED, 40]
    assert SUPPRESSED not in published_quintiles["count"].tolist()
    assert published_deciles["rate_per_10000"].tolist()[:2] == [SUPPRESSED, SUPPRESSED]


def test_a_small_quintile_is_hidden_with_its_deciles_and_another_quintile():
    deciles = gradient_of([1, 2, 40, 50, 20, 25, 10, 12, 8, 9])
    published_deciles, published_quintiles = publication_gradients(deciles, quintiles_of(deciles))
    assert published_quintiles["count"].tolist().count(SUPPRESSED) == 2
    assert published_quintiles["count"].tolist()[0] == SUPPRESSED


@settings(max_examples=60, deadline=None)
@given(st.lists(small_or_large, min_size=10, max_size=10))
def test_decile_and_quintile_tables_never_reveal_a_decile(counts):
    deciles = gradient_of(counts)
    published_deciles, published_quintiles = publication_gradients(deciles, quintiles_of(deciles))
    hidden = (published_deciles["count"] == SUPPRESSED).to_numpy().reshape(5, 2)
    quintile_hidden = (published_quintiles["count"] == SUPPRESSED).to_numpy()
    pairs = np.array(counts, dtype=float).reshape(5, 2)
    everything = np.ones_like(hidden)
    if _hidden_pair_pinned(pairs, everything, np.ones(5, dtype=bool)):
        return  # the known total alone pins a small count: nothing can protect it
    assert not _hidden_pair_pinned(pairs, hidden, quintile_hidden)
    assert hidden[(pairs >= 1) & (pairs <= 5)].all()
    totals = pairs.sum(axis=1)
    assert quintile_hidden[(totals >= 1) & (totals <= 5)].all()


def _hidden_pair_pinned(pairs, hidden, quintile_hidden) -> bool:
    """Whether a reader of both tables and the authority total can pin a hidden non-zero decile."""
    unknown = [tuple(c) for c in np.argwhere(hidden)]
    index = {c: k for k, c in enumerate(unknown)}
    n = len(unknown) + int(quintile_hidden.sum())
    q_index = {q: len(unknown) + k for k, q in enumerate(np.flatnonzero(quintile_hidden))}
    a_eq, b_eq = [], []
    for q in range(5):
        row = np.zeros(n)
        rhs = 0.0 if q in q_index else pairs[q].sum()
        if q in q_index:
            row[q_index[q]] = -1
        for d in range(2):
            if (q, d) in index:
                row[index[(q, d)]] = 1
            else:
                rhs -= pairs[q, d]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    total = np.zeros(n)
    for k in index.values():
        total[k] = 1
    a_eq.append(total)
    b_eq.append(sum(pairs[c] for c in index))
    floor = 0.0 if any(pairs[c] == 0 for c in index) else 1.0
    bounds = [(floor, None)] * len(unknown) + [(0, None)] * int(quintile_hidden.sum())
    for cell, k in index.items():
        if pairs[cell] == 0:
            continue
        objective = np.zeros(n)
        objective[k] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if -high.fun - low.fun < 1 - 1e-6:
            return True
    return False


@pytest.mark.parametrize("layer", ["rate", "smoothed_rate", "count"])
def test_lsoa_maps_of_counts_or_rates_are_refused_in_publication_view(layer):
    with pytest.raises(DisclosureRefused, match="never exported in the publication view"):
        check_map_publishable(layer, "publication")
    check_map_publishable(layer, View.INTERNAL)


def test_deprivation_map_is_publishable():
    check_map_publishable("deprivation", "publication")


MAJORS = ["White", "Mixed", "Asian", "Black", "Other"]


def ethnicity_tables(cells: np.ndarray, not_known: np.ndarray):
    """The two ethnicity tables (by group; by group within quintile) for given counts."""
    long = pd.DataFrame(
        [
            {"quintile": q + 1, "ethnic_group": g, "count": float(cells[q, k])}
            for q in range(cells.shape[0])
            for k, g in enumerate(MAJORS)
        ]
    )
    for column in RATE_COLUMNS:
        long[column] = long["count"] * 2.0
    by_group = pd.DataFrame(
        {
            "ethnic_group": [*MAJORS, "Not known"],
            "count": [*cells.sum(axis=0).astype(float), float(not_known.sum())],
        }
    )
    for column in RATE_COLUMNS:
        by_group[column] = by_group["count"] * 2.0
    totals = pd.Series(cells.sum(axis=1) + not_known, index=range(1, cells.shape[0] + 1))
    return by_group, long, totals


def pinned_ethnicity_values(cells, not_known, cell_hidden, margin_hidden) -> list:
    """Hidden non-zero cells or group totals a reader of both tables and all totals can pin down."""
    n_q, n_g = cells.shape
    full = np.column_stack([cells, not_known]).astype(float)
    n = full.size
    index = {(q, k): q * (n_g + 1) + k for q in range(n_q) for k in range(n_g + 1)}
    hidden_values = [full[c] for c in index if c[1] < n_g and cell_hidden[c]]
    floor = 0.0 if any(v == 0 for v in hidden_values) else 1.0
    bounds = []
    for (q, k), _ in sorted(index.items(), key=lambda item: item[1]):
        if k == n_g:
            bounds.append((0, None))
        elif cell_hidden[q, k]:
            bounds.append((floor, None))
        else:
            bounds.append((full[q, k], full[q, k]))
    a_eq, b_eq = [], []
    for q in range(n_q):
        row = np.zeros(n)
        for k in range(n_g + 1):
            row[index[(q, k)]] = 1
        a_eq.append(row)
        b_eq.append(full[q].sum())
    for k in range(n_g + 1):
        if not margin_hidden[k]:
            col = np.zeros(n)
            for q in range(n_q):
                col[index[(q, k)]] = 1
            a_eq.append(col)
            b_eq.append(full[:, k].sum())
    pinned = []
    targets = [((q, k), full[q, k]) for (q, k) in index if k < n_g and cell_hidden[q, k]]
    targets += [(("margin", k), full[:, k].sum()) for k in range(n_g + 1) if margin_hidden[k]]
    for target, value in targets:
        if value == 0:
            continue
        objective = np.zeros(n)
        if target[0] == "margin":
            for q in range(n_q):
                objective[index[(q, target[1])]] = 1
        else:
            objective[index[target]] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if -high.fun - low.fun < 1 - 1e-6:
            pinned.append(target)
    return pinned


def test_ethnicity_tables_protected_together_with_not_known():
    cells = np.array([[40, 12, 9, 3, 7], [30, 8, 6, 9, 8], [25, 7, 6, 8, 6]])
    not_known = np.array([2, 0, 0])
    by_group, long, totals = ethnicity_tables(cells, not_known)
    published, published_long = publication_ethnicity(by_group, long, totals)
    hidden = published["count"] == SUPPRESSED
    assert hidden.iloc[-1]  # not known: 2
    assert hidden.sum() >= 2  # the authority total is known, so another group goes too
    assert (published.loc[hidden, "rate_per_10000"] == SUPPRESSED).all()
    cell_hidden = (published_long["count"] == SUPPRESSED).to_numpy().reshape(cells.shape)
    assert cell_hidden[0, 3]  # Black, quintile 1: 3
    # The unshown not-known children of quintile 1 leave room for the hidden 3 to move.
    margin_hidden = hidden.to_numpy()
    assert pinned_ethnicity_values(cells, not_known, cell_hidden, margin_hidden) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(small_or_large, min_size=5, max_size=5), min_size=2, max_size=5),
    st.lists(st.integers(0, 6), min_size=5, max_size=5),
)
@example(rows=[[2, 6, 2, 6, 1], [4, 0, 4, 0, 0]], not_known_values=[0, 0, 0, 0, 0])
# Published zeros in a quintile whose total is known reveal its not-known children, and so
# the hidden not-known total: the protection has to look past the lines through that total.
@example(rows=[[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], not_known_values=[0, 1, 0, 0, 0])
def test_ethnicity_tables_never_reveal_a_hidden_count(rows, not_known_values):
    cells = np.array(rows, dtype=float)
    not_known = np.array(not_known_values[: len(rows)], dtype=float)
    by_group, long, totals = ethnicity_tables(cells, not_known)
    published, published_long = publication_ethnicity(by_group, long, totals)
    margin_hidden = (published["count"] == SUPPRESSED).to_numpy()
    cell_hidden = (published_long["count"] == SUPPRESSED).to_numpy().reshape(cells.shape)
    for table in (published, published_long):
        shown = [v for v in table["count"] if v != SUPPRESSED]
        assert not any(1 <= v <= 5 for v in shown)
    everything = pinned_ethnicity_values(
        cells, not_known, np.ones(cells.shape, dtype=bool), np.ones(6, dtype=bool)
    )
    if everything:
        return  # the known totals alone pin a count: nothing can protect it
    assert pinned_ethnicity_values(cells, not_known, cell_hidden, margin_hidden) == []


def test_a_hidden_zero_alone_puts_no_count_at_stake():
    # The programmes stop once every hidden non-zero count has moved: with none hidden, at once.
    from csc_inequalities.publication import disclosure

    values = disclosure._with_margins(np.array([[0.0, 7.0], [8.0, 9.0]]))
    state = np.full(values.shape, disclosure._Cell.PUBLISHED, dtype=int)
    state[0, 0] = disclosure._Cell.SUPPRESSED
    assert disclosure._pinned_cells(values, state, disclosure._lines(2, 2)) == []
