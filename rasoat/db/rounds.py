"""Review rounds and the standards they were run under."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rasoat.db.audit import audit
from rasoat.db.models import ReviewRound, StandardRecord
from rasoat.standards import Standard


class StandardChangedError(RuntimeError):
    """A standard's YAML changed without a version bump: classifications could not be traced."""


def record_standard(session: Session, standard: Standard) -> StandardRecord:
    """The standard as used, keyed by (id, version); the YAML's hash must not drift under a version."""
    record = session.get(StandardRecord, (standard.id, standard.version))
    if record is None:
        record = StandardRecord(
            id=standard.id,
            version=standard.version,
            sha256=standard.sha256,
            name=standard.name_vi,
            first_year=standard.first_year,
            last_year=standard.last_year,
        )
        session.add(record)
        session.flush()
    elif record.sha256 != standard.sha256:
        raise StandardChangedError(
            f"standard {standard.label} differs from the one recorded under the same version "
            f"(sha256 {record.sha256[:12]} → {standard.sha256[:12]}): bump `version` in its YAML file"
        )
    return record


def get_or_create_round(
    session: Session, year: int, scope_level: str, scope_code: str, standard: Standard, actor: str
) -> ReviewRound:
    """The round of `year` for one administrative unit; created (and audited) on first use."""
    found = session.scalars(
        select(ReviewRound).where(
            ReviewRound.year == year,
            ReviewRound.scope_level == scope_level,
            ReviewRound.scope_code == scope_code,
        )
    ).one_or_none()
    if found is not None:
        return found
    record_standard(session, standard)
    review_round = ReviewRound(
        year=year,
        scope_level=scope_level,
        scope_code=scope_code,
        standard_id=standard.id,
        standard_version=standard.version,
        created_by=actor,
    )
    session.add(review_round)
    session.flush()
    audit(
        session,
        actor,
        "round.created",
        "review_round",
        str(review_round.id),
        {"year": year, "scope": f"{scope_level}:{scope_code}", "standard": standard.label},
    )
    return review_round
