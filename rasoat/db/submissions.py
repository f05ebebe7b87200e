"""A commune's files exactly as received: stored first, never overwritten, versioned by content."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rasoat.db.audit import audit
from rasoat.db.models import ReviewRound, Submission
from rasoat.db.rounds import lock_round


def store_submission(
    session: Session,
    review_round: ReviewRound,
    commune_code: str,
    file_name: str,
    content: bytes,
    actor: str,
) -> tuple[Submission, bool]:
    """Keep `content` as the commune's next version; the same bytes again return the stored one.

    Returns (submission, created)."""
    digest = hashlib.sha256(content).hexdigest()
    lock_round(session, review_round.id)  # one commune's files are numbered one after another
    existing = session.scalars(
        select(Submission).where(
            Submission.round_id == review_round.id,
            Submission.commune_code == commune_code,
            Submission.sha256 == digest,
        )
    ).one_or_none()
    if existing is not None:
        return existing, False
    latest = session.scalar(
        select(func.max(Submission.version)).where(
            Submission.round_id == review_round.id, Submission.commune_code == commune_code
        )
    )
    submission = Submission(
        round_id=review_round.id,
        commune_code=commune_code,
        version=(latest or 0) + 1,
        file_name=file_name,
        content=content,
        sha256=digest,
        size_bytes=len(content),
        received_by=actor,
    )
    session.add(submission)
    session.flush()
    audit(
        session,
        actor,
        "submission.received",
        "submission",
        str(submission.id),
        {
            "commune_code": commune_code,
            "version": submission.version,
            "sha256": digest,
            "bytes": len(content),
            "file_name": file_name,
        },
    )
    return submission, True


def submission_versions(session: Session, round_id: int, commune_code: str) -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.round_id == round_id, Submission.commune_code == commune_code)
            .order_by(Submission.version)
        )
    )
