"""The session's chosen settings, passed as one bundle of reactives to every module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shiny import reactive


@dataclass(frozen=True)
class Settings:
    """Reactives for the choices in the sidebar; read them inside reactive contexts only."""

    la_code: reactive.Calc_[str]
    imd_year: reactive.Calc_[int]
    intervention: reactive.Calc_[str]
    count_kind: reactive.Calc_[str]
    year: reactive.Calc_[int | None]
    deciles: reactive.Calc_[str]
    domain: reactive.Calc_[str]
    view: reactive.Calc_[str]
    # The age band and sex every result counts (results.population); all children by default.
    age_band: Callable[[], str] = field(default=lambda: "all")
    sex: Callable[[], str] = field(default=lambda: "all")

    def snapshot(self) -> dict[str, Any]:
        """The current values, for labels, file names and logs (never any child's data)."""
        return {
            "la_code": self.la_code(),
            "imd_year": self.imd_year(),
            "intervention": self.intervention(),
            "count_kind": self.count_kind(),
            "year": self.year(),
            "deciles": self.deciles(),
            "domain": self.domain(),
            "view": self.view(),
            "age_band": self.age_band(),
            "sex": self.sex(),
        }
