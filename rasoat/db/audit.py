"""The append-only audit log: who did what, when. Details carry ids and counts, never personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rasoat.db.models import AuditEntry


def audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor, action=action, object_type=object_type, object_id=object_id, details=details
    )
    session.add(entry)
    return entry
