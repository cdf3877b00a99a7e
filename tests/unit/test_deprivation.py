"""National and local deprivation groups, 1 = most deprived."""

from __future__ import annotations

import pandas as pd
import pytest

from csc_inequalities.results.deprivation import assign_groups, group_labels, scheme_name


def lsoas(ranks: list[int], deciles: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": [f"E01{i:06d}" for i in range(len(ranks))],
            "imd_rank": ranks,
            "imd_decile": deciles,
            "income_rank": ranks[::-1],
            "income_decile": deciles[::-1],
        }
    )


def test_national_deciles_and_quintiles_come_from_the_published_deciles():
    table = lsoas([100, 5000, 20000, 32000], [1, 2, 7, 10])
    assert assign_groups(table).tolist() == [1, 2, 7, 10]
    assert assign_groups(table, scheme="national_quintile").tolist() == [1, 1, 4, 5]
    assert assign_groups(table, "income").tolist() == [10, 7, 2, 1]


def test_local_deciles_rerank_by_national_rank_into_equal_counts():
    # 20 LSOAs in shuffled order, all in the least deprived national decile.
    order = [3, 17, 0, 9, 12, 5, 19, 1, 8, 14, 2, 6, 11, 18, 4, 10, 13, 7, 16, 15]
    table = lsoas([30000 + 37 * i for i in order], [10] * 20)
    local = assign_groups(table, scheme="local_decile")
    assert local.value_counts().sort_index().tolist() == [2] * 10
    # Sorted by national rank (most deprived first), local deciles run 1,1,2,2,...,10,10.
    by_rank = local.set_axis(table["imd_rank"]).sort_index()
    assert by_rank.tolist() == [g for g in range(1, 11) for _ in range(2)]
    assert assign_groups(table, scheme="local_quintile").value_counts().tolist() == [4] * 5


def test_local_groups_with_uneven_counts_differ_by_at_most_one():
    table = lsoas(list(range(1, 24)), [1] * 23)
    sizes = assign_groups(table, scheme="local_decile").value_counts()
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 23
    assert assign_groups(table, scheme="local_decile").iloc[0] == 1


def test_labels_and_scheme_names():
    assert group_labels("national_quintile") == [
        "1 most deprived",
        "2",
        "3",
        "4",
        "5 least deprived",
    ]
    assert group_labels("local_decile")[-1] == "10 least deprived"
    assert scheme_name("local", 5) == "local_quintile"
    with pytest.raises(ValueError):
        scheme_name("regional", 10)
    with pytest.raises(ValueError):
        assign_groups(lsoas([1], [1]), domain="wealth")
