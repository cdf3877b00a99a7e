"""Localities inside the authority: which intervene more, or less, than their deprivation predicts.

A locality scheme places each of the authority's neighbourhoods (LSOAs) in one locality: its
district (counties and other multi-district authorities), its electoral ward (ONS best fit),
or the authority's own team or locality areas from an upload. Each locality's count is set
against the count expected if its children had the authority's own rate for their
neighbourhood's deprivation decile (indirect standardisation against the authority itself),
and the ratios are drawn on a funnel plot with 95% and 99.8% control limits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.records.area_files import LocalityFile, read_locality_file
from csc_inequalities.records.geography import best_parts, store_geography
from csc_inequalities.records.intake import NOTHING_USED
from csc_inequalities.reference.store import geography_for
from csc_inequalities.results.analysis import Analysis
from csc_inequalities.results.gradient import with_rates
from csc_inequalities.results.measures import Measure
from csc_inequalities.stats import funnel
from csc_inequalities.stats.standardisation import standardised_ratios

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

NOT_IN_A_LOCALITY = "Not in any locality"
TABLE_COLUMNS = [
    "locality",
    "lsoas",
    "children",
    "count",
    "rate_per_10000",
    "lower_95ci",
    "upper_95ci",
    "ci_method",
    "expected",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    "limit_95_lower",
    "limit_95_upper",
    "limit_998_lower",
    "limit_998_upper",
    "position",
    "in_scheme",
]
CAUTION = (
    "A locality outside the limits is a question to ask, not a finding about practice: when "
    "nothing differs, about 1 locality in 20 lies outside the 95% limits and 1 in 500 outside "
    "the 99.8% limits by chance, and how addresses and cases are recorded can move a "
    "locality as much as need or practice can."
)
EXPECTED_NOTE = (
    "Expected counts: each neighbourhood's children times the authority's own rate for its "
    "deprivation decile, summed over the locality's neighbourhoods, so the localities' "
    "expected counts add up to the authority's count and a ratio of 1 means 'as the "
    "authority's own rates for its deprivation predict'."
)


@dataclass(frozen=True)
class LocalityScheme:
    """Which locality each of the authority's LSOAs is in, and how the scheme was made."""

    kind: str
    label: str
    noun: str
    assignment: pd.DataFrame
    note: str
    file: LocalityFile | None = None

    @property
    def problem(self) -> str | None:
        """Why the scheme has no localities to compare, or None."""
        if self.file is not None and self.file.problem():
            return self.file.problem()
        if self.assignment["locality"].nunique() < 2:
            other = "choose electoral wards or " if self.kind == "district" else ""
            return (
                f"This scheme puts the whole authority in one {self.noun}: {other}upload the "
                "authority's own localities to compare areas within it."
            )
        return None


@dataclass(frozen=True)
class Localities:
    """Per-locality counts, rates, expected counts, ratios and funnel positions, with sentences."""

    la_code: str
    la_name: str
    measure: Measure
    imd_year: int
    scheme: LocalityScheme
    table: pd.DataFrame
    by_group: GroupCells
    total_count: float
    sentences: dict[str, str]
    notes: tuple[str, ...]

    @property
    def compared(self) -> pd.DataFrame:
        """The localities themselves (without the row of neighbourhoods in none)."""
        return self.table[self.table["in_scheme"]]


def _scheme_names(names: pd.Series, districts: pd.Series) -> pd.Series:
    """Locality names, with the district added where two localities share a name."""
    clash = names.groupby(names).transform(lambda s: districts[s.index].nunique() > 1)
    return names.where(~clash.astype(bool), names + " (" + districts + ")")


@functools.lru_cache(maxsize=64)
def district_scheme(store: Store, la_code: str, imd_year: int) -> LocalityScheme:
    """Each LSOA's district (lower-tier authority), from the store's LSOA to district lookup."""
    lsoas = store.authority_lsoas(imd_year, la_code)
    return LocalityScheme(
        kind="district",
        label="Districts",
        noun="district",
        assignment=pd.DataFrame(
            {"lsoa_code": lsoas["lsoa_code"].to_numpy(), "locality": lsoas["lad_name"].to_numpy()}
        ),
        note="Districts: the local authority districts (April 2023) the neighbourhoods lie in.",
    )


