"""Postcodes and LSOA codes to both LSOA geographies, and whether each lies in the authority."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LSOA_2011_YEAR = 2019
LSOA_2021_YEAR = 2025

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
class GeographyTables:
    """The reference tables geography needs, indexed once for fast vectorised look-ups."""

    postcodes: pd.DataFrame
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
    postcodes: pd.DataFrame,
    lsoa_lookup: pd.DataFrame,
    lsoas_2011: pd.DataFrame,
    lsoas_2021: pd.DataFrame,
) -> GeographyTables:
    """Index the postcode directory (hash table built now, not on the first upload) and lookups."""
    table = postcodes[["postcode", "lsoa11_code", "lsoa21_code"]].set_index("postcode")
    if not table.index.is_unique:
        table = table[~table.index.duplicated()]
    table.index.get_indexer(table.index[:1])
    return GeographyTables(
        postcodes=table,
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
    tables = geography_tables(
        store.postcodes(),
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
    """Both LSOA codes per record, from its LSOA code when given and known, else its postcode."""
    if lsoa_codes is None and postcodes is None:
        raise ValueError("locate needs postcodes or LSOA codes")
    if lsoa_codes is not None and lsoa_codes.isna().all() and postcodes is not None:
        lsoa_codes = None
    from_lsoa = resolve_lsoa_codes(lsoa_codes, tables) if lsoa_codes is not None else None
    from_postcode = resolve_postcodes(postcodes, tables) if postcodes is not None else None
    if from_lsoa is None:
        return from_postcode
    if from_postcode is None:
        return from_lsoa
    use_postcode = from_lsoa["geo_status"].ne(STATUS_OK) & from_postcode["geo_status"].ne(
        STATUS_MISSING
    )
    return from_lsoa.where(~use_postcode, from_postcode)


def in_authority(located: pd.DataFrame, la_code: str, tables: GeographyTables) -> pd.Series:
    """True where a record's 2021 or 2011 LSOA belongs to the chosen authority."""
    la_21 = located["lsoa21_code"].map(tables.lsoa21_la)
    la_11 = located["lsoa11_code"].map(tables.lsoa11_la)
    return (la_21.eq(la_code) | la_11.eq(la_code)).fillna(False).astype(bool)


def change_counts(located: pd.DataFrame) -> dict[str, int]:
    """How many records sat on LSOAs split, merged or redrawn between 2011 and 2021."""
    changes = located.loc[located["geo_change"].isin(list(CHANGE_NAMES)), "geo_change"]
    return {code: int(count) for code, count in changes.value_counts().items()}
