"""Postcodes and LSOA codes to both LSOA geographies, and whether each lies in the authority."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LSOA_2011_YEAR = 2019
LSOA_2021_YEAR = 2025

KEY_WIDTH = 8  # the longest postcode without its space has 7 characters
STATUS_OK = "ok"
STATUS_MISSING = "missing"
STATUS_UNKNOWN_POSTCODE = "unknown postcode"
STATUS_UNKNOWN_LSOA = "unknown LSOA code"

CHANGE_NAMES = {
    "S": "split between 2011 and 2021 (assigned to the part with the most children)",
    "M": "merged with a neighbour between 2011 and 2021",
    "X": "redrawn between 2011 and 2021 (assigned to the part with the most children)",
}


@dataclass(frozen=True)
class PostcodeIndex:
    """The postcode directory as a sorted byte array: 2.3 million keys in about 16 MB.

    A pandas string index of the same keys costs about 160 MB per process (a Python object
    per postcode in its hash table); a binary search over fixed-width bytes finds 100,000
    postcodes in a few tens of milliseconds.
    """

    keys: np.ndarray
    lsoa11_code: pd.Categorical
    lsoa21_code: pd.Categorical

    @classmethod
    def from_directory(cls, postcodes: pd.DataFrame) -> PostcodeIndex:
        """Sort the directory once by postcode; the first of any repeated postcode is kept."""
        keys = _fixed_width_keys(postcodes["postcode"])
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        order, keys = order[first], keys[first]
        return cls(
            keys=keys,
            lsoa11_code=pd.Categorical(postcodes["lsoa11_code"]).take(order),
            lsoa21_code=pd.Categorical(postcodes["lsoa21_code"]).take(order),
        )

    def reindex(self, wanted: pd.Series) -> pd.DataFrame:
        """Both LSOA codes for each wanted postcode (normalised), missing where unknown."""
        probe = wanted.str.ljust(KEY_WIDTH).to_numpy(dtype=f"S{KEY_WIDTH}")
        position = np.searchsorted(self.keys, probe).clip(0, max(len(self.keys) - 1, 0))
        found = (self.keys[position] == probe) if len(self.keys) else np.zeros(len(probe), bool)
        found &= wanted.str.len().to_numpy() <= KEY_WIDTH
        position = np.where(found, position, -1)
        return pd.DataFrame(
            {
                "lsoa11_code": _take_or_missing(self.lsoa11_code, position),
                "lsoa21_code": _take_or_missing(self.lsoa21_code, position),
            }
        )


class StorePostcodes:
    """The store's postcode file, read for just the postcodes of each upload.

    Holding the whole directory and its index would cost every server process about 200 MB;
    reading the 20,000 distinct postcodes of a large upload takes about 0.15 s.
    """

    def __init__(self, store) -> None:
        self.store = store

    def reindex(self, wanted: pd.Series) -> pd.DataFrame:
        """Both LSOA codes for each wanted postcode (normalised), missing where unknown."""
        rows = self.store.postcodes_for(wanted.unique())
        return PostcodeIndex.from_directory(rows).reindex(wanted)


def _fixed_width_keys(postcodes: pd.Series) -> np.ndarray:
    """Postcodes as space-padded 8-byte keys, made in Arrow without a Python string per row."""
    values = pa.array(postcodes, type=pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    padded = pc.utf8_rpad(values, width=KEY_WIDTH, padding=" ")
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int32)
    offsets = offsets[padded.offset : padded.offset + len(padded) + 1]
    if padded.null_count or not (np.diff(offsets) == KEY_WIDTH).all():
        return postcodes.str.ljust(KEY_WIDTH).to_numpy(dtype=f"S{KEY_WIDTH}")
    data = padded.buffers()[2]
    return np.frombuffer(
        data, dtype=f"S{KEY_WIDTH}", count=len(padded), offset=int(offsets[0])
    ).copy()


def _take_or_missing(codes: pd.Categorical, position: np.ndarray) -> np.ndarray:
    """Codes at the positions, None where the position is -1 (postcode not found)."""
    return np.asarray(codes.take(position, allow_fill=True), dtype=object)


@dataclass(frozen=True)
class GeographyTables:
    """The reference tables geography needs, indexed once for fast vectorised look-ups."""

    postcodes: PostcodeIndex | StorePostcodes
    lsoa11_la: pd.Series
    lsoa21_la: pd.Series
    best_21_for_11: pd.DataFrame
    best_11_for_21: pd.DataFrame


def best_parts(lookup: pd.DataFrame, source: str, target: str, weight: str) -> pd.DataFrame:
    """Per source LSOA, the target part with the largest share of children, and its change code."""
    ranked = lookup.sort_values([source, weight], ascending=[True, False], kind="stable")
    best = ranked.drop_duplicates(source)
    return best.set_index(source)[[target, "change_code"]]


def geography_tables(
    postcodes: pd.DataFrame | StorePostcodes,
    lsoa_lookup: pd.DataFrame,
    lsoas_2011: pd.DataFrame,
    lsoas_2021: pd.DataFrame,
) -> GeographyTables:
    """Index a postcode table (or keep the store's on-demand reader) and the lookups."""
    return GeographyTables(
        postcodes=(
            PostcodeIndex.from_directory(postcodes)
            if isinstance(postcodes, pd.DataFrame)
            else postcodes
        ),
        lsoa11_la=lsoas_2011.set_index("lsoa_code")["la_code"],
        lsoa21_la=lsoas_2021.set_index("lsoa_code")["la_code"],
        best_21_for_11=best_parts(lsoa_lookup, "lsoa11_code", "lsoa21_code", "weight_11_to_21"),
        best_11_for_21=best_parts(lsoa_lookup, "lsoa21_code", "lsoa11_code", "weight_21_to_11"),
    )


_TABLES_BY_STORE: dict[int, tuple[object, GeographyTables]] = {}


def store_geography(store) -> GeographyTables:
    """The indexed geography tables of a reference store, built once per store object."""
    cached = _TABLES_BY_STORE.get(id(store))
    if cached is not None and cached[0] is store:
        return cached[1]
    # The reference store reads postcodes on demand; small stand-in stores hand over a table.
    source = StorePostcodes(store) if hasattr(store, "postcodes_for") else store.postcodes()
    tables = geography_tables(
        source,
        store.lsoa_lookup,
        store.lsoas(LSOA_2011_YEAR),
        store.lsoas(LSOA_2021_YEAR),
    )
    _TABLES_BY_STORE.clear()
    _TABLES_BY_STORE[id(store)] = (store, tables)
    return tables


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Postcodes in the directory's form: upper case without spaces; blanks become missing."""
    cleaned = values.astype("str").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    return cleaned.where(values.notna() & cleaned.ne(""))


def normalise_lsoa_codes(values: pd.Series) -> pd.Series:
    """LSOA codes upper case without spaces; blanks become missing."""
    cleaned = values.astype("str").str.upper().str.strip()
    return cleaned.where(values.notna() & cleaned.ne(""))


def resolve_postcodes(values: pd.Series, tables: GeographyTables) -> pd.DataFrame:
    """Both LSOA codes of each postcode, with a status of ok, missing or unknown postcode."""
    keys = normalise_postcodes(values)
    found = tables.postcodes.reindex(keys.fillna(""))
    status = pd.Series(STATUS_OK, index=range(len(keys)), dtype="str")
    status[found["lsoa21_code"].isna().to_numpy()] = STATUS_UNKNOWN_POSTCODE
    status[keys.isna().to_numpy()] = STATUS_MISSING
    return pd.DataFrame(
        {
            "lsoa11_code": found["lsoa11_code"].to_numpy(),
            "lsoa21_code": found["lsoa21_code"].to_numpy(),
            "geo_status": status.to_numpy(),
            "geo_change": "",
        }
    )


def resolve_lsoa_codes(values: pd.Series, tables: GeographyTables) -> pd.DataFrame:
    """Both LSOA codes for codes of either geography; splits go to the largest part."""
    codes = normalise_lsoa_codes(values).reset_index(drop=True)
    is_2011 = pd.Series(tables.lsoa11_la.index.get_indexer(codes) >= 0)
    is_2021 = pd.Series(tables.lsoa21_la.index.get_indexer(codes) >= 0)
    to_2021 = tables.best_21_for_11.reindex(codes.where(is_2011 & ~is_2021))
    to_2011 = tables.best_11_for_21.reindex(codes.where(is_2021 & ~is_2011))
    lsoa11 = codes.where(is_2011, pd.Series(to_2011["lsoa11_code"].to_numpy()))
    lsoa21 = codes.where(is_2021, pd.Series(to_2021["lsoa21_code"].to_numpy()))
    change = (
        pd.Series(to_2021["change_code"].to_numpy())
        .fillna(pd.Series(to_2011["change_code"].to_numpy()))
        .fillna("U")
    )
    status = pd.Series(STATUS_OK, index=codes.index, dtype="str")
    status[~(is_2011 | is_2021)] = STATUS_UNKNOWN_LSOA
    status[codes.isna()] = STATUS_MISSING
    known = status.eq(STATUS_OK)
    return pd.DataFrame(
        {
            "lsoa11_code": lsoa11.where(known).to_numpy(),
            "lsoa21_code": lsoa21.where(known).to_numpy(),
            "geo_status": status.to_numpy(),
            "geo_change": change.where(known & change.ne("U"), "").to_numpy(),
        }
    )


def locate(
    postcodes: pd.Series | None, lsoa_codes: pd.Series | None, tables: GeographyTables
) -> pd.DataFrame:
    """Both LSOA codes per record, from its LSOA code when given and known, else its postcode.

    ``location_conflict`` marks records whose postcode lies in another LSOA than their code.
    """
    if lsoa_codes is not None and lsoa_codes.isna().all() and postcodes is not None:
        lsoa_codes = None
    from_lsoa = resolve_lsoa_codes(lsoa_codes, tables) if lsoa_codes is not None else None
    from_postcode = resolve_postcodes(postcodes, tables) if postcodes is not None else None
    if from_postcode is None:
        if from_lsoa is None:
            raise ValueError("locate needs postcodes or LSOA codes")
        return from_lsoa.assign(location_conflict=False)
    if from_lsoa is None:
        return from_postcode.assign(location_conflict=False)
    use_postcode = from_lsoa["geo_status"].ne(STATUS_OK) & from_postcode["geo_status"].ne(
        STATUS_MISSING
    )
    both = from_lsoa["geo_status"].eq(STATUS_OK) & from_postcode["geo_status"].eq(STATUS_OK)
    conflict = both & from_lsoa["lsoa21_code"].ne(from_postcode["lsoa21_code"])
    return from_lsoa.where(~use_postcode, from_postcode).assign(location_conflict=conflict)


def in_authority(located: pd.DataFrame, la_code: str, tables: GeographyTables) -> pd.Series:
    """True where a record's 2021 or 2011 LSOA belongs to the chosen authority."""
    la_21 = located["lsoa21_code"].map(tables.lsoa21_la)
    la_11 = located["lsoa11_code"].map(tables.lsoa11_la)
    return (la_21.eq(la_code) | la_11.eq(la_code)).fillna(False).astype(bool)


def change_counts(located: pd.DataFrame) -> dict[str, int]:
    """How many records sat on LSOAs split, merged or redrawn between 2011 and 2021."""
    changes = located.loc[located["geo_change"].isin(list(CHANGE_NAMES)), "geo_change"]
    return {code: int(count) for code, count in changes.value_counts().items()}
