"""Approvals lapse when the data they approved changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rasoat.admin.scope import scope
from rasoat.db.audit import audit
from rasoat.db.models import Approval, ReviewRound


def lapse_approvals(session: Session, year: int, scope_code: str, why: str, actor: str) -> int:
    """A commune's data changed: approvals covering its round's scope (its district and province, or
    its province on the two-tier map) no longer hold."""
    unit = scope(year, scope_code)
    scopes = [(unit.level, unit.code), ("province", unit.province_code)]
    round_ids = [
        r.id
        for level, code in scopes
        for r in session.scalars(
            select(ReviewRound).where(
                ReviewRound.year == year, ReviewRound.scope_level == level, ReviewRound.scope_code == code
            )
        )
    ]
    if not round_ids:
        return 0
    lapsed = session.execute(
        update(Approval)
        .where(
            Approval.round_id.in_(round_ids), Approval.decision == "approved", Approval.lapsed_at.is_(None)
        )
        .values(lapsed_at=dt.datetime.now(dt.UTC), lapsed_reason=why)
    ).rowcount
    if lapsed:
        session.execute(
            update(ReviewRound)
            .where(ReviewRound.id.in_(round_ids), ReviewRound.state == "approved")
            .values(state="validating")
        )
        audit(session, actor, "approval.lapsed", unit.level, unit.code, {"year": year, "why": why})
    return int(lapsed or 0)
