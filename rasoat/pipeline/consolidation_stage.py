"""Consolidation of a round's communes (a district's on the three-level map, the province's on the
two-tier map): the accepted communes' data and last years' approved statuses → tables.

A commune that has not submitted, or whose latest file was rejected, blocks consolidation unless
the operator explicitly consolidates without it; that decision is recorded with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from rasoat.admin.scope import Scope, scope
from rasoat.applied_standard import round_standard
from rasoat.consolidation import (
    ConsolidatedTables,
    ConsolidationInput,
    Unit,
    as_units,
    consolidate,
    departed_frame,
    household_frame,
    roster_poor_rates,
    run_checks,
)
from rasoat.consolidation.chart_data import ChartData, chart_data, previous_counts
from rasoat.consolidation.stored import tables_to_json
from rasoat.db import audit
from rasoat.db.history import load_history
from rasoat.db.models import Consolidation, ReviewRound
from rasoat.db.round_data import latest_submissions, load_households, load_members
from rasoat.movements import compute_movements, previous_round
from rasoat.schema import Status
from rasoat.validation import CheckResult

STATUS_REASONS_VI = {
    "received": "đã nhận, chưa kiểm tra",
    "rejected": "bị từ chối, chờ xã gửi lại",
    "unreadable": "tệp không đọc được, chờ xã gửi lại",
}


MISSING_SHOWN = 12


class MissingCommunesError(RuntimeError):
    """Communes without accepted data; consolidation needs them or an explicit decision."""

    def __init__(self, missing: dict[str, str]) -> None:
        self.missing = missing
        shown = list(missing.items())[:MISSING_SHOWN]
        listed = "; ".join(f"{code}: {why}" for code, why in shown)
        if len(missing) > MISSING_SHOWN:  # a two-tier province has up to 168 units: name the first
            listed += f"; và {len(missing) - MISSING_SHOWN} xã khác (xem `rasoat round status`)"
        super().__init__(
            f"{len(missing)} xã chưa có dữ liệu được chấp nhận ({listed}). Chờ các xã này, hoặc tổng "
            'hợp không có các xã này bằng --without-missing --reason "..." (quyết định được ghi lại).'
        )


@dataclass(frozen=True)
class ConsolidationOutcome:
    consolidation_id: int
    round_id: int
    scope_code: str  # the district (three-level map) or province (two-tier map) consolidated
    data_sha256: str
    included: dict[str, int]  # commune code → submission id
    missing: dict[str, str]  # commune code → why not included (Vietnamese)
    forced: bool
    passed: bool
    checks: list[CheckResult] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)  # codes, names of units, no people
    has_baseline: bool = True
    tables: ConsolidatedTables | None = None
    chart: ChartData | None = None  # the figures of the charts and of the Prefect artifact


def scope_unit(unit: Scope) -> Unit:
    """The tables' total row: the district, or the province that lists its communes directly."""
    return Unit(unit.code, unit.name, unit.level)


def round_scope(review_round: ReviewRound) -> Scope:
    found = scope(review_round.year, review_round.scope_code)
    if found.level != review_round.scope_level:
        raise LookupError(f"round {review_round.id} does not consolidate communes in {review_round.year}")
    return found


def data_fingerprint(standard_label: str, included: dict[str, str], history: pd.DataFrame) -> str:
    """What an approval is bound to: the standard, each included commune's file hash, last years'
    statuses. Any change to one of them gives another fingerprint."""
    digest = hashlib.sha256(standard_label.encode())
    for commune, sha in sorted(included.items()):
        digest.update(f"{commune}:{sha};".encode())
    ordered = history.sort_values(["commune_code", "household_id", "year"], kind="stable")
    digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def missing_communes(session: Session, review_round: ReviewRound) -> dict[str, str]:
    """Communes of the round without accepted data in their latest version, and why."""
    latest = latest_submissions(session, review_round.id)
    return {
        c.code: (
            "chưa nộp"
            if c.code not in latest
            else STATUS_REASONS_VI.get(latest[c.code].status, latest[c.code].status)
            + f" (bản v{latest[c.code].version})"
        )
        for c in round_scope(review_round).communes
        if c.code not in latest or latest[c.code].status != "accepted"
    }


@dataclass(frozen=True)
class CommuneRef:
    """One commune's accepted submission as consolidation will read it.

    `sha256` names the bytes; `submission_id` with `received_at` names the rows in this database, so
    a cached read is never reused for another database that happens to hold the same file."""

    commune_code: str
    submission_id: int
    sha256: str
    received_at: str


@dataclass(frozen=True)
class ConsolidationPlan:
    """What a consolidation will include, decided before anything is read."""

    round_id: int
    year: int
    scope_code: str
    standard_label: str
    included: tuple[CommuneRef, ...]  # by commune code
    missing: dict[str, str]
    reason: str | None


@dataclass(frozen=True)
class CommuneData:
    """A commune's accepted households (with classification) and members: codes and figures only,
    no names or CCCD numbers, so it may be cached outside the project's database."""

    commune_code: str
    submission_id: int
    households: pd.DataFrame
    members: pd.DataFrame


class StalePlanError(RuntimeError):
    """A commune sent new data between planning and recording; the consolidation must be redone."""


