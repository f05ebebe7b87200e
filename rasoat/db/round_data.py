"""Reading a round back: latest versions, consolidation and decision; accepted households and members."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rasoat.db.models import Approval, Classification, Consolidation, Household, Member, Submission
from rasoat.schema import INDICATOR_COLUMNS

HOUSEHOLD_FIELDS = (
    "household_id",
    "commune_code",
    "village",
    "members",
    "area",
    "ethnicity",
    "poverty_cause",
    "no_labour_capacity",
    "merit_household",
    "agri_household",
    "income_per_capita",
    "b1_score",
    *INDICATOR_COLUMNS,
)
MEMBER_FIELDS = ("household_id", "birth_date", "birth_year", "has_health_insurance", "in_school")


def frame_from_query(session: Session, query: Select[Any], columns: list[str]) -> pd.DataFrame:
    """The query's rows as a frame, taken straight from the driver's cursor.

    A district's ≈ 100,000 member rows cost more as SQLAlchemy Row objects than in the database;
    plain tuples go to pandas directly. Values arrive as the driver gives them (SQLite's dates as
    ISO text): callers convert columns with pandas, vectorised."""
    return pd.DataFrame.from_records(rows_from_query(session, query), columns=columns, coerce_float=False)


def rows_from_query(session: Session, query: Select[Any]) -> list[Any]:
    """The query's rows as the driver's plain tuples (see `frame_from_query`)."""
    result = session.connection().execute(query)  # Core execution: a CursorResult over the driver's cursor
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def latest_submissions(session: Session, round_id: int) -> dict[str, Submission]:
    """Each commune's highest version: its current data, accepted or not."""
    latest = (
        select(Submission.commune_code, func.max(Submission.version).label("version"))
        .where(Submission.round_id == round_id)
        .group_by(Submission.commune_code)
        .subquery()
    )
    rows = session.scalars(
        select(Submission)
        .join(
            latest,
            (Submission.commune_code == latest.c.commune_code) & (Submission.version == latest.c.version),
        )
        .where(Submission.round_id == round_id)
    )
    return {s.commune_code: s for s in rows}


def latest_consolidation(session: Session, round_id: int) -> Consolidation | None:
    """The round's newest consolidation, whether its checks passed or not."""
    return session.scalars(
        select(Consolidation)
        .where(Consolidation.round_id == round_id)
        .order_by(Consolidation.id.desc())
        .limit(1)
    ).first()


def latest_approval(session: Session, round_id: int) -> Approval | None:
    """The round's newest decision, lapsed or not."""
    return session.scalars(
        select(Approval).where(Approval.round_id == round_id).order_by(Approval.id.desc()).limit(1)
    ).first()


def classified_households(*more: Any) -> Select[Any]:
    """Households joined with their classification: HOUSEHOLD_FIELDS, `status`, `deprivation_count`,
    then the columns `more`."""
    return select(
        *(getattr(Household, f) for f in HOUSEHOLD_FIELDS),
        Classification.status,
        Classification.deprivation_count,
        *more,
    ).join(
        Classification,
        (Classification.submission_id == Household.submission_id)
        & (Classification.household_id == Household.household_id),
    )


def load_households(session: Session, submission_ids: list[int]) -> pd.DataFrame:
    """Households of the submissions with their classification (status, deprivation count)."""
    query = (
        classified_households()
        .where(Household.submission_id.in_(submission_ids))
        .order_by(Household.commune_code, Household.id)
    )
    return frame_from_query(session, query, [*HOUSEHOLD_FIELDS, "status", "deprivation_count"])


def load_members(session: Session, submission_ids: list[int]) -> pd.DataFrame:
    query = (
        select(*(getattr(Member, f) for f in MEMBER_FIELDS))
        .where(Member.submission_id.in_(submission_ids))
        .order_by(Member.id)
    )
    frame = frame_from_query(session, query, list(MEMBER_FIELDS))
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    return frame
