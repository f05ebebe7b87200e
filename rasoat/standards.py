"""Poverty standards as versioned data (data/standards/*.yaml), selected by review year and province.

A national standard covers a range of years everywhere. A provincial standard (a People's Council
resolution above the national one) names the national standard it `extends`, a `scope` (province)
and the years it applies; whatever its file does not state is taken from the national standard, so
the file holds only what the resolution says.

Province codes in a scope: `province` is the code on the two-tier map in force since 07/2025, and
`legacy_provinces` lists the pre-07/2025 codes of the provinces it was formed from, because rounds
of earlier years (and district rounds) carry legacy codes. Matching either is unambiguous: a
two-tier province kept the code of one of the provinces merged into it, so a legacy code that is
also a two-tier code always denotes part of that same two-tier province.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rasoat.config import data_dir
from rasoat.schema import INDICATOR_COLUMNS

AREAS = ("rural", "urban")
# Keys a provincial file may state; everything else comes from the national standard it extends.
PROVINCIAL_OVERRIDES = ("income_ceiling", "mstb_band", "min_deprivations", "b1_cutoff")
# Keys every provincial file states itself.
PROVINCIAL_OWN = ("id", "version", "name_vi", "legal_basis", "period", "extends", "scope")


class NoStandardError(LookupError):
    """No poverty standard is configured for the requested review year."""


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension_vi: str
    name_vi: str
    child: bool = False


@dataclass(frozen=True)
class Scope:
    """Where a provincial standard applies (see the module docstring for the two kinds of code)."""

    province: str
    legacy_provinces: tuple[str, ...] = ()

    @property
    def codes(self) -> frozenset[str]:
        return frozenset((self.province, *self.legacy_provinces))


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
    # The national period (giai đoạn) the standard belongs to: history and certificates span it.
    # Equal to first/last year for a national standard; the extended standard's for a provincial one.
    period_first_year: int
    period_last_year: int
    extends: str | None = None  # id of the national standard a provincial one sits above
    scope: Scope | None = None  # None: national

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def provincial(self) -> bool:
        return self.scope is not None

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def applies_to(self, year: int, province_code: str) -> bool:
        return self.scope is not None and self.covers(year) and province_code in self.scope.codes


def _standard(
    path: Path, raw: dict[str, Any], raw_bytes: bytes, period: tuple[int, int] | None = None
) -> Standard:
    """`period`: the national period a provincial standard sits in (None: its own years)."""
    indicators = tuple(Indicator(**item) for item in raw["indicators"])
    if tuple(i.code for i in indicators) != INDICATOR_COLUMNS:
        raise ValueError(f"{path.name}: indicators must be {', '.join(INDICATOR_COLUMNS)} in order")
    band = raw.get("mstb_band")
    b1 = raw["b1_cutoff"]
    first, last = int(raw["period"]["first_year"]), int(raw["period"]["last_year"])
    return Standard(
        id=raw["id"],
        version=str(raw["version"]),
        name_vi=raw["name_vi"],
        legal_basis=raw["legal_basis"],
        first_year=first,
        last_year=last,
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
        period_first_year=(period or (first, last))[0],
        period_last_year=(period or (first, last))[1],
        extends=raw.get("extends"),
        scope=_scope(path, raw.get("scope")),
    )


def _scope(path: Path, raw: dict[str, Any] | None) -> Scope | None:
    if raw is None:
        return None
    if "province" not in raw:
        raise ValueError(f"{path.name}: scope must name a province")
    return Scope(str(raw["province"]), tuple(str(c) for c in raw.get("legacy_provinces", ())))


def _check_band(path: Path, standard: Standard) -> None:
    if standard.mstb_band is None:
        return
    for area, (low, high) in standard.mstb_band.items():
        ceiling = standard.income_ceiling[area]
        # A national band starts at its own ceiling. A provincial ceiling may sit inside the
        # national band it inherits: only the band's top decides MSTB, so it must lie above it.
        starts_right = low == ceiling if standard.scope is None else low <= ceiling
        if not starts_right or high <= ceiling:
            raise ValueError(f"{path.name}: MSTB band for {area} must start at the income ceiling")


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    raw_bytes = path.read_bytes()
    return yaml.safe_load(raw_bytes), raw_bytes


def _provincial(
    path: Path, raw: dict[str, Any], raw_bytes: bytes, national: dict[str, tuple[Standard, dict[str, Any]]]
) -> Standard:
    unknown = set(raw) - set(PROVINCIAL_OVERRIDES) - set(PROVINCIAL_OWN)
    if unknown:  # a value the file cannot set must not look as if it applied
        raise ValueError(f"{path.name}: a provincial standard cannot state {', '.join(sorted(unknown))}")
    missing = [k for k in PROVINCIAL_OWN if k not in raw]
    if missing:
        raise ValueError(f"{path.name}: a provincial standard must state {', '.join(missing)}")
    if raw["extends"] not in national:
        raise ValueError(f"{path.name}: extends unknown national standard {raw['extends']!r}")
    parent, parent_raw = national[raw["extends"]]
    merged = parent_raw | {k: raw[k] for k in PROVINCIAL_OVERRIDES if k in raw}
    merged |= {k: raw[k] for k in PROVINCIAL_OWN}
    # The hash covers both files: a change to the inherited national values is a change too.
    standard = _standard(
        path, merged, raw_bytes + parent.sha256.encode(), (parent.first_year, parent.last_year)
    )
    if not (parent.first_year <= standard.first_year <= standard.last_year <= parent.last_year):
        raise ValueError(
            f"{path.name}: period must lie within {parent.id} ({parent.first_year}–{parent.last_year})"
        )
    return standard


def load_standards(directory: Path) -> tuple[Standard, ...]:
    """Every standard of `directory`, national ones by first year, then provincial ones.

    Refuses overlapping national periods, a provincial file that extends an unknown standard or
    lies outside its period, and two provincial standards for the same province and year."""
    files = [(p, *_read(p)) for p in sorted(directory.glob("*.yaml"))]
    national: dict[str, tuple[Standard, dict[str, Any]]] = {}
    for path, raw, raw_bytes in files:
        if "extends" not in raw:
            standard = _standard(path, raw, raw_bytes)
            _check_band(path, standard)
            national[standard.id] = (standard, raw)
    national_list = sorted((s for s, _ in national.values()), key=lambda s: s.first_year)
    national_list.sort(key=lambda s: s.first_year)
    for earlier, later in itertools.pairwise(national_list):
        if later.first_year <= earlier.last_year:
            raise ValueError(f"standards {earlier.id} and {later.id} overlap")
    provincial = []
    for path, raw, raw_bytes in files:
        if "extends" in raw:
            if raw.get("scope") is None:
                raise ValueError(f"{path.name}: a standard that extends another must have a scope")
            standard = _provincial(path, raw, raw_bytes, national)
            _check_band(path, standard)
            provincial.append(standard)
    for a, b in itertools.combinations(provincial, 2):
        assert a.scope is not None and b.scope is not None
        shared_years = a.first_year <= b.last_year and b.first_year <= a.last_year
        if shared_years and a.scope.codes & b.scope.codes:
            raise ValueError(f"provincial standards {a.id} and {b.id} overlap for the same province and year")
    return (*national_list, *sorted(provincial, key=lambda s: (s.first_year, s.id)))


@cache
def _load(directory: Path) -> tuple[Standard, ...]:
    return load_standards(directory)


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


def standard_by_id(standard_id: str) -> Standard:
    for standard in all_standards():
        if standard.id == standard_id:
            return standard
    raise NoStandardError(f"không có chuẩn nghèo mã {standard_id}")


def standard_for_year(year: int) -> Standard:
    """The national standard of `year` (national figures and callers without a province)."""
    for standard in all_standards():
        if standard.scope is None and standard.covers(year):
            return standard
    known = ", ".join(f"{s.id} ({s.first_year}–{s.last_year})" for s in all_standards() if s.scope is None)
    # Vietnamese: district staff read this at the command line.
    raise NoStandardError(f"chưa có chuẩn nghèo nào cho năm rà soát {year}; đã cấu hình: {known}")


def standard_for(year: int, province_code: str) -> Standard:
    """The standard applied in `province_code`'s rounds of `year`: its own if configured, else the
    national one. The province code may be on either map (module docstring)."""
    for standard in all_standards():
        if standard.applies_to(year, province_code):
            return standard
    return standard_for_year(year)


def national_of(standard: Standard) -> Standard:
    """The national standard a standard sits above (itself when national)."""
    return standard if standard.extends is None else standard_by_id(standard.extends)
