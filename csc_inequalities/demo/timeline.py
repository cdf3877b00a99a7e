"""The demo's reporting years: which 31 March dates it covers and when its extract was taken."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LATEST_YEAR = 2025


@dataclass(frozen=True)
class Timeline:
    """Reporting years ending 31 March, the earliest first; records run to the last of them."""

    years: tuple[int, ...]

    @classmethod
    def ending(cls, latest_year: int = LATEST_YEAR, count: int = 3) -> Timeline:
        """The `count` reporting years up to the one ending 31 March `latest_year`."""
        if count < 1:
            raise ValueError("the demo needs at least one reporting year")
        return cls(tuple(range(latest_year - count + 1, latest_year + 1)))

    @property
    def reference_dates(self) -> np.ndarray:
        """Each year's 31 March, as datetime64[D]."""
        return np.array([f"{year}-03-31" for year in self.years], dtype="datetime64[D]")

    @property
    def window_start(self) -> np.datetime64:
        """1 April opening the first reporting year: spells ended before it are left out."""
        return np.datetime64(f"{self.years[0] - 1}-04-01")

    @property
    def extract_date(self) -> np.datetime64:
        """The day the synthetic extract was taken: anything later is still open."""
        return self.reference_dates[-1]

    def year_of(self, days: np.ndarray) -> np.ndarray:
        """The index of the reporting year holding each date (clipped to the covered years)."""
        return np.clip(np.searchsorted(self.reference_dates, days), 0, len(self.years) - 1)
