"""Address extracts (child id, postcode or LSOA, optional validity dates) joined to spells."""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from csc_inequalities.records import issues as iss
from csc_inequalities.records.fields import match_by_values, match_columns
from csc_inequalities.records.issues import RecordsError
from csc_inequalities.records.sniff import Table
from csc_inequalities.records.values import normalise_child_ids, read_dates

ADDRESS_EXTRACT = "Address extract"
ADDRESS_FIELDS = ("child_id", "postcode", "lsoa_code", "from_date", "to_date")
ADDRESS_RULE = (
    "CIN census files hold no address: each CIN episode and plan is placed at the address in "
    "the address extract that was valid on its start date (the nearest address in time when "
    "none was, listed as a warning)."
)


def address_mapping(columns: list[str], frame: pd.DataFrame | None = None) -> dict[str, str] | None:
    """The address columns of a table (by name, then by values), or None if it is not one."""
    mapping = match_columns(columns, ADDRESS_FIELDS)
    if frame is not None:
        mapping |= match_by_values(frame, ADDRESS_FIELDS, mapping)
    if "child_id" in mapping and ("postcode" in mapping or "lsoa_code" in mapping):
        return mapping
    return None


def read_addresses(table: Table) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Usable addresses (child id, postcode, LSOA, validity dates), issues, and date notes."""
    mapping = address_mapping(list(table.frame.columns), table.frame)
    if mapping is None:
        raise RecordsError(
            f"{table.label} is not an address extract: expected a child identifier column and "
            "a postcode or LSOA code column (optional valid-from and valid-to dates)."
        )
    frame = table.frame
    blank = pd.Series(pd.NA, index=frame.index, dtype="str")
    rows = table.row_numbers
    addresses = pd.DataFrame(
        {
            "child_id": normalise_child_ids(frame[mapping["child_id"]]),
            "postcode": frame[mapping["postcode"]] if "postcode" in mapping else blank,
            "lsoa_code": frame[mapping["lsoa_code"]] if "lsoa_code" in mapping else blank,
            "source_file": table.label,
            "source_row": rows,
        }
    )
    issues, notes = [], []
    for field in ("from_date", "to_date"):
        values = frame[mapping[field]] if field in mapping else blank
        column = read_dates(values)
        addresses[field] = column.dates
        issues += [
            iss.issues_from_frame(
                addresses[column.unreadable],
                iss.WARNING,
                iss.UNREADABLE_DATE,
                f"{mapping.get(field)} (address treated as open-ended)",
            ),
            iss.issues_from_frame(
                addresses[column.ambiguous],
                iss.WARNING,
                iss.AMBIGUOUS_DATE,
                iss.AMBIGUOUS_DETAIL.format(column=mapping.get(field))
                + " (address treated as open-ended)",
            ),
        ]
        if note := column.note(f"{table.label}, column {mapping.get(field)}"):
            notes.append(note)
    missing_id = addresses["child_id"].isna()
    no_place = addresses["postcode"].isna() & addresses["lsoa_code"].isna() & ~missing_id
    ends_first = addresses["to_date"].lt(addresses["from_date"]) & ~missing_id & ~no_place
    issues += [
        iss.issues_from_frame(
            addresses[missing_id], iss.DROPPED, iss.MISSING_FIELD, mapping["child_id"]
        ),
        iss.issues_from_frame(
            addresses[no_place], iss.DROPPED, iss.MISSING_FIELD, "postcode or LSOA code"
        ),
        iss.issues_from_frame(
            addresses[ends_first],
            iss.DROPPED,
            iss.END_BEFORE_START,
            f"{mapping.get('to_date')} is before {mapping.get('from_date')}",
        ),
    ]
    return addresses[~(missing_id | no_place | ends_first)], iss.combine_issues(issues), notes


def addresses_at_start(spells: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Per spell (same index): the postcode and LSOA valid at its start, and whether a fallback.

    The address valid on the start date is used (the one that began most recently, where
    several were); where none was, the nearest in time. One sweep per child over addresses
    sorted by start, with a heap of those begun, keeps this linear in the rows (up to a log):
    a child repeated across a large file no longer pairs every spell with every address.
    """
    chosen = np.full(len(spells), -1, dtype=np.int64)
    fallback = np.zeros(len(spells), dtype=bool)
    if len(spells) and len(addresses):
        codes, _ = pd.factorize(
            pd.concat([spells["child_id"], addresses["child_id"]], ignore_index=True)
        )
        spell_child, address_child = codes[: len(spells)], codes[len(spells) :]
        spell_start = _day_numbers(spells["start_date"], NEVER_BEFORE)
        begins = _day_numbers(addresses["from_date"], NEVER_BEFORE)
        ends = _day_numbers(addresses["to_date"], NEVER_AFTER)
        address_order = np.lexsort((np.arange(len(addresses)), begins, address_child))
        spell_order = np.lexsort((spell_start, spell_child))
        _sweep(
            spell_child[spell_order].tolist(),
            spell_start[spell_order].tolist(),
            address_child[address_order].tolist(),
            begins[address_order].tolist(),
            ends[address_order].tolist(),
            address_order.tolist(),
            spell_order.tolist(),
            chosen,
            fallback,
        )
    found = chosen >= 0
    picked = addresses.iloc[np.where(found, chosen, 0)] if len(addresses) else None

    def column(name: str) -> pd.Series:
        values = (
            picked[name].to_numpy(dtype=object).copy()
            if picked is not None
            else np.full(len(spells), None, dtype=object)
        )
        values[~found] = None
        return pd.Series(values, index=spells.index, dtype="object")

    return pd.DataFrame(
        {
            "postcode": column("postcode"),
            "lsoa_code": column("lsoa_code"),
            "has_address": found,
            "address_fallback": fallback & found,
        },
        index=spells.index,
    )


