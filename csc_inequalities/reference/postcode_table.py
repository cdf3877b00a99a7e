"""Rows of the store's postcode table (2.3 million postcodes), read a few row groups at a time.

The table is sorted by postcode in row groups of about 16,000 postcodes. An upload's postcodes
cluster in a few postcode areas, so the row-group statistics say which groups can hold them;
an authority's postcodes are found through a small index of the authorities in each group.
Reading one group at a time keeps a lookup to a few megabytes instead of the 100-200 MB that
decoding the whole table (or row groups of a million rows) took.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csc_inequalities.reference.memory import release_freed_memory

CODE_COLUMNS = ["lsoa11_code", "lsoa21_code", "la_code"]


def all_postcode_rows(path: Path) -> pd.DataFrame:
    """The whole table (for the build's checks and tests; the app never holds it)."""
    return _released(_as_frame(pq.read_table(path, read_dictionary=CODE_COLUMNS)))


def rows_for_postcodes(path: Path, postcodes: Iterable[str]) -> pd.DataFrame:
    """The rows of these postcodes (upper case, no spaces), from the groups that can hold them."""
    wanted = np.array(sorted({p for p in postcodes if isinstance(p, str) and p}), dtype=object)
    file = pq.ParquetFile(path, read_dictionary=CODE_COLUMNS)
    groups = _groups_holding(file, wanted)
    found = _rows_where(file, groups, "postcode", wanted.tolist())
    # An upload's few thousand rows: their codes decoded to text make categories of just the
    # codes found, in a third of the time of merging every group's whole dictionary.
    return _as_frame(
        found.cast(pa.schema([field.with_type(pa.string()) for field in found.schema]))
    )


def rows_in_authorities(path: Path, la_codes: Iterable[str]) -> pd.DataFrame:
    """Every postcode of these authorities, from the groups that hold any of them."""
    wanted = sorted({str(code) for code in la_codes})
    index = _authority_row_groups(path)
    groups = sorted({group for code in wanted for group in index.get(code, ())})
    file = pq.ParquetFile(path, read_dictionary=CODE_COLUMNS)
    return _released(_as_frame(_rows_where(file, groups, "la_code", wanted)))


def _released(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame, after handing back the memory its reading freed (tens of MB for whole areas).

    An upload's look-up is not trimmed: it frees a few MB, and trimming each time made the
    next allocations fault their pages in again (about 1,900 page faults per upload, not 200).
    """
    release_freed_memory()
    return frame


def _rows_where(file: pq.ParquetFile, groups: list[int], column: str, values: list) -> pa.Table:
    """Rows of the given groups whose column is one of the values, one group at a time."""
    value_set = pa.array(values, type=pa.string())
    parts = [file.schema_arrow.empty_table()]
    for group in groups:
        part = file.read_row_group(group)
        keys = part[column]
        if pa.types.is_dictionary(keys.type):
            keys = keys.cast(pa.string())
        parts.append(part.filter(pc.is_in(keys, value_set=value_set)))
    return pa.concat_tables(parts)


def _groups_holding(file: pq.ParquetFile, wanted: np.ndarray) -> list[int]:
    """Row groups whose postcode range (from the file's statistics) holds a wanted postcode."""
    column = file.schema_arrow.get_field_index("postcode")
    groups = [file.metadata.row_group(i).column(column) for i in range(file.num_row_groups)]
    lowest = np.array([group.statistics.min for group in groups], dtype=object)
    highest = np.array([group.statistics.max for group in groups], dtype=object)
    first = np.searchsorted(wanted, lowest, side="left")
    after_last = np.searchsorted(wanted, highest, side="right")
    return np.flatnonzero(after_last > first).tolist()


@functools.lru_cache(maxsize=4)
def _authority_row_groups(path: Path) -> dict[str, tuple[int, ...]]:
    """Which row groups hold each authority's postcodes (read once per process, about 0.1 s)."""
    file = pq.ParquetFile(path)
    groups: dict[str, list[int]] = defaultdict(list)
    for group in range(file.num_row_groups):
        codes = file.read_row_group(group, columns=["la_code"])["la_code"]
        for code in pc.unique(codes).to_pylist():
            groups[code].append(group)
    return {code: tuple(found) for code, found in groups.items()}


def _as_frame(table: pa.Table) -> pd.DataFrame:
    """The rows with their code columns as categories (a sixth of the memory of text).

    Categories are in code order, and both LSOA columns share one set, so the columns sort
    like text and can be compared with each other.
    """
    frame = table.to_pandas()
    del table
    # Index.union sorts in C; a Python set of the row groups' whole dictionaries (thousands of
    # codes) took a twentieth of an upload's reading.
    lsoa_codes = _codes(frame["lsoa11_code"]).union(_codes(frame["lsoa21_code"]))
    return frame.astype(
        {
            "lsoa11_code": pd.CategoricalDtype(lsoa_codes),
            "lsoa21_code": pd.CategoricalDtype(lsoa_codes),
            "la_code": pd.CategoricalDtype(_codes(frame["la_code"]).sort_values()),
        }
    )


def _codes(column: pd.Series) -> pd.Index:
    """The codes a column can hold: its categories (read as a dictionary), else its values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.categories
    return pd.Index(column.dropna().unique())
