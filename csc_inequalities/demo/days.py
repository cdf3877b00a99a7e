"""Dates as whole days (int64 since 1970), so thousands of synthetic spells are drawn at once."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from csc_inequalities.demo.parameters import AGE_AT_START, AGE_BANDS, DAYS_PER_YEAR

OPEN = np.int64(2**40)
MONTHS_TO_18 = 18 * 12
EPOCH = date(1970, 1, 1)


def day_number(day: np.datetime64) -> np.int64:
    """A date as its day number."""
    return day.astype("datetime64[D]").astype(np.int64)


def as_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers as datetime64[D], with open ends (OPEN) as NaT."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return np.where(np.asarray(days) >= OPEN, np.datetime64("NaT"), dates)


def eighteenth_birthday(dob: np.ndarray) -> np.ndarray:
    """The day each child turns 18 (29 February birthdays fall on 1 March)."""
    dates = dob.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    into_month = dates - months.astype("datetime64[D]")
    return ((months + MONTHS_TO_18).astype("datetime64[D]") + into_month).astype(np.int64)


def uniform_days(rng: np.random.Generator, n: int, bounds: tuple[int, int]) -> np.ndarray:
    """Whole days drawn evenly between two bounds, both included."""
    return rng.integers(bounds[0], bounds[1] + 1, size=n, dtype=np.int64)


def gamma_days(rng: np.random.Generator, n: int, mean_years: float, shape: float) -> np.ndarray:
    """Spell lengths in days (at least one) with the given mean and gamma shape."""
    years = rng.gamma(shape, mean_years / shape, size=n)
    return np.maximum(1, np.round(years * DAYS_PER_YEAR)).astype(np.int64)


def exponential_days(rng: np.random.Generator, n: int, mean_years: float) -> np.ndarray:
    """Spell lengths in days (at least one) with the given mean."""
    years = rng.exponential(mean_years, size=n)
    return np.maximum(1, np.round(years * DAYS_PER_YEAR)).astype(np.int64)


def ages_at_start(rng: np.random.Generator, n: int, intervention: str) -> np.ndarray:
    """Ages in days at the start of a spell, in DfE's age bands for the intervention."""
    shares = np.array(AGE_AT_START[intervention])
    bands = rng.choice(len(AGE_BANDS), size=n, p=shares / shares.sum())
    low = np.array([band[0] for band in AGE_BANDS])[bands] * DAYS_PER_YEAR
    high = np.array([band[1] for band in AGE_BANDS])[bands] * DAYS_PER_YEAR
    return np.floor(low + rng.random(n) * (high - low)).astype(np.int64)


def pick(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """Codes drawn with the given shares."""
    names = list(shares)
    weights = np.array([shares[name] for name in names], dtype=float)
    return rng.choice(np.array(names, dtype=object), size=n, p=weights / weights.sum())


def dmy(days: np.ndarray) -> np.ndarray:
    """Day numbers as DD/MM/YYYY text, open or missing days as ''."""
    return _formatted(days, "%d/%m/%Y")


def iso(days: np.ndarray) -> np.ndarray:
    """Day numbers as YYYY-MM-DD text, open or missing days as ''."""
    return _formatted(days, "%Y-%m-%d")


def _formatted(days: np.ndarray, pattern: str) -> np.ndarray:
    """Day numbers as text in the pattern, with '' for open (OPEN) or absent (-1) days."""
    values = np.asarray(days, dtype=np.int64)
    present = (values >= 0) & (values < OPEN)
    distinct, position = np.unique(np.where(present, values, 0), return_inverse=True)
    text = pd.to_datetime(distinct.astype("datetime64[D]")).strftime(pattern).to_numpy(dtype=object)
    return np.where(present, text[position], "").astype(object)


def iso_day(day: int) -> str:
    """One day number as YYYY-MM-DD."""
    return (EPOCH + timedelta(days=int(day))).isoformat()