@functools.lru_cache(maxsize=64)
def ward_scheme(store: Store, la_code: str, imd_year: int) -> LocalityScheme:
    """Each LSOA's electoral ward (May 2024, ONS best fit; 2011 LSOAs through their 2021 part)."""
    lsoas = store.authority_lsoas(imd_year, la_code)
    wards = store.table("wards_2021").set_index("lsoa_code")
    codes = lsoas["lsoa_code"]
    note = (
        "Electoral wards (May 2024): each 2021 neighbourhood is in the ward the ONS best-fit "
        "lookup gives it (wards do not follow LSOA boundaries exactly)."
    )
    if geography_for(imd_year) == 2011:
        best = best_parts(store.lsoa_lookup, "lsoa11_code", "lsoa21_code", "weight_11_to_21")
        codes = codes.map(best["lsoa21_code"])
        note += " A 2011 neighbourhood is placed in the ward of its 2021 part with most children."
    ward = codes.map(wards["ward_name"])
    names = _scheme_names(ward.reset_index(drop=True), lsoas["lad_name"].reset_index(drop=True))
    return LocalityScheme(
        kind="ward",
        label="Electoral wards",
        noun="ward",
        assignment=pd.DataFrame({"lsoa_code": lsoas["lsoa_code"].to_numpy(), "locality": names})
        .dropna()
        .reset_index(drop=True),
        note=note,
    )


def file_scheme(
    name: str, content: bytes, store: Store, la_code: str, imd_year: int
) -> LocalityScheme:
    """The authority's own localities from a CSV or XLSX of LSOA code and locality name."""
    lsoas = store.authority_lsoas(imd_year, la_code)
    read = read_locality_file(
        name,
        content,
        pd.Index(lsoas["lsoa_code"]),
        geography_for(imd_year),
        store_geography(store),
    )
    return LocalityScheme(
        kind="file",
        label=f"Localities from {read.file}",
        noun="locality",
        assignment=read.assignment,
        note=f"Localities: the authority's own areas, as listed in {read.file}.",
        file=read,
    )


def scheme_for(kind: str, store: Store, la_code: str, imd_year: int) -> LocalityScheme:
    """The district or ward scheme by name."""
    if kind == "district":
        return district_scheme(store, la_code, imd_year)
    if kind == "ward":
        return ward_scheme(store, la_code, imd_year)
    raise ValueError(f"A locality scheme is district, ward or a file, not {kind!r}.")


def default_scheme_kind(store: Store, la_code: str, imd_year: int) -> str:
    """Districts where the authority has several, electoral wards otherwise."""
    districts = store.authority_lsoas(imd_year, la_code)["lad_code"].nunique()
    return "district" if districts > 1 else "ward"


@dataclass(frozen=True)
class GroupCells:
    """Counts and children of each locality (rows, in table order) in each deprivation group.

    Only the localities' totals are published; the cells matter for disclosure control,
    since the groups' totals are published in the gradient. ``present`` marks the cells where
    the locality has neighbourhoods: elsewhere a reader knows the count is zero.
    """

    counts: np.ndarray
    children: np.ndarray
    present: np.ndarray

    def group_rates(self, pooled: np.ndarray | None = None) -> np.ndarray:
        """Each group's rate per child; the ``pooled`` groups share one rate, their combined one."""
        counts, children = self.counts.sum(axis=0), self.children.sum(axis=0)
        if pooled is not None and pooled.any():
            counts = np.where(pooled, counts[pooled].sum(), counts)
            children = np.where(pooled, children[pooled].sum(), children)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(children > 0, counts / children, 0.0)

    def expected(self, pooled: np.ndarray | None = None) -> np.ndarray:
        """Each locality's expected count at the (pooled) group rates."""
        return self.children @ self.group_rates(pooled)


