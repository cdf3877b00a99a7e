"""Each authority's official rate against its deprivation: what its deprivation predicts, and how
far above or below that it lies (the comparison behind CWIP's inverse intervention law)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.context.dfe_values import status_label
from csc_inequalities.context.neighbours import statistical_neighbours
from csc_inequalities.context.official_measures import official_measure
from csc_inequalities.context.official_rates import latest_authority_rates

if TYPE_CHECKING:
    from csc_inequalities.reference.authority_views import Store

MIN_CHILDREN_IN_FIT = 1_000
MOST_DEPRIVED_DECILES = (1, 2)

PREDICTOR_LABELS = {
    "most_deprived_quintile": (
        "Children living in England's most deprived 20% of neighbourhoods (%)"
    ),
    "mean_imd_rank": "Average national IMD rank of children's neighbourhoods (1 = most deprived)",
}

INVERSE_INTERVENTION_LAW_CITATION = (
    "Bywaters P, Brady G, Sparks T, Bos E, Bunting L, Daniel B, Featherstone B, Morris K, "
    "Scourfield J (2015). Exploring inequities in child welfare and child protection services: "
    "explaining the 'inverse intervention law'. Children and Youth Services Review 57: 98-105."
)
PREDICTOR_PHRASES = {
    "most_deprived_quintile": (
        "share of its children living in England's most deprived 20% of neighbourhoods"
    ),
    "mean_imd_rank": "average national IMD rank of its children's neighbourhoods",
}


@dataclass(frozen=True)
class LogLinearFit:
    """log(rate) = intercept + slope * x, fitted by (weighted) least squares."""

    intercept: float
    slope: float
    weighted: bool
    n: int
    residual_sd: float

    def predict(self, x: np.ndarray | pd.Series | float) -> np.ndarray:
        """The typical rate at deprivation x (the geometric-mean level on the fitted line)."""
        return np.exp(self.intercept + self.slope * np.asarray(x, dtype=float))


@dataclass(frozen=True)
class AdjustedComparison:
    """One authority's rate set against the rate its deprivation predicts, with every point."""

    la_code: str
    la_name: str
    measure_key: str
    year: int
    imd_year: int
    predictor: str
    fit: LogLinearFit
    points: pd.DataFrame
    observed: float
    observed_status: str
    predicted: float
    ratio: float
    higher_ratio_count: int
    excluded_names: tuple[str, ...]


def deprivation_by_authority(store: Store, imd_year: int = 2025) -> pd.DataFrame:
    """Each authority's share of children in the most deprived national quintile and mean rank."""
    return _deprivation_by_authority(store, int(imd_year)).copy()


@functools.lru_cache(maxsize=8)
def _deprivation_by_authority(store: Store, imd_year: int) -> pd.DataFrame:
    """The per-authority summary, computed once per store and index year."""
    lsoas = store.lsoas(imd_year)[["la_code", "imd_decile", "imd_rank", "children_0_17"]]
    children = lsoas["children_0_17"].astype(float)
    frame = pd.DataFrame(
        {
            "la_code": lsoas["la_code"],
            "children": children,
            "deprived_children": children.where(lsoas["imd_decile"].isin(MOST_DEPRIVED_DECILES), 0),
            "rank_x_children": lsoas["imd_rank"].astype(float) * children,
        }
    )
    totals = frame.groupby("la_code", as_index=False).sum()
    totals["most_deprived_quintile"] = totals["deprived_children"] / totals["children"] * 100
    totals["mean_imd_rank"] = totals["rank_x_children"] / totals["children"]
    return totals[["la_code", "children", "most_deprived_quintile", "mean_imd_rank"]]


def fit_log_linear(
    x: pd.Series | np.ndarray, rate: pd.Series | np.ndarray, weights=None
) -> LogLinearFit:
    """Least-squares line through log rates; weights (e.g. children) make it a weighted fit."""
    x = np.asarray(x, dtype=float)
    y = np.log(np.asarray(rate, dtype=float))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    design = np.column_stack([np.ones_like(x), x]) * np.sqrt(w)[:, None]
    (intercept, slope), *_ = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)
    residuals = y - (intercept + slope * x)
    residual_sd = float(np.sqrt(np.sum(residuals**2) / max(len(x) - 2, 1)))
    return LogLinearFit(float(intercept), float(slope), weights is not None, len(x), residual_sd)


