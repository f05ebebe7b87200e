"""Consolidation of a round's communes (a district's on the three-level map, the province's on the
two-tier map): the accepted communes' data and last years' approved statuses → tables.

A commune that has not submitted, or whose latest file was rejected, blocks consolidation unless
the operator explicitly consolidates without it; that decision is recorded with its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from rasoat.admin.scope import Scope, scope
from rasoat.applied_standard import round_standard
from rasoat.consolidation import ConsolidatedTables, Unit, as_units, run_checks
from rasoat.consolidation.chart_data import ChartData, chart_data
from rasoat.consolidation.partial import (
    CommunePartial,
    assemble_partials,
    previous_chart_counts,
    previous_poor_rates,
)
from rasoat.consolidation.stored import tables_to_json
from rasoat.db import audit
from rasoat.db.models import Consolidation, ReviewRound
from rasoat.db.round_data import latest_submissions
from rasoat.pipeline.commune_partials import KeptPartial, current_revision, partials_for
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
    counted_now: tuple[str, ...] = ()  # communes whose counts were not kept (new lists, or none yet)


def scope_unit(unit: Scope) -> Unit:
    """The tables' total row: the district, or the province that lists its communes directly."""
    return Unit(unit.code, unit.name, unit.level)


def round_scope(review_round: ReviewRound) -> Scope:
    found = scope(review_round.year, review_round.scope_code)
    if found.level != review_round.scope_level:
        raise LookupError(f"round {review_round.id} does not consolidate communes in {review_round.year}")
    return found


def data_fingerprint(standard_label: str, included: Mapping[str, tuple[str, str]]) -> str:
    """What an approval is bound to: the standard and, for each included commune, its file's hash
    and the hash of the last years' statuses its movements were computed from. Any change to one of
    them gives another fingerprint."""
    digest = hashlib.sha256(standard_label.encode())
    for commune, (sha, history_sha) in sorted(included.items()):
        digest.update(f"{commune}:{sha}:{history_sha};".encode())
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


class StalePlanError(RuntimeError):
    """A commune sent new data, or last years' lists were written, between planning and recording;
    the consolidation must be redone."""


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


def load_partials(session: Session, plan: ConsolidationPlan) -> list[KeptPartial]:
    """The included communes' partials: kept by the workers that accepted their files, or counted
    now from the rows of those whose partial is missing or stale."""
    kept = partials_for(session, [ref.submission_id for ref in plan.included])
    for ref, one in zip(plan.included, kept, strict=True):
        if one.partial.commune_code != ref.commune_code:
            raise ValueError(f"submission {ref.submission_id} is not commune {ref.commune_code}'s")
    return kept


def consolidate_plan(
    session: Session, plan: ConsolidationPlan, data: Sequence[KeptPartial], actor: str
) -> ConsolidationOutcome:
    """The unit's tables from the planned communes' partials, checked and recorded.

    The round's row is locked first (PostgreSQL; SQLite serialises writers anyway) and the plan is
    checked against the latest submissions and last years' lists, so a consolidation never records
    data that another run has already superseded."""
    review_round = session.get(ReviewRound, plan.round_id, with_for_update=True)
    assert review_round is not None
    latest = latest_submissions(session, plan.round_id)
    planned = {ref.commune_code: ref.submission_id for ref in plan.included}
    current = {c: s.id for c, s in latest.items() if s.status == "accepted"}
    if any(current.get(c) != sid for c, sid in planned.items()):
        raise StalePlanError(f"{plan.scope_code}: a commune sent new data during consolidation")
    revision = current_revision(session, review_round)
    if any(k.history_revision != revision for k in data):
        raise StalePlanError(f"{plan.scope_code}: last years' lists were written during consolidation")
    by_commune = {k.partial.commune_code: k for k in data}
    if set(by_commune) != set(planned) or any(by_commune[c].submission_id != s for c, s in planned.items()):
        raise ValueError("consolidation data does not match its plan")
    partials: dict[str, CommunePartial] = {c: by_commune[c].partial for c in sorted(by_commune)}

    year = plan.year
    unit = round_scope(review_round)
    standard = round_standard(review_round)
    tables = assemble_partials(
        scope_unit(unit), as_units(unit.communes), year, standard.min_deprivations, partials
    )
    checked = run_checks(tables, previous_poor_rates(partials, unit.code))
    included = {ref.commune_code: ref for ref in plan.included}
    fingerprint = data_fingerprint(
        standard.label, {c: (r.sha256, partials[c].history_sha256) for c, r in included.items()}
    )
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
        has_baseline=any(p.has_history for p in partials.values()),
        tables=tables,
        chart=chart_data(tables, previous_chart_counts(partials)),
        counted_now=tuple(sorted(k.partial.commune_code for k in data if k.counted_now)),
    )


def consolidate_round(
    session: Session,
    round_id: int,
    actor: str,
    *,
    without_missing: bool = False,
    reason: str | None = None,
) -> ConsolidationOutcome:
    """Plan, read the included communes' partials, consolidate: the whole stage in one session (the
    CLI and tests; the Prefect flow runs the same steps as tasks)."""
    plan = plan_consolidation(session, round_id, without_missing=without_missing, reason=reason)
    return consolidate_plan(session, plan, load_partials(session, plan), actor)