def compared_with(table: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    """The table with expected counts, ratios, funnel limits and each locality's position."""
    table = table.assign(expected=expected)
    table = table.assign(**standardised_ratios(table["count"], expected))
    limits = funnel.funnel_limits(expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        for tag in ("95", "998"):
            table[f"limit_{tag}_lower"] = limits[f"lower_{tag}"] / expected
            table[f"limit_{tag}_upper"] = limits[f"upper_{tag}"] / expected
    position = funnel.position_against(table["count"], expected, limits)
    position[~table["in_scheme"].to_numpy(bool)] = None
    table["position"] = position
    return table[TABLE_COLUMNS]


def locality_table(analysis: Analysis, scheme: LocalityScheme) -> tuple[pd.DataFrame, GroupCells]:
    """One row per locality (and one for neighbourhoods in none), and counts by decile group."""
    lsoas, groups = analysis.lsoas, len(analysis.gradient)
    group = lsoas["decile"].to_numpy(int) - 1
    children = lsoas["children"].to_numpy(float)
    count = lsoas["count"].to_numpy(float)
    locality = lsoas["lsoa_code"].map(scheme.assignment.set_index("lsoa_code")["locality"])
    names = sorted(locality.dropna().unique())
    outside = locality.isna().to_numpy()
    rows = pd.Index(names).get_indexer(locality.fillna(""))
    if outside.any():
        rows[outside] = len(names)
        names.append(NOT_IN_A_LOCALITY)
    size = len(names)
    cells = rows * groups + group

    def by_cell(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(cells, weights=weights, minlength=size * groups).reshape(size, groups)

    by_group = GroupCells(
        counts=by_cell(count), children=by_cell(children), present=by_cell(None) > 0
    )
    table = with_rates(
        pd.DataFrame(
            {
                "locality": names,
                "in_scheme": np.arange(size) < size - int(outside.any()),
                "lsoas": np.bincount(rows, minlength=size),
                "children": by_group.children.sum(axis=1),
                "count": by_group.counts.sum(axis=1),
            }
        )
    )
    return compared_with(table, by_group.expected()), by_group


def _names(table: pd.DataFrame, positions: tuple[str, ...]) -> list[str]:
    """Names of the localities at these funnel positions, highest ratio first."""
    rows = table[table["position"].isin(positions)]
    return rows.sort_values("ratio", ascending=False, key=pd.to_numeric)["locality"].tolist()


def _listed(names: list[str], limit: int = 8) -> str:
    """Names joined for prose (by semicolons when a name has its own commas or 'and')."""
    shown = names[:limit] + ([f"{len(names) - limit} more"] if len(names) > limit else [])
    if len(shown) == 1:
        return shown[0]
    if any("," in name or " and " in name for name in shown):
        return "; ".join(shown[:-1]) + "; and " + shown[-1]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _plural(count: int, noun: str) -> str:
    """'1 ward' / '3 wards' (locality -> localities)."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


OUTSIDE_WORDS = {
    funnel.HIGH_998: "more {what} than predicted, beyond the 99.8% limit",
    funnel.HIGH_95: "more {what} than predicted, beyond the 95% limit",
    funnel.LOW_998: "fewer {what} than predicted, beyond the 99.8% limit",
    funnel.LOW_95: "fewer {what} than predicted, beyond the 95% limit",
}


def locality_sentences(
    table: pd.DataFrame,
    scheme: LocalityScheme,
    measure: Measure,
    la_name: str,
    total_count: float,
    withheld: int = 0,
) -> dict[str, str]:
    """Which localities lie outside the limits, with the caution, and any left out.

    ``withheld`` localities (suppressed in the publication view) are neither named nor counted.
    """
    noun = scheme.noun
    if scheme.problem:
        return {"localities": scheme.problem}
    what = measure.noun()
    if total_count <= 0:
        return {"localities": f"No {what} were counted, so the {noun}s cannot be compared."}
    compared = table[table["in_scheme"]]
    sentences = {}
    outside = int(compared["position"].isin(OUTSIDE_WORDS).sum())
    count = _plural(len(compared) - withheld, noun)
    of = f"Of the {count} whose figures can be published" if withheld else f"Of the {count}"
    if not outside:
        sentences["localities"] = (
            f"{of}, none lies outside the 95% limits: the differences between them are within "
            "what chance would give once their deprivation is allowed for."
        )
    else:
        sentences["localities"] = (
            f"{of}, {outside} {'lies' if outside == 1 else 'lie'} outside the 95% limits "
            "against the authority's own rates for their neighbourhoods' deprivation."
        )
    for position, words in OUTSIDE_WORDS.items():
        names = _names(compared, (position,))
        if names:
            text = words.format(what=what)
            sentences[position] = f"{text[0].upper()}{text[1:]}: {_listed(names)}."
    if outside:
        sentences["caution"] = CAUTION
    if withheld:
        sentences["withheld"] = (
            f"{_plural(withheld, noun)} with small counts {'is' if withheld == 1 else 'are'} "
            "suppressed and not named."
        )
    left = table[~table["in_scheme"]]
    if len(left):
        row = left.iloc[0]
        sentences["not_in_scheme"] = (
            f"{int(row['lsoas'])} of {la_name}'s neighbourhoods ({row['children']:,.0f} "
            f"children) are in no {noun} of this scheme: they are shown as one row but not "
            "compared."
        )
    return sentences


def localities(analysis: Analysis, scheme: LocalityScheme) -> Localities:
    """Every locality figure for one analysis and scheme."""
    table, by_group = locality_table(analysis, scheme)
    result = Localities(
        la_code=analysis.la_code,
        la_name=analysis.la_name,
        measure=analysis.measure,
        imd_year=analysis.imd_year,
        scheme=scheme,
        table=table,
        by_group=by_group,
        total_count=float(table["count"].sum()),
        sentences={},
        notes=(scheme.note, EXPECTED_NOTE, funnel.METHOD),
    )
    sentences = locality_sentences(
        table, scheme, analysis.measure, analysis.la_name, result.total_count
    )
    if analysis.intake is not None and analysis.intake.level == NOTHING_USED:
        # No finding from refused records: say why instead, as every other view does.
        sentences = {"localities": analysis.intake.text()}
    return replace(result, sentences=sentences)
