"""Address extracts (child id, postcode or LSOA, optional validity dates) joined to spells."""

from __future__ import annotations

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
    rows = iss.excel_rows(frame.index)
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
    issues += [
        iss.issues_from_frame(
            addresses[missing_id], iss.DROPPED, iss.MISSING_FIELD, mapping["child_id"]
        ),
        iss.issues_from_frame(
            addresses[no_place], iss.DROPPED, iss.MISSING_FIELD, "postcode or LSOA code"
        ),
    ]
    return addresses[~(missing_id | no_place)], iss.combine_issues(issues), notes


def addresses_at_start(spells: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Per spell (same index): the postcode and LSOA valid at its start, and whether a fallback."""
    keyed = spells[["child_id", "start_date"]].rename_axis("spell").reset_index()
    pairs = keyed.merge(
        addresses[["child_id", "postcode", "lsoa_code", "from_date", "to_date"]],
        on="child_id",
        how="inner",
    )
    starts = pairs["start_date"]
    valid = (pairs["from_date"].isna() | pairs["from_date"].le(starts)) & (
        pairs["to_date"].isna() | pairs["to_date"].ge(starts)
    )
    gap_before = (pairs["from_date"] - starts).dt.days.clip(lower=0)
    gap_after = (starts - pairs["to_date"]).dt.days.clip(lower=0)
    pairs["distance"] = gap_before.fillna(0) + gap_after.fillna(0)
    pairs["fallback"] = ~valid
    pairs["recency"] = pairs["from_date"].fillna(pd.Timestamp.min)
    chosen = pairs.sort_values(
        ["spell", "fallback", "distance", "recency"],
        ascending=[True, True, True, False],
        kind="stable",
    ).drop_duplicates("spell")
    chosen = chosen.set_index("spell").reindex(spells.index)
    return pd.DataFrame(
        {
            "postcode": chosen["postcode"],
            "lsoa_code": chosen["lsoa_code"],
            "has_address": chosen["distance"].notna(),
            "address_fallback": chosen["fallback"].fillna(False).astype(bool),
        },
        index=spells.index,
    )
