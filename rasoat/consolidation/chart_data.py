"""What the charts show, as plain data from the consolidated tables: per commune under the tables'
unit (a district's, a province's on the legacy map through its districts, a province's that
consolidates its communes directly), this year's poor and near-poor household rates beside last
year's, and the poor households' movements. Drawing is `rasoat.documents.chart_pdf` (the documents)
and `rasoat.documents.charts` (the round overview page); the Prefect artifact reads the same data.

This year's figures are R1's and R2's cells, copied, never recomputed. Last year's rates come from
last year's approved roster (`previous_counts`): R2/R3 column 1 hold last year's poor and near-poor
counts, but not the households they are a share of.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from rasoat.consolidation.tables import ConsolidatedTables, rate
from rasoat.schema import Status

LEVEL_NAMES_VI = {"commune": "xã", "district": "huyện", "province": "tỉnh"}


@dataclass(frozen=True)
class UnitRates:
    """One unit's household rates (%), None where there is no figure (no data, no roster)."""

    code: str
    name: str
    poor: float | None
    near_poor: float | None
    poor_before: float | None
    near_poor_before: float | None

    @property
    def poor_change(self) -> float | None:
        if self.poor is None or self.poor_before is None:
            return None
        return round(self.poor - self.poor_before, 2)

    @property
    def near_poor_change(self) -> float | None:
        if self.near_poor is None or self.near_poor_before is None:
            return None
        return round(self.near_poor - self.near_poor_before, 2)


@dataclass(frozen=True)
class UnitMovements:
    """One unit's poor households that escaped poverty (R2 columns 2 + 3), fell back into it (re-poor,
    column 6) and are newly poor (column 7)."""

    code: str
    name: str
    escaped: int
    re_poor: int
    newly_poor: int


@dataclass(frozen=True)
class ChartData:
    unit_code: str
    unit_name: str
    unit_level: str
    child_level: str  # the level of the rows charted (commune)
    year: int
    total: UnitRates
    rates: tuple[UnitRates, ...]  # highest poor rate first
    movements: tuple[UnitMovements, ...]  # most escaped first
    total_movements: UnitMovements
    has_previous: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-able, for a document's data (its fingerprint) and the overview page."""
        return asdict(self)


def percent(value: float | None) -> str:
    """2,35 (Vietnamese decimal comma); a dash where there is no figure."""
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def change_mark(change: float | None) -> str:
    """▲ 0,52 / ▼ 1,10 / = 0,00 (percentage points); a dash without last year's rate."""
    if change is None:
        return "–"
    mark = "▲" if change > 0 else "▼" if change < 0 else "="
    return f"{mark} {percent(abs(change))}"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def previous_counts(roster: pd.DataFrame) -> pd.DataFrame | None:
    """Households, poor and near-poor households per commune code in last year's roster (`commune_code`,
    `status`). None when the roster lists only the poor and near-poor (an imported list without the
    other households): rates need every household."""
    counted = roster.groupby(
        [roster["commune_code"].astype(str), roster["status"].astype("object")], sort=False
    ).size()
    return previous_counts_by_status(counted.rename("households").reset_index())


def previous_counts_by_status(counts: pd.DataFrame) -> pd.DataFrame | None:
    """`previous_counts` from the roster already counted by commune and status (`commune_code`,
    `status`, `households`), as the database counts it (`rasoat.db.history.status_counts`)."""
    status = counts["status"].astype("object")
    if counts.empty or not (status == Status.NON_POOR.value).any():
        return None
    households = counts["households"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame(
        {
            "commune_code": counts["commune_code"].astype(str).to_numpy(),
            "households": households,
            "poor": np.where(status == Status.POOR.value, households, 0),
            "near_poor": np.where(status == Status.NEAR_POOR.value, households, 0),
        }
    )
    return frame.groupby("commune_code").sum()


def _before(previous: pd.DataFrame | None, communes: list[str]) -> tuple[float | None, float | None]:
    if previous is None:
        return None, None
    counts = previous.reindex(communes).fillna(0).sum()
    if counts["households"] <= 0:
        return None, None
    poor, near = rate(np.array([counts["poor"], counts["near_poor"]]), np.array([counts["households"]] * 2))
    return float(poor), float(near)


def charted_rows(frame: pd.DataFrame) -> pd.Series:
    """The rows a chart shows: the units at the bottom of the tables' hierarchy (the communes of a
    district, of a province that consolidates them directly, or of every district of a province on
    the legacy map), whatever the level of the unit on top. A unit without data (a commune left out
    by a recorded decision) has no rate to draw: the tables list it, the charts do not."""
    parents = set(frame["parent_code"].dropna().astype(str))
    shown = (frame["tt"] != "") & ~frame["code"].astype(str).isin(parents)
    if "no_data" in frame.columns:
        shown &= ~frame["no_data"].astype(bool)
    return shown


def chart_data(tables: ConsolidatedTables, previous: pd.DataFrame | None = None) -> ChartData:
    """The charts' figures for `tables`' unit and its communes; `previous` from `previous_counts`."""
    r1 = tables["r1"].reset_index(drop=True)
    unit_code = tables.unit.code
    top = r1.loc[r1["tt"] == ""].iloc[0]
    children = r1.loc[charted_rows(r1)]

    def unit_rates(row: Any, codes: list[str]) -> UnitRates:
        poor_before, near_before = _before(previous, codes)
        return UnitRates(
            code=str(row["code"]),
            name=str(row["name"]),
            poor=_number(row["poor_households_rate"]),
            near_poor=_number(row["near_poor_households_rate"]),
            poor_before=poor_before,
            near_poor_before=near_before,
        )

    rates = [unit_rates(row, [str(row["code"])]) for _, row in children.iterrows()]
    rates.sort(key=lambda u: (-(u.poor if u.poor is not None else -1.0), u.code))
    total = unit_rates(top, children["code"].astype(str).tolist())

    r2 = tables["r2"]
    hh = r2.loc[r2["unit"] == "households"]

    def unit_movements(row: Any) -> UnitMovements:
        return UnitMovements(
            code=str(row["code"]),
            name=str(row["name"]),
            escaped=int(row["c2"]) + int(row["c3"]),
            re_poor=int(row["c6"]),
            newly_poor=int(row["c7"]),
        )

    child_rows = hh.loc[charted_rows(hh)]
    moves = [unit_movements(row) for _, row in child_rows.iterrows()]
    moves.sort(key=lambda m: (-m.escaped, m.code))
    return ChartData(
        unit_code=unit_code,
        unit_name=tables.unit.name,
        unit_level=tables.unit.level,
        child_level=str(children["level"].iloc[0]) if len(children) else "commune",
        year=tables.year,
        total=total,
        rates=tuple(rates),
        movements=tuple(moves),
        total_movements=unit_movements(hh.loc[hh["tt"] == ""].iloc[0]),
        has_previous=previous is not None,
    )
