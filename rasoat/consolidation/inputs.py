"""What district (or province) consolidation reads, and helpers that build it from the review stages.

`households`: one row per household of the unit's accepted submissions — every resident household of
each commune, since rates are over "tổng số hộ dân cư tại thời điểm rà soát" (domain brief §6.3):

    household_id, commune_code, members, ethnicity, poverty_cause, no_labour_capacity,
    merit_household, d01..d12, status, deprivation_count,
    previous_status, previous_members, poor_movement, near_poor_movement

`previous_members` (the household's size in last year's roster, 0 when it was not in it) is needed
for the persons rows of R2/R3 (column 1 counts persons at the start of the period); the classifier's
output lacks it, so `household_frame` takes it from `compute_movements`.

`departed`: households of last year's roster that are no longer in any submission (died, moved
away, merged): `household_id`, `commune_code`, `previous_status`, `previous_members`. They feed R2/R3
column 4 and nothing else. `departed_frame` builds it.

`members`: `household_id`, `birth_date` and/or `birth_year`, `has_health_insurance`, `in_school`
(R11 only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from rasoat.ages import reference_date
from rasoat.schema import INDICATOR_COLUMNS


class ConsolidationInputError(ValueError):
    """The input frames cannot be consolidated; the message names codes and counts, never people."""


class _HasCodeName(Protocol):
    code: str
    name: str


@dataclass(frozen=True)
class Unit:
    """An administrative unit of the hierarchy: a commune, a district or a province."""

    code: str
    name: str
    level: str = "district"  # commune | district | province


def as_units(items: Iterable[_HasCodeName | tuple[str, str]], level: str = "commune") -> tuple[Unit, ...]:
    """Units from `admin_units.Commune`s, `Unit`s or `(code, name)` pairs, order kept."""
    out = []
    for item in items:
        code, name = item if isinstance(item, tuple) else (item.code, item.name)
        out.append(Unit(str(code), str(name), level))
    codes = [u.code for u in out]
    if len(set(codes)) != len(codes):
        raise ConsolidationInputError("danh sách xã có mã trùng nhau")
    return tuple(out)


# Columns taken as they are from the canonical households; the rest come from the review stages.
HOUSEHOLD_BASE: tuple[str, ...] = (
    "household_id",
    "commune_code",
    "members",
    "ethnicity",
    "poverty_cause",
    "no_labour_capacity",
    "merit_household",
    *INDICATOR_COLUMNS,
)
HOUSEHOLD_INPUT: tuple[str, ...] = (
    *HOUSEHOLD_BASE,
    "status",
    "deprivation_count",
    "previous_status",
    "previous_members",
    "poor_movement",
    "near_poor_movement",
)
DEPARTED_INPUT: tuple[str, ...] = ("household_id", "commune_code", "previous_status", "previous_members")
MEMBER_INPUT: tuple[str, ...] = ("household_id", "has_health_insurance", "in_school")


@dataclass(frozen=True)
class ConsolidationInput:
    unit: Unit  # the district (or a province that lists its communes directly, 2025 onwards)
    communes: tuple[Unit, ...]  # in report order; communes without data still get a row
    year: int  # review year: ages of children are taken at `reference_date(year)`
    households: pd.DataFrame
    members: pd.DataFrame | None = None  # None: R11 is all zeros
    departed: pd.DataFrame | None = None  # None: no household left the roster
    min_deprivations: int | None = None  # None: the standard of `year` decides (3)


def _missing(frame: pd.DataFrame, required: Iterable[str], what: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConsolidationInputError(f"{what}: thiếu cột {', '.join(missing)}")


def validate_input(inp: ConsolidationInput) -> None:
    _missing(inp.households, HOUSEHOLD_INPUT, "bảng hộ")
    if inp.departed is not None:
        _missing(inp.departed, DEPARTED_INPUT, "bảng hộ ra khỏi danh sách")
    if inp.members is not None:
        _missing(inp.members, MEMBER_INPUT, "bảng thành viên")
        if "birth_date" not in inp.members and "birth_year" not in inp.members:
            raise ConsolidationInputError("bảng thành viên: thiếu cột birth_date hoặc birth_year")
    ids = inp.households["household_id"]
    dup = ids.duplicated()
    if dup.any():
        raise ConsolidationInputError(
            f"{int(dup.sum())} mã hộ xuất hiện nhiều lần, ví dụ {', '.join(map(str, ids[dup].head(5)))}"
        )


# ---------------------------------------------------------------------------------------------
# Building the input from the earlier stages


def household_frame(
    households: pd.DataFrame, classified: pd.DataFrame, movements: pd.DataFrame
) -> pd.DataFrame:
    """The consolidation households frame from the review stages.

    `households`: canonical households (intake or generator); `classified`: `classify()` output on
    the same index; `movements`: `compute_movements()` output (keyed by `household_id`)."""
    base = households.loc[:, list(HOUSEHOLD_BASE)].copy()
    base["status"] = classified["status"].astype("object").to_numpy()
    base["deprivation_count"] = classified["deprivation_count"].to_numpy()
    moves = movements.drop_duplicates("household_id").set_index("household_id")
    ids = base["household_id"]
    base["previous_status"] = ids.map(moves["previous_status"]).astype("object").to_numpy()
    base["previous_members"] = ids.map(moves["previous_members"]).fillna(0).astype("int64").to_numpy()
    for column in ("poor_movement", "near_poor_movement"):
        base[column] = ids.map(moves[column].astype("object")).astype("object").to_numpy()
    return base.reset_index(drop=True)


def departed_frame(movements: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Households of last year's roster no longer present (`status` missing in `movements`), with
    their commune from `previous` (last year's roster: `household_id`, `commune_code`)."""
    gone = movements.loc[movements["status"].isna(), ["household_id", "previous_status", "previous_members"]]
    where = previous.drop_duplicates("household_id").set_index("household_id")["commune_code"]
    out = gone.assign(commune_code=gone["household_id"].map(where).to_numpy())
    return out.loc[:, list(DEPARTED_INPUT)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Ages


def ages_at_reference(members: pd.DataFrame, year: int) -> np.ndarray:
    """Completed years of age at the review's reference date (1 September of `year`, the date the
    sample generator and the indicators use), float with NaN when unknown.

    A member with only a birth year (common for the elderly) is taken as born on 1 January."""
    ref = reference_date(year)
    age = np.full(len(members), np.nan)
    if "birth_date" in members:
        born = pd.to_datetime(members["birth_date"], errors="coerce")
        y = born.dt.year.to_numpy(dtype="float64", na_value=np.nan)
        m = born.dt.month.to_numpy(dtype="float64", na_value=np.nan)
        d = born.dt.day.to_numpy(dtype="float64", na_value=np.nan)
        not_yet = (m > ref.month) | ((m == ref.month) & (d > ref.day))
        age = ref.year - y - not_yet.astype("float64")
    if "birth_year" in members:
        by_year = ref.year - pd.to_numeric(members["birth_year"], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        age = np.where(np.isnan(age), by_year, age)
    return age
