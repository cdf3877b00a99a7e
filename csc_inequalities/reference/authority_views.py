"""One way, for every store, to see a single authority: its LSOAs and its name.

The real reference store and the small stores the tests build both take these methods from
`AuthorityViews`, so an authority's LSOAs are selected, sorted and cached in one place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol, runtime_checkable

import pandas as pd

# Authorities whose LSOAs are kept ready per process (each a few hundred rows).
CACHED_AUTHORITIES = 64


class UnknownAuthority(KeyError, ValueError):
    """An authority code that is not one of the 153 current upper-tier authorities."""

    def __str__(self) -> str:
        return str(self.args[0])


@runtime_checkable
class Store(Protocol):
    """What the core reads from a reference store; the real store and test stores satisfy it."""

    # Results are cached per store object (functools.lru_cache), so a store must be hashable.
    def __hash__(self) -> int: ...

    @property
    def authorities(self) -> pd.DataFrame: ...

    @property
    def lsoa_lookup(self) -> pd.DataFrame: ...

    @property
    def ethnicity_children(self) -> pd.DataFrame: ...

    @property
    def cwip(self) -> pd.DataFrame: ...

    def lsoas(self, imd_year: int) -> pd.DataFrame: ...

    def authority_lsoas(self, imd_year: int, la_code: str) -> pd.DataFrame: ...

    def authority_lsoa_codes(self, imd_year: int, la_code: str) -> frozenset[str]: ...

    def authority_name(self, la_code: str) -> str: ...

    def table(self, name: str) -> pd.DataFrame:
        """A published table by name (e.g. 'dfe_b1'), read by the DfE comparison in context/."""
        ...


class AuthorityViews:
    """Per-authority views computed from `lsoas()` and `authorities`, the same for every store."""

    authorities: pd.DataFrame  # provided by the store

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        """All English LSOAs of the index year's geography (provided by the store)."""
        raise NotImplementedError

    def authority_lsoas(self, imd_year: int, la_code: str) -> pd.DataFrame:
        """The authority's LSOAs in national rank order (most deprived first), cached."""
        cache, lock = self._views()
        key = (int(imd_year), str(la_code))
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key].copy(deep=False)
        table = self.lsoas(imd_year)
        rows = table[table["la_code"] == key[1]]
        if rows.empty:
            raise UnknownAuthority(
                f"No LSOAs found for authority {la_code!r} in IMD {imd_year}: it is not a "
                "current English upper-tier authority (run `csc-inequalities areas` for the list)."
            )
        rows = rows.sort_values("imd_rank", kind="stable").reset_index(drop=True)
        with lock:
            cache[key] = rows
            while len(cache) > CACHED_AUTHORITIES:
                cache.popitem(last=False)
        return rows.copy(deep=False)

    def authority_lsoa_codes(self, imd_year: int, la_code: str) -> frozenset[str]:
        """The authority's LSOA codes, for membership tests."""
        return frozenset(self.authority_lsoas(imd_year, la_code)["lsoa_code"])

    def authority_name(self, la_code: str) -> str:
        """The authority's official name; an unknown code is a clear error."""
        names = self.__dict__.get("_authority_names")
        if names is None:
            table = self.authorities
            found = dict(
                zip(table["la_code"].astype(str), table["la_name"].astype(str), strict=True)
            )
            names = self.__dict__.setdefault("_authority_names", found)
        name = names.get(str(la_code).strip().upper())
        if name is None:
            raise UnknownAuthority(
                f"{la_code!r} is not a current English upper-tier authority code "
                "(run `csc-inequalities areas` for the list, e.g. E06000009 Blackpool)."
            )
        return name

    def _views(self) -> tuple[OrderedDict, threading.Lock]:
        """This store's cache of authority views, made on first use."""
        views = self.__dict__.get("_authority_views")
        if views is None:
            views = self.__dict__.setdefault("_authority_views", (OrderedDict(), threading.Lock()))
        return views
