"""What is counted: children with an intervention open at a date, or spells starting in a year.

Rules (DfE definitions, applied to the canonical spells table):

- **Open at a reference date** (normally 31 March): a spell counts when it started on or
  before the date and either has no end date or ended *after* the date. A spell ending on
  31 March itself ceased during the year, so (as in the SSDA903 and CIN census tables) it is
  not open at 31 March. Each child is counted once per intervention, in the LSOA of their
  most recently started open spell.
- **Starts during the year**: spells starting from 1 April to 31 March inclusive. As DfE
  counts them, CIN episodes and child protection plans are counted as spells (a child with
  two plans starting in the year counts twice), while children starting to be looked after
  are counted once, on the first occasion in the year.
- CIN referrals that ended in no further action (``cin_nfa``) are never counted.
- Ethnic groups are aligned with Census 2021 for rates: DfE places Chinese (CHNE) under
  Other, the Census under Asian, so CHNE records are counted as Asian.
- A measure may count only one age band and sex (``Measure.who``): the child's age on the
  reference date (open at a date) or at the start (starts), after the rules above have chosen
  the spells (see ``population``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.results.population import EVERYONE, Who

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult

INTERVENTIONS = ("CIN", "CPP", "CLA")
COUNT_KINDS = ("at_date", "starts")
YEAR_END_MONTH, YEAR_END_DAY = 3, 31

_NOUNS = {
    "CIN": ("children in need", "children in need episodes starting"),
    "CPP": ("children on a child protection plan", "child protection plans starting"),
    "CLA": ("children looked after", "children starting to be looked after"),
}
_LIKELY_TO = {
    ("CIN", "at_date"): "to be a child in need",
    ("CPP", "at_date"): "to be on a child protection plan",
    ("CLA", "at_date"): "to be looked after",
    ("CIN", "starts"): "to start an episode of need",
    ("CPP", "starts"): "to start a child protection plan",
    ("CLA", "starts"): "to start to be looked after",
}
COVERED_YEAR_SHARE = 0.2
# An end date this long after the latest start is a plan (no authority goes a year without a
# new spell), not an event.
PLANNED_END_AFTER = pd.Timedelta(days=366)
COUNTED_COLUMNS = ["child_id", "lsoa11_code", "lsoa21_code", "ethnic_group"]


def _format_date(day: date) -> str:
    """A date as people write it in reports (31 March 2024)."""
    return f"{day.day} {day:%B %Y}"


def year_ending(year: int) -> date:
    """The last day (31 March) of the DfE reporting year that ends in ``year``."""
    return date(year, YEAR_END_MONTH, YEAR_END_DAY)


def last_year_ended(today: date) -> int:
    """The latest reporting year whose 31 March has come."""
    return today.year if today >= year_ending(today.year) else today.year - 1


def reporting_year(day: pd.Timestamp | date) -> int:
    """The year whose 31 March closes the 1 April-31 March year containing ``day``."""
    return day.year if (day.month, day.day) <= (YEAR_END_MONTH, YEAR_END_DAY) else day.year + 1


@dataclass(frozen=True)
class Measure:
    """One choice of intervention and count; every result is computed for exactly one."""

    intervention: str
    count_kind: str
    reference_date: date
    who: Who = EVERYONE

    def __post_init__(self) -> None:
        if self.intervention not in INTERVENTIONS:
            raise ValueError(f"intervention must be one of {', '.join(INTERVENTIONS)}")
        if self.count_kind not in COUNT_KINDS:
            raise ValueError(f"count_kind must be one of {', '.join(COUNT_KINDS)}")
        if self.count_kind == "starts" and (
            (self.reference_date.month, self.reference_date.day) != (YEAR_END_MONTH, YEAR_END_DAY)
        ):
            raise ValueError("a year of starts must end on 31 March")

    @classmethod
    def starts_in_year(cls, intervention: str, year: int) -> Measure:
        """Starts during the reporting year 1 April (year - 1) to 31 March (year)."""
        return cls(intervention, "starts", year_ending(year))

    @property
    def year(self) -> int:
        """The reporting year (ending 31 March) the reference date falls in."""
        return reporting_year(self.reference_date)

    @property
    def period_start(self) -> date:
        """First day of the year of starts (1 April of the previous year)."""
        return date(self.year - 1, 4, 1)

    def noun(self) -> str:
        """What is counted, in words (children looked after / periods of care), and of whom."""
        children, spells = _NOUNS[self.intervention]
        noun = children if self.count_kind == "at_date" else spells
        if self.who.everyone:
            return noun
        if noun.startswith("children ") and (self.count_kind, self.intervention) != (
            "starts",
            "CIN",
        ):
            return f"{self.who.people()}{noun.removeprefix('children')}"
        return f"{noun} for {self.who.people()}"

    def when(self) -> str:
        """The date or period, in words."""
        if self.count_kind == "at_date":
            return f"at {_format_date(self.reference_date)}"
        period = f"{_format_date(self.period_start)} to {_format_date(self.reference_date)}"
        return f"in the year {period}"

    def label(self) -> str:
        """A full label for titles and captions (naming the age band and sex, if any)."""
        noun = _NOUNS[self.intervention][0 if self.count_kind == "at_date" else 1]
        return f"{noun[0].upper()}{noun[1:]} {self.when()}{self.who.suffix()}"

    def series_label(self) -> str:
        """A label for results over several years (no single date)."""
        noun = _NOUNS[self.intervention][0 if self.count_kind == "at_date" else 1]
        when = "at 31 March each year" if self.count_kind == "at_date" else "each year to 31 March"
        return f"{noun[0].upper()}{noun[1:]} {when}{self.who.suffix()}"

    def likely_to(self) -> str:
        """The verb phrase for plain-language sentences ('to be looked after')."""
        return _LIKELY_TO[(self.intervention, self.count_kind)]


def spells_of(records: LoadResult | pd.DataFrame) -> pd.DataFrame:
    """The spells table of a LoadResult, or the table itself."""
    return records if isinstance(records, pd.DataFrame) else records.spells


def latest_recorded_date(spells: pd.DataFrame, today: date | None = None) -> pd.Timestamp:
    """The last day the records describe: their latest start, or a recorded end after it.

    Case systems hold planned end dates: an end after today, or more than a year after the
    latest start (no authority goes a year without a new spell), is a plan, not an event,
    and does not extend what the records cover.
    """
    starts = spells["start_date"].to_numpy(dtype="datetime64[ns]")
    starts = starts[~np.isnat(starts)]
    if not len(starts):
        return pd.NaT
    last_start = starts.max()
    now = np.datetime64(pd.Timestamp(today or date.today()), "ns")
    ends = spells["end_date"].to_numpy(dtype="datetime64[ns]")
    recorded_ends = ends[(ends <= now) & (ends <= last_start + PLANNED_END_AFTER.to_timedelta64())]
    return pd.Timestamp(max(last_start, recorded_ends.max()) if len(recorded_ends) else last_start)


def available_years(spells: pd.DataFrame, today: date | None = None) -> list[int]:
    """Reporting years the records cover: the latest year, and years with many closures.

    A return holds every spell open during its own collection years, so early starts alone
    do not make an early year complete, and a few early closures (plans reported inside a
    still-open CIN episode) do not either: a year counts as covered when at least
    COVERED_YEAR_SHARE as many spells ended in it as in the year with most closures. The
    latest year is the one holding the last recorded event (planned end dates are not
    events), and never one whose 31 March is still to come.
    """
    if spells.empty:
        return []
    now = today or date.today()
    latest = latest_recorded_date(spells, now)
    last_year = min(reporting_year(latest), last_year_ended(now))
    ends = spells["end_date"].to_numpy(dtype="datetime64[ns]")
    ends = pd.DatetimeIndex(ends[~np.isnat(ends)])
    years, closures = np.unique(ends.year + (ends.month >= 4), return_counts=True)
    covered = years[closures >= COVERED_YEAR_SHARE * closures.max()] if len(years) else years
    return sorted({int(year) for year in covered if year <= last_year} | {last_year})


def offered_years(records: LoadResult | pd.DataFrame) -> list[int]:
    """The reporting years to offer for a load: those its spells cover, else the latest ended.

    Counts per LSOA carry no date, and a load whose records were all refused covers no year;
    both still get a year, so the analysis runs and says what the counts or the refusals are
    instead of the page waiting for a year that never comes.
    """
    return available_years(spells_of(records)) or [default_measure(spells_of(records)).year]


def default_measure(spells: pd.DataFrame, intervention: str = "CPP") -> Measure:
    """Children open at 31 March of the latest reporting year in the records."""
    years = available_years(spells_of(spells))
    if not years:
        return Measure(intervention, "at_date", year_ending(last_year_ended(date.today())))
    return Measure(intervention, "at_date", year_ending(years[-1]))


def census_group(spells: pd.DataFrame) -> pd.Series:
    """Major ethnic group aligned with Census 2021 (DfE's Chinese code CHNE moved to Asian)."""
    chinese = spells["ethnicity_code"].to_numpy(dtype=object) == "CHNE"
    return spells["ethnic_group"].where(~chinese, "Asian").fillna("Not known")


def intervention_mask(spells: pd.DataFrame, intervention: str) -> np.ndarray:
    """Which spells are of one intervention and can count (CIN referrals ending in NFA never do)."""
    keep = (spells["intervention"] == intervention).to_numpy(dtype=bool, copy=True)
    if intervention == "CIN" and "cin_nfa" in spells:
        keep &= ~spells["cin_nfa"].fillna(False).to_numpy(dtype=bool)
    return keep


def intervention_spells(spells: pd.DataFrame, intervention: str) -> pd.DataFrame:
    """Spells of one intervention that can count."""
    return spells[intervention_mask(spells, intervention)]


def counted_spells(
    spells: pd.DataFrame, measure: Measure, extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The rows the measure counts: one per child, or one per spell for CIN and CPP starts.

    ``extra`` names further spell columns to keep (e.g. birth date and sex, to split by age).
    """
    keep = intervention_mask(spells, measure.intervention)
    day = pd.Timestamp(measure.reference_date)
    start = spells["start_date"].to_numpy(dtype="datetime64[ns]")
    if measure.count_kind == "at_date":
        end = spells["end_date"].to_numpy(dtype="datetime64[ns]")
        keep &= (start <= day.to_datetime64()) & (np.isnat(end) | (end > day.to_datetime64()))
    else:
        first = pd.Timestamp(measure.period_start).to_datetime64()
        keep &= (start >= first) & (start <= day.to_datetime64())
    # Only the columns needed, and the rows chosen, are copied (spells can be 100,000 rows).
    needed = [*COUNTED_COLUMNS, "start_date", "ethnicity_code", "sex", "date_of_birth", *extra]
    chosen = spells[list(dict.fromkeys(needed))].iloc[np.flatnonzero(keep)]
    if measure.count_kind == "at_date":
        chosen = chosen.sort_values("start_date").drop_duplicates("child_id", keep="last")
    elif measure.intervention == "CLA":
        chosen = chosen.sort_values("start_date").drop_duplicates("child_id", keep="first")
    if not measure.who.everyone:
        on = day.to_datetime64() if measure.count_kind == "at_date" else chosen["start_date"]
        chosen = chosen[measure.who.keep(chosen["sex"], chosen["date_of_birth"], on)]
    return chosen[[*COUNTED_COLUMNS, *extra]].assign(ethnic_group=census_group(chosen))


def _counts_of(records: LoadResult | pd.DataFrame) -> pd.DataFrame | None:
    """The aggregate LSOA counts of a LoadResult, if the upload was counts."""
    counts = getattr(records, "counts", None)
    if not isinstance(counts, pd.DataFrame) or counts.empty:
        return None
    return counts if spells_of(records).empty else None


def counts_on_geography(
    counts: pd.DataFrame, geography: int, lookup: pd.DataFrame | None
) -> pd.DataFrame:
    """Uploaded LSOA counts on one geography: rows on the other one apportioned by children.

    Each uploaded row is held once, on its own geography, so this is the only place a count
    crosses between 2011 and 2021 LSOAs; the shares of a split LSOA can make counts fractional.
    """
    native = counts["geography"].astype(int) == geography
    parts = [counts[native]]
    other = counts[~native]
    if not other.empty and lookup is not None:
        if geography == 2021:
            source, target, weight = "lsoa11_code", "lsoa21_code", "weight_11_to_21"
        else:
            source, target, weight = "lsoa21_code", "lsoa11_code", "weight_21_to_11"
        joined = other.merge(
            lookup[[source, target, weight]], left_on="lsoa_code", right_on=source, how="inner"
        )
        parts.append(
            joined.assign(
                lsoa_code=joined[target],
                count=joined["count"] * joined[weight],
                geography=geography,
            )[list(counts.columns)]
        )
    return pd.concat(parts, ignore_index=True)


def count_by_lsoa(
    records: LoadResult | pd.DataFrame,
    measure: Measure,
    geography: int,
    lookup: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Counted children (or starts) per LSOA and ethnic group, the numerator of every rate.

    Children counted without an LSOA on this geography appear in one row per ethnic group
    with a missing ``lsoa_code``, so nothing counted is lost from totals.

    Aggregate count uploads (``records.counts``) are used as given for the intervention;
    counts on the other LSOA geography are apportioned with ``lookup`` (the store's
    2011-2021 lookup), which can give fractional counts.
    """
    counts = _counts_of(records)
    if counts is not None:
        chosen = counts[counts["intervention"] == measure.intervention]
        rows = counts_on_geography(chosen, geography, lookup)[
            ["lsoa_code", "ethnic_group", "count"]
        ]
        rows["ethnic_group"] = rows["ethnic_group"].fillna("Not known")
    else:
        spells = spells_of(records)
        column = "lsoa11_code" if geography == 2011 else "lsoa21_code"
        counted = counted_spells(spells, measure)
        rows = counted.rename(columns={column: "lsoa_code"}).assign(count=1)
    if rows.empty:
        return pd.DataFrame(
            {
                "lsoa_code": pd.Series(dtype="str"),
                "ethnic_group": pd.Series(dtype="str"),
                "count": pd.Series(dtype="float"),
            }
        )
    lsoa_codes, lsoa_values = pd.factorize(rows["lsoa_code"], use_na_sentinel=False)
    group_codes, group_values = pd.factorize(rows["ethnic_group"], use_na_sentinel=False)
    cell = lsoa_codes * len(group_values) + group_codes
    totals = np.bincount(cell, weights=rows["count"].to_numpy(dtype=float))
    present = np.flatnonzero(np.bincount(cell))
    return pd.DataFrame(
        {
            "lsoa_code": lsoa_values.take(present // len(group_values)),
            "ethnic_group": group_values.take(present % len(group_values)),
            "count": totals[present],
        }
    )