NEVER_BEFORE = np.iinfo(np.int64).min // 2
NEVER_AFTER = np.iinfo(np.int64).max // 2


def _day_numbers(dates: pd.Series, missing: int) -> np.ndarray:
    """Dates as whole days since 1970, a missing date as the given extreme."""
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]").astype(np.int64)
    return np.where(pd.isna(dates).to_numpy(), missing, days)


def _sweep(
    spell_child: list[int],
    spell_start: list[int],
    address_child: list[int],
    begins: list[int],
    ends: list[int],
    address_rows: list[int],
    spell_rows: list[int],
    chosen: np.ndarray,
    fallback: np.ndarray,
) -> None:
    """Fill `chosen` (address row per spell row) and `fallback`, spells and addresses sorted."""
    position, total = 0, len(address_child)
    current = None
    begun: list[tuple[int, int, int]] = []
    latest_end: tuple[int, int, int] | None = None
    for child, start, spell_row in zip(spell_child, spell_start, spell_rows, strict=True):
        if child != current:
            current, begun, latest_end = child, [], None
            while position < total and address_child[position] < child:
                position += 1
        while position < total and address_child[position] == child and begins[position] <= start:
            row = address_rows[position]
            heapq.heappush(begun, (-begins[position], row, ends[position]))
            key = (ends[position], begins[position], -row)
            latest_end = key if latest_end is None or key > latest_end else latest_end
            position += 1
        while begun and begun[0][2] < start:
            heapq.heappop(begun)  # ended before this start, so before every later one too
        if begun:
            chosen[spell_row] = begun[0][1]
            continue
        after = position if position < total and address_child[position] == child else None
        before_gap = start - latest_end[0] if latest_end is not None else None
        if after is not None and (before_gap is None or begins[after] - start <= before_gap):
            chosen[spell_row] = address_rows[after]
        elif latest_end is not None:
            chosen[spell_row] = -latest_end[2]
        fallback[spell_row] = chosen[spell_row] >= 0
