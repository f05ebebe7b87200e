"""One commune's share of a consolidation, counted alone and kept with its accepted file.

Every figure of R1–R11 is a sum over communes, and a commune's movements need only its own
households and its own last years' lists (a household id is unique within its commune, not across
communes: `../shared/spec/submission-format.md`). So each commune's count rows are computed once, on
the worker that accepted its file, and kept; a province consolidation adds up its communes' rows
(`assemble_partials`) instead of reading every household back, and a corrected file of one commune
costs that commune's rows, whatever the size of the province.

    partial = commune_partial(unit, commune, year, households, members, history, ...)
    tables, previous = assemble_partials(unit, communes, year, min_deprivations, partials)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rasoat.consolidation.inputs import ConsolidationInput, Unit, departed_frame, household_frame
from rasoat.consolidation.spec import TABLES
from rasoat.consolidation.tables import ConsolidatedTables, assemble, count_keys, count_rows, rate
from rasoat.movements import compute_movements, previous_round
from rasoat.schema import Status


@dataclass(frozen=True)
class LastRoster:
    """Last year's approved list of one commune, counted: the rates charts and the year-on-year check
    compare with it."""

    households: int
    poor: int
    near_poor: int
    lists_everyone: bool  # non-poor households listed too (not only an imported poor/near-poor list)


@dataclass(frozen=True)
class CommunePartial:
    """A commune's count rows of R1–R11 and what the unit's checks and charts need from its history.
    Codes and figures only, no people."""

    commune_code: str
    counts: dict[str, dict[str, int]]  # table key → count column → value
    last_roster: LastRoster | None  # None: no list for last year
    has_history: bool  # any list of the standard's period before this year
    history_sha256: str  # what its movements were computed from

    def to_json(self) -> dict[str, Any]:
        roster = self.last_roster
        return {
            "commune_code": self.commune_code,
            "counts": self.counts,
            "last_roster": None if roster is None else roster.__dict__.copy(),
            "has_history": self.has_history,
            "history_sha256": self.history_sha256,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> CommunePartial:
        roster = data.get("last_roster")
        return CommunePartial(
            commune_code=str(data["commune_code"]),
            counts={k: {c: int(v) for c, v in cols.items()} for k, cols in data["counts"].items()},
            last_roster=None if roster is None else LastRoster(**roster),
            has_history=bool(data["has_history"]),
            history_sha256=str(data["history_sha256"]),
        )


def history_digest(history: pd.DataFrame) -> str:
    """sha256 of a commune's last years' statuses, independent of row order."""
    ordered = history.sort_values(["commune_code", "household_id", "year"], kind="stable")
    digest = hashlib.sha256(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _last_roster(previous: pd.DataFrame) -> LastRoster | None:
    if previous.empty:
        return None
    status = previous["status"].astype("object")
    return LastRoster(
        households=len(previous),
        poor=int((status == Status.POOR.value).sum()),
        near_poor=int((status == Status.NEAR_POOR.value).sum()),
        lists_everyone=bool((status == Status.NON_POOR.value).any()),
    )


def commune_partial(
    unit: Unit,
    commune: Unit,
    year: int,
    households: pd.DataFrame,
    members: pd.DataFrame,
    history: pd.DataFrame,
    *,
    period_first_year: int,
    min_deprivations: int | None,
) -> CommunePartial:
    """The commune's count rows from its accepted households (classified: `status`,
    `deprivation_count`), members and last years' statuses (`load_history` of this commune).

    Last year's list is complete when it lists non-poor households too; an imported list of the poor
    and near-poor only makes an unlisted household non-poor last year (`compute_movements`)."""
    previous = previous_round(history, year, period_first_year)
    complete = previous.empty or bool((previous["status"] == Status.NON_POOR.value).any())
    moves = compute_movements(
        households[["household_id", "status", "members"]], previous, roster_complete=complete
    )
    departed = departed_frame(moves, previous.assign(commune_code=commune.code))
    frame = household_frame(households, households[["status", "deprivation_count"]], moves)
    rows = count_rows(
        ConsolidationInput(
            unit=unit,
            communes=(commune,),
            year=year,
            households=frame,
            members=members,
            departed=departed,
            min_deprivations=min_deprivations,
        )
    )
    counts = {key: {c: int(v) for c, v in table.iloc[0].items()} for key, table in rows.items()}
    return CommunePartial(
        commune_code=commune.code,
        counts=counts,
        last_roster=_last_roster(previous),
        has_history=not history.empty,
        history_sha256=history_digest(history),
    )


def stacked_counts(
    communes: Sequence[Unit], partials: Mapping[str, CommunePartial]
) -> dict[str, pd.DataFrame]:
    """Count rows of every commune in `communes` order, zeros for a commune without a partial (no
    accepted data, consolidated without it)."""
    out: dict[str, pd.DataFrame] = {}
    for key, spec in TABLES.items():
        if spec.derived_from:
            continue
        columns = count_keys(key)
        values = np.zeros((len(communes), len(columns)), dtype=np.int64)
        for i, commune in enumerate(communes):
            part = partials.get(commune.code)
            if part is not None:
                values[i] = [part.counts[key][c] for c in columns]
        out[key] = pd.DataFrame(values, columns=columns)
    return out


def assemble_partials(
    unit: Unit,
    communes: Sequence[Unit],
    year: int,
    min_deprivations: int | None,
    partials: Mapping[str, CommunePartial],
) -> ConsolidatedTables:
    """The unit's tables R1–R11 from its communes' partials."""
    unknown = sorted(set(partials) - {c.code for c in communes})
    if unknown:
        raise ValueError(f"xã {', '.join(unknown)} không thuộc {unit.name}")
    return assemble(unit, communes, year, min_deprivations, stacked_counts(communes, partials))


def last_rosters(partials: Mapping[str, CommunePartial]) -> pd.DataFrame:
    """Last year's households, poor and near-poor households per commune code (communes with a list)."""
    rows = {code: p.last_roster for code, p in partials.items() if p.last_roster is not None}
    return pd.DataFrame(
        {
            "households": [r.households for r in rows.values()],
            "poor": [r.poor for r in rows.values()],
            "near_poor": [r.near_poor for r in rows.values()],
            "lists_everyone": [r.lists_everyone for r in rows.values()],
        },
        index=pd.Index(list(rows), name="commune_code", dtype="object"),
    )


def previous_poor_rates(partials: Mapping[str, CommunePartial], total_code: str) -> pd.Series | None:
    """Last year's poor-household rate (%) per commune and, under `total_code`, of them all: what the
    year-on-year check compares this year's rates with. None without any list of last year."""
    rosters = last_rosters(partials)
    if rosters.empty:
        return None
    out = pd.Series(rate(rosters["poor"], rosters["households"]), index=rosters.index.astype(str))
    out.loc[str(total_code)] = rate(
        np.array([rosters["poor"].sum()]), np.array([rosters["households"].sum()])
    )[0]
    return out


def previous_chart_counts(partials: Mapping[str, CommunePartial]) -> pd.DataFrame | None:
    """`chart_data`'s last-year counts (households, poor, near_poor by commune code); None when no list
    names the non-poor households too (rates need every household)."""
    rosters = last_rosters(partials)
    if rosters.empty or not rosters["lists_everyone"].any():
        return None
    return rosters[["households", "poor", "near_poor"]].astype("int64")
