"""Approvals lapse when the data they approved changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rasoat.admin_units import province_of_district
from rasoat.db.audit import audit
from rasoat.db.models import Approval, ReviewRound


def lapse_approvals(session: Session, year: int, district_code: str, why: str, actor: str) -> int:
    """A commune's data changed: approvals covering its district (and province) no longer hold."""
    scopes = [("district", district_code), ("province", province_of_district(district_code))]
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
        audit(session, actor, "approval.lapsed", "district", district_code, {"year": year, "why": why})
    return int(lapsed or 0)