def adjusted_comparison(
    store: Store,
    la_code: str,
    measure_key: str,
    predictor: str = "most_deprived_quintile",
    imd_year: int = 2025,
    weighted: bool = False,
) -> AdjustedComparison:
    """Fit every authority's latest rate on its deprivation and place the chosen one on it."""
    if predictor not in PREDICTOR_LABELS:
        raise ValueError(
            f"Unknown predictor '{predictor}'; choose one of {list(PREDICTOR_LABELS)}."
        )
    rates = latest_authority_rates(store, measure_key)
    names = store.authorities.set_index("la_code")["la_name"]
    points = rates.rename(columns={"area_code": "la_code", "rate_per_10000": "rate"})
    points = points.merge(deprivation_by_authority(store, imd_year), on="la_code", how="left")
    points["la_name"] = points["la_code"].map(names)
    points["x"] = points[predictor]
    small = points["children"] < MIN_CHILDREN_IN_FIT
    usable = points["rate"].gt(0) & points["x"].notna() & ~small
    points["in_fit"] = usable
    fit_rows = points[usable]
    fit = fit_log_linear(
        fit_rows["x"], fit_rows["rate"], fit_rows["children"] if weighted else None
    )
    points["predicted"] = fit.predict(points["x"])
    points["ratio"] = (points["rate"] / points["predicted"]).where(usable)
    neighbours = set(statistical_neighbours(store, la_code)["la_code"])
    points["role"] = np.select(
        [points["la_code"] == la_code, points["la_code"].isin(neighbours)],
        ["chosen", "neighbour"],
        "other",
    )
    chosen = points[points["la_code"] == la_code]
    if chosen.empty:
        raise ValueError(f"'{la_code}' is not a current English children's services authority.")
    row = chosen.iloc[0]
    ratio = float(row["ratio"])
    higher = int((points.loc[usable, "ratio"] > ratio).sum()) if not np.isnan(ratio) else 0
    columns = ["la_code", "la_name", "x", "rate", "rate_status", "children", "predicted"]
    columns += ["ratio", "in_fit", "role"]
    return AdjustedComparison(
        la_code=la_code,
        la_name=str(row["la_name"]),
        measure_key=official_measure(measure_key).key,
        year=int(rates["year"].max()),
        imd_year=imd_year,
        predictor=predictor,
        fit=fit,
        points=points[columns].sort_values("la_name", ignore_index=True),
        observed=float(row["rate"]),
        observed_status=str(row["rate_status"]),
        predicted=float(row["predicted"]),
        ratio=ratio,
        higher_ratio_count=higher,
        excluded_names=tuple(sorted(points.loc[small, "la_name"].dropna())),
    )


def possessive(name: str) -> str:
    """'Blackpool' -> "Blackpool's"; 'St. Helens' -> "St. Helens'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def adjusted_sentence(comparison: AdjustedComparison) -> str:
    """The headline in plain words: how far above or below its deprivation's typical level."""
    label = official_measure(comparison.measure_key).sentence_label
    whose = possessive(comparison.la_name)
    if np.isnan(comparison.ratio):
        reason = status_label(comparison.observed_status) or "not available"
        return (
            f"{whose} {label} for {comparison.year} is {reason}, so it cannot be set against "
            "the level typical of English authorities with the same deprivation."
        )
    percent = round((comparison.ratio - 1) * 100)
    if percent == 0:
        position = "in line with"
    elif percent > 0:
        position = f"{percent}% above"
    else:
        position = f"{-percent}% below"
    return (
        f"Given its deprivation, {whose} {label} is {position} the level typical of "
        "English authorities."
    )


def rank_sentence(comparison: AdjustedComparison) -> str:
    """Where the authority stands among all authorities once deprivation is allowed for."""
    if np.isnan(comparison.ratio):
        return ""
    n = int(comparison.points["in_fit"].sum())
    place = ordinal(comparison.higher_ratio_count + 1)
    return (
        f"Measured against what its deprivation predicts, {comparison.la_name} ranks {place} "
        f"highest of the {n} authorities compared ({comparison.year} figures)."
    )


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def method_paragraph(comparison: AdjustedComparison) -> str:
    """One paragraph on how the comparison is made, citing CWIP's inverse intervention law."""
    measure = official_measure(comparison.measure_key)
    predictor = PREDICTOR_PHRASES[comparison.predictor]
    label = measure.label[0].lower() + measure.label[1:]
    weighting = (
        "weighted by each authority's number of children"
        if comparison.fit.weighted
        else "by ordinary least squares, each authority counting once"
    )
    excluded = ""
    if comparison.excluded_names:
        excluded = (
            f" {' and '.join(comparison.excluded_names)} (fewer than "
            f"{MIN_CHILDREN_IN_FIT:,} children) are left out of the fit, as are authorities "
            "whose rate DfE did not publish."
        )
    return (
        f"Each English authority's rate of {label} per 10,000 children in "
        f"{comparison.year} (DfE) is set against the {predictor} (IMD {comparison.imd_year}, "
        "neighbourhoods weighted by their children aged 0-17). A straight line is fitted to "
        f"the logarithm of the rates {weighting}, so the line gives the rate typical of "
        "authorities with that level of deprivation, and an authority's rate divided by the "
        "line's value says how far above or below that typical level it is." + excluded + " "
        "The figure depends on how deprivation is measured, so compare both measures offered "
        "before drawing conclusions. "
        "The Child Welfare Inequalities Project found an 'inverse intervention law': at the "
        "same level of neighbourhood deprivation, intervention rates are higher in less "
        "deprived authorities than in more deprived ones (Bywaters et al. 2015). Authority "
        "rates therefore rise with deprivation less steeply than neighbourhood "
        "rates do, and a rate above the line is not in itself evidence of too much "
        "intervention, nor a rate below it of unmet need: it is a prompt to ask why. "
        f"Reference: {INVERSE_INTERVENTION_LAW_CITATION}"
    )
