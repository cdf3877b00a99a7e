"""The gradient by DfE age band and by sex, and infants starting care, for one measure.

The measure's children are counted once and split by age (on the reference date, or at the
start) and sex; each band's denominators are its single years of age (see ``population``).
The age breakdown keeps the chosen sex, the sex breakdown the chosen age band, so both follow
the filter every other view follows.

Infants: children starting to be looked after in the measure's reporting year before their
first birthday, and within 7 days of birth (the start at most 7 days after the birth date),
per 10,000 children aged 0, by deprivation quintile (the rate of babies in care proceedings
at birth that Broadhurst and colleagues' Born into Care studies track).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.reference.store import geography_for
from csc_inequalities.results import deprivation
from csc_inequalities.results.analysis import authority_groups
from csc_inequalities.results.gradient import GRADIENT_COLUMNS, with_rates
from csc_inequalities.results.measures import Measure, counted_spells, spells_of, year_ending
from csc_inequalities.results.population import (
    AGE_BANDS,
    ALL,
    BANDS,
    SEXES,
    Who,
    ages_on,
    breakdown_note,
    children_of,
    sex_share,
)
from csc_inequalities.stats.inequality import rate_ratio

if TYPE_CHECKING:
    from csc_inequalities.records.canonical import LoadResult
    from csc_inequalities.reference.authority_views import Store

FIRST_WEEK_DAYS = 7
INFANT_KINDS = {
    "under_1": "Starting to be looked after before their first birthday",
    "first_week": f"Starting to be looked after within {FIRST_WEEK_DAYS} days of birth",
}
NOT_CHILD_LEVEL = (
    "Counts per LSOA carry no ages or sexes: the breakdown by age and sex needs records of "
    "individual children."
)
AGE_COLUMNS = ["age_band", "age_label", *GRADIENT_COLUMNS]
SEX_COLUMNS = ["sex", "sex_label", *GRADIENT_COLUMNS]
INFANT_COLUMNS = ["kind", "kind_label", *GRADIENT_COLUMNS]


@dataclass(frozen=True)
class AgeSex:
    """Rates by deprivation quintile for each age band and sex, and infants starting care."""

    la_code: str
    la_name: str
    measure: Measure
    deciles: str
    by_age: pd.DataFrame
    by_sex: pd.DataFrame
    infants: pd.DataFrame
    ratios: pd.DataFrame
    sentences: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def quintile_scheme(self) -> str:
        """The grouping scheme of every table (national or local quintiles)."""
        return deprivation.scheme_name(self.deciles, 5)


def _quintile_table(
    counted_lsoa: np.ndarray, keep: np.ndarray, children: np.ndarray, quintiles: np.ndarray
) -> pd.DataFrame:
    """Counts of the kept rows and children by quintile, with rates and intervals."""
    count = np.bincount(quintiles[counted_lsoa[keep]], minlength=6)[1:].astype(float)
    return pd.DataFrame(
        {
            "group": np.arange(1, 6),
            "group_label": deprivation.labels_for_size(5),
            "lsoas": np.bincount(quintiles, minlength=6)[1:],
            "children": np.bincount(quintiles, children, minlength=6)[1:],
            "count": count,
        }
    )


def _counted(
    records: LoadResult, measure: Measure, lsoa_codes: pd.Index, geography: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | np.datetime64]:
    """The measure's counted rows inside the authority: their LSOA, birth date, sex and date."""
    column = "lsoa11_code" if geography == 2011 else "lsoa21_code"
    rows = counted_spells(
        spells_of(records), replace(measure, who=Who()), ("date_of_birth", "sex", "start_date")
    )
    position = lsoa_codes.get_indexer(rows[column].to_numpy(dtype=object))
    rows = rows[position >= 0]
    on = (
        np.datetime64(measure.reference_date)
        if measure.count_kind == "at_date"
        else rows["start_date"].to_numpy(dtype="datetime64[D]")
    )
    return rows, position[position >= 0], on


