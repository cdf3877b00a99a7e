"""The tables behind every chart, in the chosen view: what may be shown on screen and in files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csc_inequalities.publication.disclosure import (
    RATE_COLUMNS,
    SUPPRESSED,
    DisclosureRule,
    View,
    publication_ethnicity,
    publication_gradients,
    publication_table,
    with_hidden_rows,
)
from csc_inequalities.publication.view_context import ViewContext

if TYPE_CHECKING:
    from csc_inequalities.results.analysis import Analysis

RATIO_COLUMNS = ("ratio_to_white", "ratio_lower", "ratio_upper")
LSOA_PUBLIC_COLUMNS = ["lsoa_code", "lsoa_name", "children", "decile", "national_decile"]

COLUMN_DEFINITIONS = {
    "la_code": "GSS code of the children's services authority (upper-tier local authority)",
    "la_name": "Name of the children's services authority",
    "group": "Deprivation group number: 1 = most deprived",
    "group_label": "Deprivation group as labelled on the chart (1 = most deprived)",
    "quintile": "National deprivation quintile: 1 = most deprived fifth of England",
    "quintile_label": "National deprivation quintile as labelled on the chart",
    "lsoas": "Number of the authority's LSOAs in the group",
    "lsoa_code": "LSOA (Lower-layer Super Output Area) GSS code",
    "lsoa_name": "LSOA name",
    "children": "Children aged 0-17 (the denominator of the rate)",
    "count": "Children (or spells, for starts) counted; 'c' = suppressed",
    "rate_per_10000": "Rate per 10,000 children aged 0-17",
    "lower_95ci": "Lower limit of the 95% confidence interval of the rate",
    "upper_95ci": "Upper limit of the 95% confidence interval of the rate",
    "ci_method": "Interval method: Byar's approximation, or exact Poisson below 10 events",
    "ethnic_group": "Major ethnic group (DfE codes grouped as in Census 2021)",
    "group_name": "Major ethnic group in full",
    "ratio_to_white": "Rate of the group divided by the rate of White children",
    "ratio_lower": "Lower limit of the 95% confidence interval of the ratio",
    "ratio_upper": "Upper limit of the 95% confidence interval of the ratio",
    "smoothed_rate": "Empirical Bayes rate, shrunk towards the authority rate",
    "small_count": "True where the LSOA's count is below the map's display threshold",
    "decile": "Deprivation decile used for the gradient (1 = most deprived)",
    "national_decile": "National deprivation decile (1 = most deprived 10% of England)",
    "minority_share": "Share of residents from ethnic groups other than White (Census 2021)",
    "year": "Reporting year ending 31 March",
    "reference_date": "Reference date (31 March) of the year",
    "sii": "Slope index of inequality (rate per 10,000; negative when rates rise with deprivation)",
    "sii_lower": "Lower limit of the 95% interval of the SII",
    "sii_upper": "Upper limit of the 95% interval of the SII",
    "rii": "Relative index of inequality (below 1 when rates rise with deprivation)",
    "rii_lower": "Lower limit of the 95% interval of the RII",
    "rii_upper": "Upper limit of the 95% interval of the RII",
}


@dataclass(frozen=True)
class ViewTable:
    """One table as it leaves the app: its content name, title, caption and rows."""

    key: str
    title: str
    caption: str
    frame: pd.DataFrame


def analysis_tables(analysis: Analysis, context: ViewContext) -> list[ViewTable]:
    """Every table behind a chart of the analysis, in the context's view, as files give them."""
    return [with_geography(table, context) for table in screen_tables(analysis, context)]


def screen_tables(analysis: Analysis, context: ViewContext) -> list[ViewTable]:
    """Every table behind a chart of the analysis, in the context's view, as the screen shows
    them: without the authority's code and name, which only the exports need."""
    publication = context.view is View.PUBLICATION
    rule = context.rule
    deciles, quintiles = analysis.gradient, analysis.gradient_quintiles
    if publication:
        deciles, quintiles = publication_gradients(deciles, quintiles, rule)
    ethnicity = analysis.ethnicity
    ethnicity_deprivation = analysis.ethnicity_deprivation
    lsoas = analysis.lsoas
    trend_gradient, trend_sii = analysis.trend.gradient, analysis.trend.sii
    if publication:
        ethnicity, ethnicity_deprivation = _publication_ethnicity(
            ethnicity, ethnicity_deprivation, lsoas, rule
        )
        lsoas = lsoas[[c for c in LSOA_PUBLIC_COLUMNS if c in lsoas.columns]]
        trend_gradient, trend_sii = _publication_trend(
            trend_gradient,
            trend_sii,
            rule,
            year_now=analysis.measure.year,
            quintiles=analysis.gradient_quintiles,
            deciles_shown=deciles,
            quintiles_shown=quintiles,
        )
    measure = context.measure_label
    people = analysis.measure.who.people()
    tables = [
        ViewTable(
            "gradient",
            f"{measure}: rate per 10,000 by deprivation decile",
            f"Rate per 10,000 {people} by deprivation decile (1 = most deprived), "
            "with 95% confidence intervals.",
            deciles,
        ),
        ViewTable(
            "gradient-quintiles",
            f"{measure}: rate per 10,000 by deprivation quintile",
            f"Rate per 10,000 {people} by deprivation quintile (1 = most deprived).",
            quintiles,
        ),
        ViewTable(
            "ethnicity",
            f"{measure}: rate per 10,000 by ethnic group",
            f"Rate per 10,000 {people} by major ethnic group, with the ratio to White children.",
            ethnicity,
        ),
        ViewTable(
            "ethnicity-by-deprivation",
            f"{measure}: rate per 10,000 by ethnic group within deprivation quintile",
            "Rate per 10,000 children by major ethnic group within national deprivation "
            "quintiles (approximate denominators).",
            ethnicity_deprivation,
        ),
        ViewTable(
            "neighbourhoods",
            f"{measure}: neighbourhoods (LSOAs)"
            if not publication
            else "Neighbourhoods (LSOAs) and their deprivation deciles",
            "One row per LSOA of the authority."
            + (
                " In the publication view only deprivation deciles and children are given: "
                "counts and rates for single neighbourhoods are never published."
                if publication
                else ""
            ),
            lsoas,
        ),
        ViewTable(
            "trend-gradient",
            f"{measure}: rate per 10,000 by deprivation quintile and year",
            "Rate per 10,000 children by deprivation quintile for each reporting year.",
            trend_gradient,
        ),
        ViewTable(
            "trend-sii",
            f"{measure}: slope and relative index of inequality by year",
            "The authority's rate and the slope and relative indices of inequality by year.",
            trend_sii,
        ),
    ]
    return [
        ViewTable(t.key, _titled(t.title, context), t.caption, t.frame)
        for t in tables
        if t.frame is not None and not t.frame.empty
    ]