def plan_consolidation(
    session: Session, round_id: int, *, without_missing: bool = False, reason: str | None = None
) -> ConsolidationPlan:
    review_round = session.get(ReviewRound, round_id)
    if review_round is None:
        raise LookupError(f"no round {round_id}")
    round_scope(review_round)  # a legacy province's approval round consolidates nothing itself
    missing = missing_communes(session, review_round)
    if missing and not without_missing:
        raise MissingCommunesError(missing)
    if missing and not (reason and reason.strip()):
        raise ValueError("tổng hợp khi thiếu xã cần ghi rõ lý do (--reason)")
    latest = latest_submissions(session, round_id)
    included = tuple(
        CommuneRef(code, s.id, s.sha256, s.received_at.isoformat() if s.received_at else "")
        for code, s in sorted(latest.items())
        if code not in missing
    )
    return ConsolidationPlan(
        round_id=round_id,
        year=review_round.year,
        scope_code=review_round.scope_code,
        standard_label=round_standard(review_round).label,
        included=included,
        missing=missing,
        reason=reason if missing else None,
    )


def load_commune(session: Session, ref: CommuneRef) -> CommuneData:
    return CommuneData(
        commune_code=ref.commune_code,
        submission_id=ref.submission_id,
        households=load_households(session, [ref.submission_id]),
        members=load_members(session, [ref.submission_id]),
    )


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


def consolidate_plan(
    session: Session, plan: ConsolidationPlan, data: Sequence[CommuneData], actor: str
) -> ConsolidationOutcome:
    """The district's tables from the planned communes' data, checked and recorded.

    The round's row is locked first (PostgreSQL; SQLite serialises writers anyway) and the plan is
    checked against the latest submissions, so a consolidation never records data that another run
    has already superseded."""
    review_round = session.get(ReviewRound, plan.round_id, with_for_update=True)
    assert review_round is not None
    latest = latest_submissions(session, plan.round_id)
    planned = {ref.commune_code: ref.submission_id for ref in plan.included}
    current = {c: s.id for c, s in latest.items() if s.status == "accepted"}
    if any(current.get(c) != sid for c, sid in planned.items()):
        raise StalePlanError(f"{plan.scope_code}: a commune sent new data during consolidation")
    by_commune = {d.commune_code: d for d in data}
    if set(by_commune) != set(planned):
        raise ValueError("consolidation data does not match its plan")
    ordered = [by_commune[c] for c in sorted(by_commune)]

    year = plan.year
    unit = round_scope(review_round)
    standard = round_standard(review_round)
    communes = unit.communes
    if ordered:
        households = _concat([d.households for d in ordered])
        members = _concat([d.members for d in ordered])
    else:  # every commune missing, consolidated anyway: empty frames with the right columns
        households, members = load_households(session, []), load_members(session, [])
    codes = [c.code for c in communes]
    history = load_history(session, codes, standard.period_first_year, year - 1, map_year=year)
    previous = previous_round(history, year, standard.period_first_year)
    complete = bool((previous["status"] == Status.NON_POOR.value).any()) or previous.empty
    moves = compute_movements(
        households[["household_id", "status", "members"]], previous, roster_complete=complete
    )
    previous_with_commune = previous.merge(
        history[["household_id", "commune_code"]].drop_duplicates("household_id"), on="household_id"
    )
    departed = departed_frame(moves, previous_with_commune)
    departed = departed.loc[departed["commune_code"].isin(codes)]
    frame = household_frame(households, households[["status", "deprivation_count"]], moves)
    tables = consolidate(
        ConsolidationInput(
            unit=scope_unit(unit),
            communes=as_units(communes),
            year=year,
            households=frame,
            members=members,
            departed=departed,
            min_deprivations=standard.min_deprivations,
        )
    )
    last_rates = roster_poor_rates(previous_with_commune, unit.code) if len(previous) else None
    checked = run_checks(tables, last_rates)
    included = {ref.commune_code: ref for ref in plan.included}
    fingerprint = data_fingerprint(standard.label, {c: r.sha256 for c, r in included.items()}, history)
    missing, reason = plan.missing, plan.reason

    record = Consolidation(
        round_id=plan.round_id,
        created_by=actor,
        data_sha256=fingerprint,
        submissions=planned,
        missing=missing,
        forced=bool(missing),
        forced_reason=reason if missing else None,
        tables=tables_to_json(tables),
        checks_passed=checked.passed,
    )
    session.add(record)
    session.flush()
    if checked.passed:
        review_round.state = "consolidated"
    audit(
        session,
        actor,
        "round.consolidated" if checked.passed else "round.consolidation_failed",
        "review_round",
        str(plan.round_id),
        {
            "consolidation_id": record.id,
            "communes": sorted(included),
            "missing": missing,
            "forced": bool(missing),
            "reason": reason if missing else None,
            "data_sha256": fingerprint,
            "failed_checks": sorted(r.check for r in checked.results if not r.success),
        },
    )
    return ConsolidationOutcome(
        consolidation_id=record.id,
        round_id=plan.round_id,
        scope_code=unit.code,
        data_sha256=fingerprint,
        included=planned,
        missing=missing,
        forced=bool(missing),
        passed=checked.passed,
        checks=checked.results,
        failures=checked.failures.drop(columns=["value"]).to_dict("records"),
        has_baseline=not history.empty,
        tables=tables,
        chart=chart_data(tables, previous_counts(history.loc[history["year"] == year - 1])),
    )


def consolidate_round(
    session: Session,
    round_id: int,
    actor: str,
    *,
    without_missing: bool = False,
    reason: str | None = None,
) -> ConsolidationOutcome:
    """Plan, read every included commune, consolidate: the whole stage in one session (the CLI and
    tests; the Prefect flow runs the same steps as tasks so unchanged communes' reads are cached)."""
    plan = plan_consolidation(session, round_id, without_missing=without_missing, reason=reason)
    data = [load_commune(session, ref) for ref in plan.included]
    return consolidate_plan(session, plan, data, actor)
