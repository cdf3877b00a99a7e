"""The tables behind every chart, in the chosen view, as CSV and XLSX with a metadata sheet."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from csc_inequalities.disclosure import (
    RATE_COLUMNS,
    SUPPRESSED,
    View,
    publication_ethnicity,
    publication_gradients,
    publication_table,
    with_hidden_rows,
)
from csc_inequalities.exports.provenance import ExportContext, official_sources

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
class ExportTable:
    """One table as it leaves the app: its content name, title, caption and rows."""

    key: str
    title: str
    caption: str
    frame: pd.DataFrame


def analysis_tables(analysis: Any, context: ExportContext) -> list[ExportTable]:
    """Every table behind a chart of the analysis, in the context's view."""
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
    tables = [
        ExportTable(
            "gradient",
            f"{measure}: rate per 10,000 by deprivation decile",
            "Rate per 10,000 children aged 0-17 by deprivation decile (1 = most deprived), "
            "with 95% confidence intervals.",
            deciles,
        ),
        ExportTable(
            "gradient-quintiles",
            f"{measure}: rate per 10,000 by deprivation quintile",
            "Rate per 10,000 children aged 0-17 by deprivation quintile (1 = most deprived).",
            quintiles,
        ),
        ExportTable(
            "ethnicity",
            f"{measure}: rate per 10,000 by ethnic group",
            "Rate per 10,000 children aged 0-17 by major ethnic group, with the ratio to White "
            "children.",
            ethnicity,
        ),
        ExportTable(
            "ethnicity-by-deprivation",
            f"{measure}: rate per 10,000 by ethnic group within deprivation quintile",
            "Rate per 10,000 children by major ethnic group within national deprivation "
            "quintiles (approximate denominators).",
            ethnicity_deprivation,
        ),
        ExportTable(
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
        ExportTable(
            "trend-gradient",
            f"{measure}: rate per 10,000 by deprivation quintile and year",
            "Rate per 10,000 children by deprivation quintile for each reporting year.",
            trend_gradient,
        ),
        ExportTable(
            "trend-sii",
            f"{measure}: slope and relative index of inequality by year",
            "The authority's rate and the slope and relative indices of inequality by year.",
            trend_sii,
        ),
    ]
    return [
        ExportTable(t.key, _titled(t.title, context), t.caption, _with_geography(t.frame, context))
        for t in tables
        if t.frame is not None and not t.frame.empty
    ]


def _titled(title: str, context: ExportContext) -> str:
    """Internal exports say so in their title."""
    if context.view is View.INTERNAL:
        return f"{title} (internal: not for publication)"
    return title


def _with_geography(frame: pd.DataFrame, context: ExportContext) -> pd.DataFrame:
    """The table with the authority's code and name first."""
    rest = frame.drop(columns=["la_code", "la_name"], errors="ignore")
    return pd.concat(
        [
            pd.DataFrame(
                {"la_code": context.la_code, "la_name": context.la_name}, index=rest.index
            ),
            rest,
        ],
        axis=1,
    ).reset_index(drop=True)


def _publication_ethnicity(
    ethnicity: pd.DataFrame, by_deprivation: pd.DataFrame, lsoas: pd.DataFrame, rule: Any
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
    rule: Any,
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
        same = (
            year == year_now
            and quintiles_shown is not None
            and np.allclose(rows["count"].to_numpy(float), quintiles["count"].to_numpy(float))
        )
        if same:
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


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind in "biufcmM":
            continue
        out[column] = out[column].map(_neutral_cell).astype(object)
    return out


def _neutral_cell(value: Any) -> Any:
    """Numbers stay numbers; only text starting with = + - @ (or a tab/return) is prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_bytes(table: ExportTable) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so Excel reads the encoding."""
    return neutralised(table.frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def xlsx_bytes(tables: list[ExportTable], context: ExportContext) -> bytes:
    """The tables as sheets of one workbook, followed by a metadata sheet."""
    from openpyxl import Workbook  # imported on first download, off the app's start-up path

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _write_sheet(workbook, table)
    _write_metadata(workbook, tables, context)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, table: ExportTable) -> None:
    """One tidy sheet: a header row of column names and one row per record."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(table.key[:31])
    frame = neutralised(table.frame)
    sheet.append([str(c) for c in frame.columns])
    _bold_first_row(sheet)
    for row in frame.itertuples(index=False):
        sheet.append([_excel_value(v) for v in row])
    for position, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, len(str(column)) + 2)
    sheet.freeze_panes = "A2"


def _bold_first_row(sheet: Any) -> None:
    """Column headings in bold, so they read as headings in Excel."""
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _excel_value(value: Any) -> Any:
    """Plain Python values for openpyxl: NaN as an empty cell, numpy numbers as numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return _neutral_cell(value)


def metadata_rows(tables: list[ExportTable], context: ExportContext) -> list[tuple[str, str]]:
    """Field and value pairs describing the export: what, when, how protected, from where."""
    rows = [
        ("Authority", f"{context.la_name} ({context.la_code})"),
        ("Measure", context.measure_label),
        ("Reference date", context.reference_date),
        ("Deprivation index", context.imd_label),
        ("Deprivation groups", context.deprivation_note),
        ("Denominators", context.denominator_note),
        ("View", context.view_label),
        ("Disclosure control", context.rule_text),
        ("Generated", context.generated.isoformat(sep=" ")),
        ("App version", f"csc-inequalities {context.version}"),
    ]
    rows += [(f"Sheet {t.key[:31]}", f"{t.title}. {t.caption}") for t in tables]
    columns = sorted({c for t in tables for c in t.frame.columns})
    rows += [(f"Column {c}", COLUMN_DEFINITIONS[c]) for c in columns if c in COLUMN_DEFINITIONS]
    rows += [
        ("Source", f"{s.title}. {s.publisher}. {s.url}. Licence: {s.licence}")
        for s in official_sources()
    ]
    return rows


def _write_metadata(workbook: Workbook, tables: list[ExportTable], context: ExportContext) -> None:
    """The metadata sheet: sources, reference date, definitions, rule, generated date, version."""
    sheet = workbook.create_sheet("metadata")
    sheet.append(["field", "value"])
    _bold_first_row(sheet)
    for field_name, value in metadata_rows(tables, context):
        sheet.append([_excel_value(field_name), _excel_value(value)])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 120
