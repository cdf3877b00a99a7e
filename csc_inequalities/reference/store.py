"""The built reference store, loaded once per process (ARCHITECTURE.md, 'The reference store')."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from csc_inequalities.reference import paths
from csc_inequalities.reference.authority_views import AuthorityViews, UnknownAuthority
from csc_inequalities.reference.memory import release_freed_memory, use_system_allocator
from csc_inequalities.reference.postcode_table import (
    all_postcode_rows,
    rows_for_postcodes,
    rows_in_authorities,
)

BUILD_COMMAND = "csc-inequalities data build --mirror DIR (or set CSC_DATA_MIRROR)"
# The LSOA vintage each index is published on: the one owner of this pairing.
GEOGRAPHY_BY_IMD_YEAR = {2019: 2011, 2025: 2021}

use_system_allocator()


class StoreMissing(FileNotFoundError):
    """The reference store has not been built (or is incomplete) in the expected folder."""


def geography_for(imd_year: int) -> int:
    """The LSOA vintage an index year is published on (2019 -> 2011 LSOAs, 2025 -> 2021)."""
    try:
        return GEOGRAPHY_BY_IMD_YEAR[int(imd_year)]
    except (KeyError, ValueError, TypeError):
        raise ValueError(
            f"Unknown index year {imd_year!r}: choose 2019 (IMD 2019, 2011 LSOAs) "
            "or 2025 (IMD 2025, 2021 LSOAs)."
        ) from None


class ReferenceStore(AuthorityViews):
    """Read-only access to the store's tables; small tables are read at once, the rest on demand."""

    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self._authorities = self._read("authorities")
        self._lsoas = {geo: self._read(f"lsoa_{geo}") for geo in GEOGRAPHY_BY_IMD_YEAR.values()}
        self._lsoa_lookup = self._read("lsoa_11_21")
        self._ethnicity_children = self._read("ethnicity_children_la")
        self._cwip = self._read("cwip_gradient")
        self._by_code = self._authorities.set_index("la_code", drop=False)
        release_freed_memory()

    # Tables are shared by every session of the process: callers get their own (copy-on-write)
    # frame, so adding or changing a column never alters the store.

    @property
    def authorities(self) -> pd.DataFrame:
        """The 153 current upper-tier authorities."""
        return self._authorities.copy(deep=False)

    @property
    def lsoa_lookup(self) -> pd.DataFrame:
        """Exact-fit LSOA 2011 to 2021 pairs with children's apportioning weights."""
        return self._lsoa_lookup.copy(deep=False)

    @property
    def ethnicity_children(self) -> pd.DataFrame:
        """Census 2021 children 0-15 by broad ethnic group per authority and for England."""
        return self._ethnicity_children.copy(deep=False)

    @property
    def cwip(self) -> pd.DataFrame:
        """The CWIP national gradient of CPP and CLA rates by decile."""
        return self._cwip.copy(deep=False)

    def _path(self, name: str) -> Path:
        """Where a store table lives; a clear error if it is not there."""
        path = self.store_dir / f"{name}.parquet"
        if not path.is_file():
            raise StoreMissing(
                f"The reference store in {self.store_dir} has no table {name!r}. "
                f"Build it with: {BUILD_COMMAND}"
            )
        return path

    def _read(self, name: str) -> pd.DataFrame:
        """One whole table."""
        return pd.read_parquet(self._path(name))

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        """All English LSOAs of the geography the index year uses (one row each)."""
        return self._lsoas[geography_for(imd_year)].copy(deep=False)

    def authority(self, la_code: str) -> pd.Series:
        """One authority's row, or a clear error naming the unknown code."""
        code = str(la_code).strip().upper()
        if code not in self._by_code.index:
            raise UnknownAuthority(
                f"{la_code!r} is not a current English upper-tier authority code "
                "(run `csc-inequalities areas` for the list, e.g. E06000009 Blackpool)."
            )
        return self._by_code.loc[code]

    def boundaries(self, imd_year: int, la_code: str) -> gpd.GeoDataFrame:
        """The authority's LSOA polygons (EPSG:4326) for the index year's geography."""
        code = str(self.authority(la_code)["la_code"])
        return _boundaries(self._path(f"boundaries_{geography_for(imd_year)}"), code).copy()

    def postcodes(self) -> pd.DataFrame:
        """Every English postcode with its 2011 and 2021 LSOA and authority (2.3 million rows).

        The app never holds this: it reads the postcodes it needs with `postcodes_for` and
        `postcodes_in`, which keeps about 200 MB out of every server process.
        """
        return all_postcode_rows(self._path("postcodes"))

    def postcodes_for(self, postcodes: Iterable[str]) -> pd.DataFrame:
        """The directory's rows for these postcodes (upper case, no spaces), read from disk."""
        return rows_for_postcodes(self._path("postcodes"), postcodes)

    def postcodes_in(self, la_codes: Iterable[str]) -> pd.DataFrame:
        """Every postcode of these authorities, read from disk."""
        return rows_in_authorities(self._path("postcodes"), la_codes)

    def table(self, name: str) -> pd.DataFrame:
        """Any other table in the store by name (e.g. 'dfe_b1')."""
        return _table(self._path(name)).copy(deep=False)


@functools.lru_cache(maxsize=512)
def _boundaries(path: Path, la_code: str) -> gpd.GeoDataFrame:
    """One authority's rows of a boundary table, read through the row-group statistics."""
    return gpd.read_parquet(path, filters=[("la_code", "==", la_code)])


@functools.lru_cache(maxsize=32)
def _table(path: Path) -> pd.DataFrame:
    """A further store table, read once per process."""
    return pd.read_parquet(path)


@functools.lru_cache(maxsize=4)
def load_store(store_dir: Path | None = None) -> ReferenceStore:
    """The process-wide reference store; StoreMissing says how to build it if it is not there."""
    folder = Path(store_dir) if store_dir is not None else paths.store_dir()
    if not (folder / "build_state.json").is_file():
        raise StoreMissing(f"No reference store in {folder}. Build it with: {BUILD_COMMAND}")
    return ReferenceStore(folder)