def with_geography(table: ViewTable, context: ViewContext) -> ViewTable:
    """The table as files give it: the authority's code and name in its first columns."""
    return ViewTable(table.key, table.title, table.caption, _with_geography(table.frame, context))


def _titled(title: str, context: ViewContext) -> str:
    """Internal exports say so in their title."""
    if context.view is View.INTERNAL:
        return f"{title} (internal: not for publication)"
    return title


def _with_geography(frame: pd.DataFrame, context: ViewContext) -> pd.DataFrame:
    """The table with the authority's code and name first.

    Built as one new frame from the columns' arrays: inserting two columns into the old
    frame cost more than the rest of a shown table.
    """
    rows = len(frame)
    columns = {
        "la_code": pd.array([context.la_code] * rows, dtype="str"),
        "la_name": pd.array([context.la_name] * rows, dtype="str"),
    }
    for name in frame.columns:
        if name not in columns:
            columns[name] = frame[name].array
    return pd.DataFrame(columns)


def _publication_ethnicity(
    ethnicity: pd.DataFrame, by_deprivation: pd.DataFrame, lsoas: pd.DataFrame, rule: DisclosureRule
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both ethnicity tables protected together; ratios go when White's count is hidden."""
    quintile = (lsoas["national_decile"].astype(int) + 1) // 2
    quintile_totals = lsoas["count"].groupby(quintile.to_numpy()).sum()
    published, published_deprivation = publication_ethnicity(
        ethnicity, by_deprivation, quintile_totals, rule
    )
    white = published["ethnic_group"] == "White"
    if (published.loc[white, "count"] == SUPPRESSED).any():
        for column in RATIO_COLUMNS:
            if column in published.columns:
                published[column] = SUPPRESSED
    return published, published_deprivation


def _publication_trend(
    gradient: pd.DataFrame,
    sii: pd.DataFrame,
    rule: DisclosureRule,
    year_now: int,
    quintiles: pd.DataFrame,
    deciles_shown: pd.DataFrame,
    quintiles_shown: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each year's quintiles protected against its total; SII hidden where a group is.

    The chosen year's quintiles are the gradient's quintile table again, so they take the
    pattern already published there (two patterns for one table could reveal a cell), and
    its SII goes whenever a decile of the published gradient is hidden.
    """
    if gradient.empty:
        return gradient, sii
    years, hidden_years = [], set()
    for year, rows in gradient.groupby("year", sort=True):
        if (
            year == year_now
            and quintiles_shown is not None
            and np.allclose(rows["count"].to_numpy(float), quintiles["count"].to_numpy(float))
        ):
            hidden = pd.Series(
                (quintiles_shown["count"] == SUPPRESSED).to_numpy(), index=rows.index
            )
            published = with_hidden_rows(rows, hidden, rule)
        else:
            published = publication_table(rows, ["count"], RATE_COLUMNS, rule=rule)
        if (published["count"] == SUPPRESSED).any():
            hidden_years.add(year)
        years.append(published)
    if (deciles_shown["count"] == SUPPRESSED).any():
        hidden_years.add(year_now)
    published_sii = publication_table(
        sii, ["count"], {"rate_per_10000": "count"}, known_totals=(), rule=rule
    )
    slope_columns = [c for c in published_sii.columns if c.startswith(("sii", "rii"))]
    hidden = published_sii["year"].isin(hidden_years) | (published_sii["count"] == SUPPRESSED)
    for column in slope_columns:
        published_sii[column] = published_sii[column].astype(object).where(~hidden, SUPPRESSED)
    return pd.concat(years, ignore_index=True), published_sii
