"""Review rounds and the standards they were run under."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rasoat.db.audit import audit
from rasoat.db.models import Base, ReviewRound, StandardRecord
from rasoat.standards import Standard


def lock_round(session: Session, round_id: int) -> None:
    """Hold the round's row until the transaction ends: writes that must not interleave within a
    round (numbering a commune's versions, recording a verdict against its neighbours' numbers)
    take turns on PostgreSQL; SQLite's write lock, taken when each transaction begins, already
    serialises them."""
    session.execute(select(ReviewRound.id).where(ReviewRound.id == round_id).with_for_update())


def insert_if_absent(session: Session, model: type[Base], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite): True if this call inserted the row.
    On PostgreSQL a concurrent insert of the same key makes this wait for it, then skip."""
    table = model.__table__
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    result = session.execute(module.insert(table).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


class StandardChangedError(RuntimeError):
    """A standard's YAML changed without a version bump: classifications could not be traced."""


def record_standard(session: Session, standard: Standard) -> StandardRecord:
    """The standard as used, keyed by (id, version); the YAML's hash must not drift under a version."""
    record = session.get(StandardRecord, (standard.id, standard.version))
    if record is None:
        insert_if_absent(
            session,
            StandardRecord,
            id=standard.id,
            version=standard.version,
            sha256=standard.sha256,
            name=standard.name_vi,
            first_year=standard.first_year,
            last_year=standard.last_year,
        )
        record = session.get(StandardRecord, (standard.id, standard.version), populate_existing=True)
        assert record is not None
    if record.sha256 != standard.sha256:
        raise StandardChangedError(
            f"standard {standard.label} differs from the one recorded under the same version "
            f"(sha256 {record.sha256[:12]} → {standard.sha256[:12]}): bump `version` in its YAML file"
        )
    return record


def get_or_create_round(
    session: Session, year: int, scope_level: str, scope_code: str, standard: Standard, actor: str
) -> ReviewRound:
    """The round of `year` for one administrative unit; created (and audited) on first use.

    Twenty communes of a district may send their first files at the same moment: the insert skips a
    round another transaction has just created, and only the creator writes the audit entry."""
    query = select(ReviewRound).where(
        ReviewRound.year == year,
        ReviewRound.scope_level == scope_level,
        ReviewRound.scope_code == scope_code,
    )
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    record_standard(session, standard)
    created = insert_if_absent(
        session,
        ReviewRound,
        year=year,
        scope_level=scope_level,
        scope_code=scope_code,
        standard_id=standard.id,
        standard_version=standard.version,
        created_by=actor,
    )
    review_round = session.scalars(query.execution_options(populate_existing=True)).one()
    if not created:
        return review_round
    audit(
        session,
        actor,
        "round.created",
        "review_round",
        str(review_round.id),
        {"year": year, "scope": f"{scope_level}:{scope_code}", "standard": standard.label},
    )
    return review_round
