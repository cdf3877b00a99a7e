"""Who is counted: every child, or one DfE age band and sex, with denominators that follow.

A filter keeps the counted children (or spells) of the chosen age and sex, and replaces each
LSOA's children aged 0-17 by the children of that age and sex, so numerator and denominator
always describe the same children:

- **Age** is the child's age in whole years on the day that decides whether they count: the
  reference date for children open on a date, the start for starts in a year, the event's date
  for the decision cascade. Children with no recorded date of birth, or not yet born, are in
  no age band (they count only under all ages).
- **Age denominators** are the store's single years of age: ONS mid-2020 small-area estimates
  on 2011 LSOAs, carried to 2021 LSOAs by the exact-fit lookup with each year of age shared
  like all children (by Census 2021 children aged 0-15).
- **Sex denominators**: no published table gives children by sex for each LSOA. The store
  holds Census 2021 girls and boys aged 0-15 per authority (from the MSOA table), so each
  neighbourhood and year of age is given the authority's split, and the screen says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

ALL = "all"
AGE_BANDS: dict[str, tuple[str, int, int]] = {
    ALL: ("All ages (0 to 17)", 0, 17),
    "under_1": ("Under 1", 0, 0),
    "1_4": ("1 to 4", 1, 4),
    "5_9": ("5 to 9", 5, 9),
    "10_15": ("10 to 15", 10, 15),
    "16_17": ("16 and 17", 16, 17),
}
BANDS = tuple(band for band in AGE_BANDS if band != ALL)
SEXES: dict[str, str] = {ALL: "Girls and boys", "F": "Girls", "M": "Boys"}
AGE_COLUMNS = [f"age_{age}" for age in range(18)]
SEX_TABLE = "children_sex_la"
_AGE_WORDS = {"under_1": "aged under 1", "16_17": "aged 16 and 17"}


@dataclass(frozen=True)
class Who:
    """The children a result counts: an age band (DfE's) and a sex, or all of them."""

    age_band: str = ALL
    sex: str = ALL

    def __post_init__(self) -> None:
        if self.age_band not in AGE_BANDS:
            raise ValueError(f"age band must be one of {', '.join(AGE_BANDS)}")
        if self.sex not in SEXES:
            raise ValueError(f"sex must be one of {', '.join(SEXES)}")

    @property
    def everyone(self) -> bool:
        """True when no filter applies (all children aged 0-17, girls and boys)."""
        return self.age_band == ALL and self.sex == ALL

    @property
    def ages(self) -> tuple[int, int]:
        """The first and last whole year of age in the band."""
        _, first, last = AGE_BANDS[self.age_band]
        return first, last

    def age_words(self) -> str:
        """'aged 1 to 4', 'aged under 1', or 'aged 0-17' for all ages."""
        if self.age_band == ALL:
            return "aged 0-17"
        return _AGE_WORDS.get(self.age_band, f"aged {AGE_BANDS[self.age_band][0]}")

    def people(self) -> str:
        """Who the denominators count, in words: 'children aged 0-17', 'girls aged 1 to 4'."""
        noun = {"F": "girls", "M": "boys"}.get(self.sex, "children")
        return f"{noun} {self.age_words()}"

    def suffix(self) -> str:
        """What a label adds for the filter: '' for everyone, else ' (girls aged 1 to 4)'."""
        return "" if self.everyone else f" ({self.people()})"

    def slug(self) -> str:
        """The filter as a file-name part ('' for everyone), e.g. 'girls-1-4'."""
        if self.everyone:
            return ""
        parts = [{"F": "girls", "M": "boys"}[self.sex]] if self.sex != ALL else []
        if self.age_band != ALL:
            parts.append(self.age_band.replace("_", "-"))
        return "-".join(parts)

    def keep(self, sex: Any, date_of_birth: Any, on: Any) -> np.ndarray:
        """Which rows the filter counts; ``on`` is one date, a date per row, or rows x dates."""
        sexes = np.asarray(sex, dtype=object)
        day = np.asarray(on, dtype="datetime64[D]")
        if day.ndim == 2:
            sexes = sexes[:, None]
        wanted = np.ones(np.broadcast_shapes(sexes.shape, day.shape), dtype=bool)
        if self.sex != ALL:
            wanted &= sexes == self.sex
        if self.age_band != ALL:
            first, last = self.ages
            years = ages_on(date_of_birth, day)
            wanted &= (years >= first) & (years <= last)
        return wanted


EVERYONE = Who()


def _year_month_day(days: np.ndarray) -> np.ndarray:
    """Dates as numbers YYYYMMDD (NaN where missing), in the dates' shape."""
    flat = pd.DatetimeIndex(days.ravel().astype("datetime64[ns]"))
    number = flat.year * 10_000 + flat.month * 100 + flat.day
    return np.asarray(number, dtype=float).reshape(days.shape)


def ages_on(date_of_birth: Any, on: Any) -> np.ndarray:
    """Age in whole years on a date (NaN where either date is missing); broadcasts.

    With both dates as YYYYMMDD numbers, the age is their difference divided by 10,000 and
    rounded down: a birthday not yet reached that year leaves the difference short of it.
    """
    born = np.asarray(date_of_birth, dtype="datetime64[D]")
    day = np.asarray(on, dtype="datetime64[D]")
    if born.ndim == 1 and day.ndim == 2:
        born = born[:, None]
    return np.floor((_year_month_day(day) - _year_month_day(born)) / 10_000)


def sex_share(store: Store, la_code: str, sex: str) -> float:
    """The authority's share of girls (or boys) among its Census 2021 children aged 0-15."""
    if sex == ALL:
        return 1.0
    table = store.table(SEX_TABLE)
    rows = table[table["la_code"] == la_code].set_index("sex")["children_0_15"].astype(float)
    if rows.sum() <= 0 or sex not in rows.index:
        raise ValueError(f"The reference store has no children by sex for {la_code}.")
    return float(rows[sex] / rows.sum())


def children_of(lsoas: pd.DataFrame, who: Who, share_of_sex: float = 1.0) -> np.ndarray:
    """Each LSOA's children of ``who``'s age band and sex (see with_children_of)."""
    children = lsoas["children_0_17"].to_numpy(dtype=float)
    if who.age_band != ALL:
        first, last = who.ages
        ages = lsoas[AGE_COLUMNS].to_numpy(dtype=float)
        all_ages = ages.sum(axis=1)
        band = ages[:, first : last + 1].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            children = children * np.where(all_ages > 0, band / all_ages, 0.0)
    return children * (share_of_sex if who.sex != ALL else 1.0)


def with_children_of(lsoas: pd.DataFrame, who: Who, share_of_sex: float = 1.0) -> pd.DataFrame:
    """The LSOAs with ``children_0_17`` replaced by the children ``who`` counts.

    The column keeps its name because every result reads it as 'the denominator'. An age
    band takes its share of each LSOA's single years of age (so the store's own figures give
    exactly the band's children, and an authority's own totals are shared out by the same
    ages); a sex multiplies by the authority's share of girls or boys.
    """
    if who.everyone:
        return lsoas
    return lsoas.assign(children_0_17=children_of(lsoas, who, share_of_sex))


def age_source(geography: int) -> str:
    """Where the children of each year of age come from, on the index year's LSOAs."""
    if geography == 2011:
        return "ONS mid-2020 small-area population estimates by single year of age"
    return (
        "ONS mid-2020 small-area estimates by single year of age on 2011 LSOAs, carried to "
        "2021 LSOAs by the exact-fit lookup (each year of age shared like all children, by "
        "Census 2021 children aged 0-15)"
    )


def sex_assumption(sex: str, share_of_sex: float) -> str:
    """How girls or boys are counted in each neighbourhood, in words, with the share used."""
    word = SEXES[sex].lower()
    return (
        f"No published table gives children by sex for each neighbourhood, so {word} are the "
        f"children of those ages times the authority's share of {word} among its Census 2021 "
        f"children aged 0-15 ({share_of_sex:.1%}), the same in every neighbourhood and year "
        "of age."
    )


COUNTING_RULE = (
    "Counted by the child's age on the day that decides whether they count (the reference "
    "date, or the start); children with no recorded date of birth are in no age band, and "
    "children of unknown sex are neither girls nor boys."
)


def population_note(who: Who, geography: int, share_of_sex: float) -> str:
    """How the filtered denominators were made, stated on screen beside the results."""
    text = f"Denominators: {who.people()} in each {geography} LSOA: {age_source(geography)}."
    if who.sex != ALL:
        text += f" {sex_assumption(who.sex, share_of_sex)}"
    return f"{text} {COUNTING_RULE}"


def breakdown_note(geography: int, share_of_girls: float) -> str:
    """How the denominators of every age band and of girls and boys were made."""
    return (
        f"Denominators: the children of each age band in each {geography} LSOA: "
        f"{age_source(geography)}. {sex_assumption('F', share_of_girls)} Boys likewise "
        f"({1 - share_of_girls:.1%}). {COUNTING_RULE}"
    )
