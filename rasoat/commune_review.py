"""One commune's submission through the foundation steps: keep the bytes, read, classify, compare
with last year, store. The Prefect intake and validation flows wrap these same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from rasoat.classifier import classify
from rasoat.db import audit, save_classifications, save_households, store_submission
from rasoat.db.models import ReviewRound, Submission
from rasoat.intake import Problem, SubmissionError, read_submission
from rasoat.movements import compute_movements
from rasoat.standards import Standard


@dataclass
class CommuneOutcome:
    commune_code: str
    submission_id: int
    version: int
    new_version: bool
    households: pd.DataFrame | None = None  # canonical households (None when unreadable)
    classified: pd.DataFrame | None = None  # classification + movements, one row per household
    movements: pd.DataFrame | None = None  # also last year's households that left the roster
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.classified is not None


def review_commune_file(
    session: Session,
    review_round: ReviewRound,
    path: Path,
    commune_code: str,
    standard: Standard,
    previous: pd.DataFrame,
    actor: str,
) -> CommuneOutcome:
    """Store `path`'s bytes first (nothing a commune sends is lost), then parse and classify.

    `previous` is last year's roster of the district (see `movements.previous_round`)."""
    content = path.read_bytes()
    submission, created = store_submission(session, review_round, commune_code, path.name, content, actor)
    outcome = CommuneOutcome(commune_code, submission.id, submission.version, created)
    try:
        parsed = read_submission(content, path.name)
    except SubmissionError as exc:
        _mark(session, submission, "unreadable", exc.problems, actor)
        outcome.problems = exc.problems
        return outcome
    if parsed.problems:
        _mark(session, submission, "rejected", parsed.problems, actor)
        outcome.problems = parsed.problems
        return outcome

    households = parsed.households
    result = classify(households, standard)
    current = households[["household_id", "members"]].assign(status=result["status"].astype("object"))
    mine = previous.loc[
        previous["household_id"].isin(current["household_id"]) | previous["commune_code"].eq(commune_code)
    ]
    moves = compute_movements(current, mine).set_index("household_id")
    classified = households[["household_id", "commune_code", "members"]].join(result)
    classified["previous_status"] = classified["household_id"].map(moves["previous_status"])
    classified["poor_movement"] = classified["household_id"].map(moves["poor_movement"]).astype("object")
    classified["near_poor_movement"] = (
        classified["household_id"].map(moves["near_poor_movement"]).astype("object")
    )

    save_households(session, submission, households, parsed.members)
    save_classifications(session, submission, classified, standard)
    submission.status = "accepted"
    audit(
        session,
        actor,
        "submission.classified",
        "submission",
        str(submission.id),
        {"commune_code": commune_code, "version": submission.version, "households": len(households)},
    )
    outcome.households = households
    outcome.classified = classified
    outcome.movements = moves.reset_index()
    return outcome


def _mark(session: Session, submission: Submission, status: str, problems: list[Problem], actor: str) -> None:
    submission.status = status
    submission.status_reason = f"{len(problems)} problems; first: {problems[0].code}" if problems else None
    audit(
        session,
        actor,
        f"submission.{status}",
        "submission",
        str(submission.id),
        {"problems": len(problems), "codes": sorted({p.code for p in problems})},
    )
