"""DfE's cell symbols: a suppressed or unavailable figure stays missing, with its reason."""

from __future__ import annotations

import pandas as pd

NOT_CREATED = "not_created"

STATUS_LABELS = {
    "c": "suppressed by DfE (small number)",
    "k": "fewer than 0.5 (rounds to zero)",
    "u": "not published (low reliability)",
    "x": "not available",
    "z": "not applicable",
    NOT_CREATED: "authority not yet created",
}


def split_dfe_cells(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers where DfE published one, and the symbol ('' when a number was published)."""
    text = cells.astype("str").str.strip()
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    status = text.where(numbers.isna(), "")
    status = status.mask(numbers.isna() & status.isin(["", "nan", "None"]), "x")
    return numbers.astype("float64"), status.astype("str")


def status_label(status: str) -> str:
    """Words for a status symbol, for tables and hover text."""
    if not status:
        return ""
    return STATUS_LABELS.get(status, f"not published (DfE code '{status}')")


def format_rate(rate: float, status: str, decimals: int = 1) -> str:
    """A rate for display, or the reason it is missing (never a zero in its place)."""
    if status or pd.isna(rate):
        return status_label(status or "x")
    return f"{rate:,.{decimals}f}"


def comparator_rates(trend: pd.DataFrame, prefix: str) -> list[str]:
    """One comparator's rates by year as text (authority, England, region), reasons for gaps."""
    return [
        format_rate(rate, status)
        for rate, status in zip(trend[f"{prefix}_rate"], trend[f"{prefix}_status"], strict=True)
    ]


def published_count(count: float, status: str) -> str:
    """DfE's published count, or why there is none (including a year not yet published)."""
    if status == "not_published":
        return "not yet published"
    return status_label(status) if status else f"{count:,.0f}"


def comparator_table(trend: pd.DataFrame, la_name: str, region_name: str) -> pd.DataFrame:
    """The authority's rate by year beside its neighbours' average, its region and England."""
    return pd.DataFrame(
        {
            "Year ending 31 March": trend["year"].astype(str),
            la_name: comparator_rates(trend, "authority"),
            "Statistical neighbours' average": [
                f"{rate:,.1f} ({n} of 10)" if n else status_label("x")
                for rate, n in zip(
                    trend["neighbours_average"], trend["neighbours_with_rate"], strict=True
                )
            ],
            region_name: comparator_rates(trend, "region"),
            "England": comparator_rates(trend, "england"),
        }
    )
