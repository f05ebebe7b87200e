"""Commune intake: keep the file's bytes first, then read it and record what arrived.

The stored bytes are the single source of truth: validation reads the submission again from them, so
a stored submission can be re-validated at any time (after a suite changes, say) without the commune
sending anything. Only accepted data is written as household rows (see `validation_stage`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from rasoat.admin.scope import scope_level
from rasoat.db import audit, get_or_create_round, store_submission
from rasoat.db.approvals import lapse_approvals
from rasoat.intake import SubmissionError
from rasoat.intake.cache import read_submission_cached
from rasoat.pipeline.identify import Filing
from rasoat.standards import Standard


@dataclass(frozen=True)
class Received:
    """What intake knows of a submission: ids, version and counts, no personal data."""

    round_id: int
    submission_id: int
    commune_code: str
    scope_code: str  # district (three-level map) or province (two-tier map) of its round
    version: int
    sha256: str
    new_version: bool
    readable: bool
    households: int
    members: int
    reading_problems: int


def receive(
    session: Session,
    year: int,
    standard: Standard,
    filing: Filing,
    file_name: str,
    content: bytes,
    actor: str,
) -> Received:
    # Read before the first statement: on SQLite the transaction takes the write lock when it begins,
    # and other communes' intake waits for it; reading a workbook takes the lock's longest part.
    readable, households, members, problems = True, 0, 0, 0
    try:
        parsed = read_submission_cached(content, file_name, year)
        households = len(parsed.households)
        members = 0 if parsed.members is None else len(parsed.members)
        problems = len(parsed.problems)
    except SubmissionError as exc:
        readable, problems = False, len(exc.problems)
    review_round = get_or_create_round(session, year, scope_level(year), filing.scope_code, standard, actor)
    submission, created = store_submission(
        session, review_round, filing.commune_code, file_name, content, actor
    )
    if created:
        # New bytes are new data: any approval that covered this commune no longer holds.
        lapse_approvals(
            session,
            year,
            filing.scope_code,
            f"xã {filing.commune_code} gửi bản v{submission.version}",
            actor,
        )
        if not readable:
            submission.status = "unreadable"
            submission.status_reason = f"{problems} problems reading the file"
        audit(
            session,
            actor,
            "submission.parsed" if readable else "submission.unreadable",
            "submission",
            str(submission.id),
            {"households": households, "members": members, "reading_problems": problems},
        )
    return Received(
        round_id=review_round.id,
        submission_id=submission.id,
        commune_code=filing.commune_code,
        scope_code=filing.scope_code,
        version=submission.version,
        sha256=submission.sha256,
        new_version=created,
        readable=readable,
        households=households,
        members=members,
        reading_problems=problems,
    )
