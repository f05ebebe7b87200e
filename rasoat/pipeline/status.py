"""Where each round stands: communes' latest versions, consolidation, approval."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from rasoat.admin.scope import scope, scope_level
from rasoat.db.models import Approval, ReviewRound
from rasoat.db.round_data import latest_approval, latest_consolidation, latest_submissions


@dataclass(frozen=True)
class RoundStatus:
    round_id: int
    year: int
    scope: str  # "district 468" / "province 44"
    state: str
    standard: str
    communes: dict[str, str] = field(default_factory=dict)  # code → "accepted v2", "chưa nộp"…
    consolidation: str | None = None
    approval: str | None = None


def _approval_text(approval: Approval | None) -> str | None:
    if approval is None:
        return None
    when = approval.decided_at.strftime("%d/%m/%Y %H:%M")
    text = f"{approval.decision} bởi {approval.approver_position} ({when})"
    if approval.decision_number:
        text += f", QĐ {approval.decision_number}"
    if approval.lapsed_at is not None:
        text += f" — HẾT HIỆU LỰC: {approval.lapsed_reason}"
    return text


def round_statuses(session: Session, year: int | None = None) -> list[RoundStatus]:
    query = select(ReviewRound).order_by(ReviewRound.year, ReviewRound.scope_level, ReviewRound.scope_code)
    if year is not None:
        query = query.where(ReviewRound.year == year)
    out = []
    for r in session.scalars(query):
        communes: dict[str, str] = {}
        if r.scope_level == scope_level(r.year):  # the round that takes in communes' files
            latest = latest_submissions(session, r.id)
            for c in scope(r.year, r.scope_code).communes:
                s = latest.get(c.code)
                communes[c.code] = "chưa nộp" if s is None else f"{s.status} v{s.version}"
        consolidation = latest_consolidation(session, r.id)
        approval = latest_approval(session, r.id)
        out.append(
            RoundStatus(
                round_id=r.id,
                year=r.year,
                scope=f"{r.scope_level} {r.scope_code}",
                state=r.state,
                standard=f"{r.standard_id}@{r.standard_version}",
                communes=communes,
                consolidation=None
                if consolidation is None
                else (
                    f"#{consolidation.id} {'đạt' if consolidation.checks_passed else 'KHÔNG ĐẠT'} kiểm tra"
                    + (
                        f", thiếu {len(consolidation.missing)} xã (có quyết định)"
                        if consolidation.forced
                        else ""
                    )
                ),
                approval=_approval_text(approval),
            )
        )
    return out
