"""Per-round household, member and classification rows, written in bulk and replaced atomically.

A rerun of the same submission deletes its rows and writes them again inside the caller's
transaction, so a crash leaves either the old rows or the new ones, never both or neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from rasoat.db.models import Classification, Household, Member, Submission
from rasoat.standards import Standard

BATCH_ROWS = 5000  # executemany batches: bounded memory, few round trips


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python values with None for missing ones (what every DB-API driver accepts)."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def _chunks(records: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(records), BATCH_ROWS):
        yield records[start : start + BATCH_ROWS]


def write_frame(session: Session, table: Table, frame: pd.DataFrame) -> int:
    records = _records(frame)
    for chunk in _chunks(records):
        session.execute(insert(table), chunk)
    return len(records)


def _table_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "id"]


def save_households(
    session: Session, submission: Submission, households: pd.DataFrame, members: pd.DataFrame | None
) -> tuple[int, int]:
    """Replace the submission's household and member rows. Returns (households, members) written."""
    household_table: Table = Household.__table__  # type: ignore[assignment]
    member_table: Table = Member.__table__  # type: ignore[assignment]
    session.execute(delete(member_table).where(member_table.c.submission_id == submission.id))
    session.execute(delete(household_table).where(household_table.c.submission_id == submission.id))

    frame = households.reset_index()
    extra_columns = [c for c in frame.columns if str(c).startswith("extra:")]
    if extra_columns:  # unknown columns are kept, not dropped (submission format)
        extras = frame[extra_columns].rename(columns=lambda c: c.removeprefix("extra:"))
        frame["extra"] = [{k: v for k, v in row.items() if v is not None} or None for row in _records(extras)]
    frame = frame.assign(submission_id=submission.id, round_id=submission.round_id)
    written_households = write_frame(
        session, household_table, frame.reindex(columns=_table_columns(household_table))
    )

    written_members = 0
    if members is not None and len(members):
        mframe = members.reset_index().assign(submission_id=submission.id)
        if "birth_date" in mframe:
            mframe["birth_date"] = pd.to_datetime(mframe["birth_date"]).dt.date
        written_members = write_frame(
            session, member_table, mframe.reindex(columns=_table_columns(member_table))
        )
    return written_households, written_members


def save_classifications(
    session: Session, submission: Submission, classified: pd.DataFrame, standard: Standard
) -> int:
    """Replace the submission's classification rows, tagged with the standard's id and version."""
    table: Table = Classification.__table__  # type: ignore[assignment]
    session.execute(delete(table).where(table.c.submission_id == submission.id))
    frame = classified.reset_index(drop=True).assign(
        round_id=submission.round_id,
        submission_id=submission.id,
        standard_id=standard.id,
        standard_version=standard.version,
        computed_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
    )
    for column in ("status", "criterion", "income_path"):
        frame[column] = frame[column].astype(object)
    frame["deprivation_count"] = frame["deprivation_count"].astype(np.int64)
    frame["b2_score"] = frame["b2_score"].astype(np.int64)
    return write_frame(session, table, frame.reindex(columns=_table_columns(table)))