def breakdowns(
    records: LoadResult,
    measure: Measure,
    lsoas: pd.DataFrame,
    quintiles: pd.Series,
    shares: dict[str, float],
    geography: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rates by quintile for each age band (within the sex chosen) and sex (within the band)."""
    who = measure.who
    rows, position, on = _counted(records, measure, pd.Index(lsoas["lsoa_code"]), geography)
    groups = quintiles.to_numpy(dtype=int)
    sexes, born = rows["sex"].to_numpy(dtype=object), rows["date_of_birth"]
    ages = ages_on(born, on)
    by_age, by_sex = [], []
    for band in BANDS:
        chosen = Who(band, who.sex)
        first, last = chosen.ages
        keep = (ages >= first) & (ages <= last)
        if who.sex != ALL:
            keep &= sexes == who.sex
        children = children_of(lsoas, chosen, shares[who.sex])
        by_age.append(
            _quintile_table(position, keep, children, groups).assign(
                age_band=band, age_label=AGE_BANDS[band][0]
            )
        )
    for sex in ("F", "M"):
        chosen = Who(who.age_band, sex)
        keep = chosen.keep(sexes, born, on)
        children = children_of(lsoas, chosen, shares[sex])
        by_sex.append(
            _quintile_table(position, keep, children, groups).assign(sex=sex, sex_label=SEXES[sex])
        )
    return (
        with_rates(pd.concat(by_age, ignore_index=True))[AGE_COLUMNS],
        with_rates(pd.concat(by_sex, ignore_index=True))[SEX_COLUMNS],
    )


def infants_table(
    records: LoadResult,
    year: int,
    sex: str,
    lsoas: pd.DataFrame,
    quintiles: pd.Series,
    share: float,
    geography: int,
) -> pd.DataFrame:
    """Care starts before the first birthday and in the first week, per 10,000 aged 0."""
    starts = Measure("CLA", "starts", year_ending(year))
    rows, position, on = _counted(records, starts, pd.Index(lsoas["lsoa_code"]), geography)
    born = rows["date_of_birth"].to_numpy(dtype="datetime64[D]")
    keep = ages_on(born, on) == 0
    if sex != ALL:
        keep &= rows["sex"].to_numpy(dtype=object) == sex
    days_old = (on - born).astype("timedelta64[D]").astype(float)
    babies = children_of(lsoas, Who("under_1", sex), share)
    groups = quintiles.to_numpy(dtype=int)
    parts = [
        _quintile_table(position, keep, babies, groups).assign(
            kind="under_1", kind_label=INFANT_KINDS["under_1"]
        ),
        _quintile_table(position, keep & (days_old <= FIRST_WEEK_DAYS), babies, groups).assign(
            kind="first_week", kind_label=INFANT_KINDS["first_week"]
        ),
    ]
    return with_rates(pd.concat(parts, ignore_index=True))[INFANT_COLUMNS]


def end_ratios(table: pd.DataFrame, key: str, label: str) -> pd.DataFrame:
    """The most over the least deprived quintile's rate, for each band or sex (5 rows each)."""
    count = table["count"].to_numpy(dtype=float).reshape(-1, 5)
    children = table["children"].to_numpy(dtype=float).reshape(-1, 5)
    ratios = [rate_ratio(c[0], n[0], c[-1], n[-1]) for c, n in zip(count, children, strict=True)]
    return pd.DataFrame(
        {
            "breakdown": key,
            "value": table[key].to_numpy()[::5],
            "label": table[label].to_numpy()[::5],
            "ratio": [r.ratio for r in ratios],
            "lower_95ci": [r.lower for r in ratios],
            "upper_95ci": [r.upper for r in ratios],
        }
    ).astype({"ratio": float, "lower_95ci": float, "upper_95ci": float})


def age_sex_sentences(result: AgeSex) -> dict[str, str]:
    """Which age band's gradient is steepest and flattest, girls against boys, and infants."""
    sentences = {}
    ages = result.ratios[(result.ratios["breakdown"] == "age_band") & result.ratios["ratio"].gt(0)]
    noun = result.measure.noun()
    if len(ages) >= 2:
        steep, flat = ages.loc[ages["ratio"].idxmax()], ages.loc[ages["ratio"].idxmin()]
        sentences["age"] = (
            f"For {noun}, the rate in the most deprived fifth is {steep['ratio']:.1f} times "
            f"the least deprived fifth's at ages {steep['label'].lower()} (the steepest "
            f"gradient) and {flat['ratio']:.1f} times at ages {flat['label'].lower()} (the "
            "flattest)."
        )
    else:
        sentences["age"] = (
            "Too few age bands were counted at both ends of deprivation to compare gradients."
        )
    sexes = result.ratios[result.ratios["breakdown"] == "sex"].set_index("value")["ratio"]
    if sexes.gt(0).all() and len(sexes) == 2:
        sentences["sex"] = (
            f"The most deprived fifth's rate is {sexes['F']:.1f} times the least deprived "
            f"fifth's for girls and {sexes['M']:.1f} times for boys."
        )
    infants = result.infants
    under_1 = infants[infants["kind"] == "under_1"]
    first_week = infants[infants["kind"] == "first_week"]
    total, week = under_1["count"].sum(), first_week["count"].sum()
    most, least = under_1.iloc[0], under_1.iloc[-1]
    text = (
        f"{total:,.0f} babies started to be looked after before their first birthday in the "
        f"year ending 31 March {result.measure.year}, {week:,.0f} of them within "
        f"{FIRST_WEEK_DAYS} days of birth"
    )
    if most["children"] > 0 and least["children"] > 0:
        text += (
            f"; the rate was {most['rate_per_10000']:.1f} per 10,000 children aged under 1 in "
            f"the most deprived fifth and {least['rate_per_10000']:.1f} in the least deprived"
        )
    sentences["infants"] = f"{text}."
    return sentences


def run_age_sex(
    records: LoadResult,
    store: Store,
    la_code: str,
    imd_year: int,
    measure: Measure,
    deciles: str = "national",
    domain: str = "imd",
    age_band: str = ALL,
    sex: str = ALL,
) -> AgeSex:
    """The measure's gradient by age band and by sex, and infants starting care."""
    geography = geography_for(imd_year)
    who = Who(age_band, sex)
    measure = replace(measure, who=who)
    shares = {key: sex_share(store, la_code, key) for key in (ALL, "F", "M")}
    lsoas = store.authority_lsoas(imd_year, la_code)
    quintiles = authority_groups(
        store, la_code, imd_year, domain, deprivation.scheme_name(deciles, 5)
    )
    la_name = store.authority_name(la_code)
    if getattr(records, "is_aggregate", False) or spells_of(records).empty:
        empty = pd.DataFrame(columns=AGE_COLUMNS)
        return AgeSex(
            la_code, la_name, measure, deciles, empty, pd.DataFrame(columns=SEX_COLUMNS),
            pd.DataFrame(columns=INFANT_COLUMNS), end_ratios(empty, "age_band", "age_label"),
            {"age": NOT_CHILD_LEVEL}, (NOT_CHILD_LEVEL,),
        )  # fmt: skip
    by_age, by_sex = breakdowns(records, measure, lsoas, quintiles, shares, geography)
    infants = infants_table(records, measure.year, sex, lsoas, quintiles, shares[sex], geography)
    ratios = pd.concat(
        [end_ratios(by_age, "age_band", "age_label"), end_ratios(by_sex, "sex", "sex_label")]
    )
    notes = (breakdown_note(geography, shares["F"]),)
    result = AgeSex(
        la_code, la_name, measure, deciles, by_age, by_sex, infants,
        ratios.reset_index(drop=True), notes=notes,
    )  # fmt: skip
    return replace(result, sentences=age_sex_sentences(result))
