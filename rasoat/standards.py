"""Poverty standards as versioned data (data/standards/*.yaml), selected by review year."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from rasoat.config import data_dir
from rasoat.schema import INDICATOR_COLUMNS

AREAS = ("rural", "urban")


class NoStandardError(LookupError):
    """No poverty standard is configured for the requested review year."""


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension_vi: str
    name_vi: str
    child: bool = False


@dataclass(frozen=True)
class Standard:
    id: str
    version: str
    name_vi: str
    legal_basis: str
    first_year: int
    last_year: int
    income_ceiling: dict[str, int]
    mstb_band: dict[str, tuple[int, int]] | None
    min_deprivations: int
    income_months_per_year: int  # a yearly income (đồng/người/năm) ÷ this = the criterion's monthly unit
    b2_points_per_indicator: int
    b1_cutoff: dict[str, int]
    b1_provisional: bool
    indicators: tuple[Indicator, ...]
    indicators_provisional: bool
    sha256: str  # of the YAML file: pins exactly which rules a classification used

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


def _parse(path: Path) -> Standard:
    raw_bytes = path.read_bytes()
    raw = yaml.safe_load(raw_bytes)
    indicators = tuple(Indicator(**item) for item in raw["indicators"])
    if tuple(i.code for i in indicators) != INDICATOR_COLUMNS:
        raise ValueError(f"{path.name}: indicators must be {', '.join(INDICATOR_COLUMNS)} in order")
    band = raw.get("mstb_band")
    b1 = raw["b1_cutoff"]
    standard = Standard(
        id=raw["id"],
        version=str(raw["version"]),
        name_vi=raw["name_vi"],
        legal_basis=raw["legal_basis"],
        first_year=int(raw["period"]["first_year"]),
        last_year=int(raw["period"]["last_year"]),
        income_ceiling={a: int(raw["income_ceiling"][a]) for a in AREAS},
        mstb_band=None if band is None else {a: (int(band[a][0]), int(band[a][1])) for a in AREAS},
        min_deprivations=int(raw["min_deprivations"]),
        income_months_per_year=int(raw["income_months_per_year"]),
        b2_points_per_indicator=int(raw["b2_points_per_indicator"]),
        b1_cutoff={a: int(b1[a]) for a in AREAS},
        b1_provisional=bool(b1.get("provisional", False)),
        indicators=indicators,
        indicators_provisional=bool(raw.get("indicators_provisional", False)),
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
    if standard.mstb_band is not None:
        for area, (low, high) in standard.mstb_band.items():
            if low != standard.income_ceiling[area] or high <= low:
                raise ValueError(f"{path.name}: MSTB band for {area} must start at the income ceiling")
    return standard


@cache
def _load(directory: Path) -> tuple[Standard, ...]:
    standards = tuple(sorted((_parse(p) for p in directory.glob("*.yaml")), key=lambda s: s.first_year))
    for earlier, later in itertools.pairwise(standards):
        if later.first_year <= earlier.last_year:
            raise ValueError(f"standards {earlier.id} and {later.id} overlap")
    return standards


def all_standards() -> tuple[Standard, ...]:
    return _load(data_dir() / "standards")


def income_months_per_year() -> int:
    """Months in the year by which a list written per year is converted to the monthly criterion.

    The reader types a file before it is attached to a round (its parse is cached by the file's bytes
    alone), so it cannot pick the round's standard: every configured standard must state the same
    rule, and a standard that changed it would be refused here rather than read differently."""
    values = {s.income_months_per_year for s in all_standards()}
    if len(values) != 1:
        raise ValueError(f"standards disagree on income_months_per_year: {sorted(values)}")
    return values.pop()


def standard_for_year(year: int) -> Standard:
    for standard in all_standards():
        if standard.covers(year):
            return standard
    known = ", ".join(f"{s.id} ({s.first_year}–{s.last_year})" for s in all_standards())
    # Vietnamese: district staff read this at the command line.
    raise NoStandardError(f"chưa có chuẩn nghèo nào cho năm rà soát {year}; đã cấu hình: {known}")
