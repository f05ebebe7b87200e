"""Province approval: the districts' tables rolled up (three-level map), or the province's own
consolidation of its communes (two-tier map), and a human decision bound to the exact data.

An approval records a fingerprint of everything it approved (each consolidation's
fingerprint, which covers every commune file's sha256 and last years' statuses). When a commune's
data changes afterwards, the approval lapses and the round needs a new decision.

On the two-tier map (from July 2025) there is no district: the province round consolidates its
communes itself, and its newest passed consolidation is what is approved, taken as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from rasoat import unit_codes
from rasoat.admin.maps import admin_map, legacy_map
from rasoat.admin.scope import scopes_of_province
from rasoat.consolidation import ConsolidatedTables, Unit, consolidate_province
from rasoat.consolidation.stored import tables_from_json
from rasoat.db import audit, get_or_create_round
from rasoat.db.history import replace_with_round
from rasoat.db.models import Approval, Consolidation, ReviewRound
from rasoat.standards import standard_for


class NothingToApproveError(RuntimeError):
    """No district of the province (nor, on the two-tier map, the province itself) has a
    consolidation that passed its checks."""


@dataclass(frozen=True)
class Decision:
    approve: bool
    approver_name: str
    approver_position: str
    decision_number: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ProvinceTables:
    round_id: int
    province_code: str
    year: int
    data_sha256: str
    # district code → consolidation id; on the two-tier map the province code → the province
    # round's own consolidation (its statuses become the baseline on approval)
    district_consolidations: dict[str, int]
    district_rounds: dict[str, int]  # district code → round id (none on the two-tier map)
    tables: ConsolidatedTables = field(repr=False)
    direct: bool = False  # the province consolidated its communes itself (two-tier map)


def province_unit(code: str, year: int | None = None) -> Unit:
    units = admin_map(year) if year is not None else legacy_map()
    return Unit(unit_codes.province_code(code), units.province_name(code), "province")


def latest_consolidations(session: Session, year: int, province_code: str) -> dict[str, Consolidation]:
    """The newest consolidation that passed its checks, per consolidating round of the province."""
    scopes = scopes_of_province(year, province_code)
    rounds = session.scalars(
        select(ReviewRound).where(
            ReviewRound.year == year,
            ReviewRound.scope_level == scopes[0].level,
            ReviewRound.scope_code.in_([s.code for s in scopes]),
        )
    ).all()
    out: dict[str, Consolidation] = {}
    for review_round in sorted(rounds, key=lambda r: r.scope_code):
        newest = session.scalars(
            select(Consolidation)
            .where(Consolidation.round_id == review_round.id, Consolidation.checks_passed.is_(True))
            .order_by(Consolidation.id.desc())
            .limit(1)
        ).first()
        if newest is not None:
            out[review_round.scope_code] = newest
    return out


def build_province_tables(session: Session, year: int, province_code: str, actor: str) -> ProvinceTables:
    parts = latest_consolidations(session, year, province_code)
    if not parts:
        units = "tổng hợp các xã" if admin_map(year).is_two_tier else "huyện nào tổng hợp"
        raise NothingToApproveError(f"tỉnh {province_code} chưa {units} xong năm {year}")
    if admin_map(year).is_two_tier:  # the province's own consolidation, not a roll-up of districts
        code = unit_codes.province_code(province_code)
        own = parts[code]
        return ProvinceTables(
            round_id=own.round_id,
            province_code=code,
            year=year,
            # the same form as a roll-up's fingerprint, over the one part there is
            data_sha256=hashlib.sha256(f"{code}:{own.data_sha256};".encode()).hexdigest(),
            district_consolidations={code: own.id},
            district_rounds={},
            tables=tables_from_json(own.tables),
            direct=True,
        )
    review_round = get_or_create_round(
        session, year, "province", province_code, standard_for(year, province_code), actor
    )
    digest = hashlib.sha256()
    for code, consolidation in sorted(parts.items()):
        digest.update(f"{code}:{consolidation.data_sha256};".encode())
    tables = consolidate_province(
        [tables_from_json(c.tables) for _, c in sorted(parts.items())], province_unit(province_code, year)
    )
    return ProvinceTables(
        round_id=review_round.id,
        province_code=province_code,
        year=year,
        data_sha256=digest.hexdigest(),
        district_consolidations={code: c.id for code, c in parts.items()},
        district_rounds={code: c.round_id for code, c in parts.items()},
        tables=tables,
    )


def record_decision(session: Session, province: ProvinceTables, decision: Decision, actor: str) -> Approval:
    """Store the decision. Approval makes this year's statuses the baseline of next year; rejection
    sends the round back (its communes; up to 2024 its districts) with the reason."""
    if not decision.approve and not (decision.reason and decision.reason.strip()):
        raise ValueError("từ chối phê duyệt cần ghi rõ lý do")
    approval = Approval(
        round_id=province.round_id,
        decision="approved" if decision.approve else "rejected",
        approver_name=decision.approver_name,
        approver_position=decision.approver_position,
        decision_number=decision.decision_number,
        reason=decision.reason,
        data_sha256=province.data_sha256,
    )
    session.add(approval)
    province_round = session.get(ReviewRound, province.round_id)
    assert province_round is not None
    province_round.state = "approved" if decision.approve else "rejected"
    for round_id in province.district_rounds.values():  # none on the two-tier map
        district_round = session.get(ReviewRound, round_id)
        assert district_round is not None
        district_round.state = "approved" if decision.approve else "rejected"
    if decision.approve:
        for consolidation_id in province.district_consolidations.values():
            consolidation = session.get(Consolidation, consolidation_id)
            assert consolidation is not None
            _record_statuses(session, consolidation, province.year)
    session.flush()
    audit(
        session,
        actor,
        f"round.{approval.decision}",
        "review_round",
        str(province.round_id),
        {
            "approval_id": approval.id,
            "data_sha256": province.data_sha256,
            "districts": sorted(province.district_rounds),
            "decision_number": decision.decision_number,
            "reason": decision.reason,
        },
    )
    return approval


def _record_statuses(session: Session, consolidation: Consolidation, year: int) -> None:
    ids = [int(i) for i in consolidation.submissions.values()]
    replace_with_round(session, ids, sorted(consolidation.submissions), year, consolidation.round_id)
