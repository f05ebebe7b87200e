"""Approved statuses by year (status_history): baselines imported from last years' lists, and the
classifications of approved rounds. Movements read last year's roster from here."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from rasoat.db.models import StatusHistory
from rasoat.db.round_data import frame_from_query
from rasoat.db.rows import write_frame

HISTORY_COLUMNS = ["household_id", "commune_code", "year", "status", "members"]


def replace_history(session: Session, frame: pd.DataFrame, source: str, round_id: int | None = None) -> int:
    """Write `frame` (HISTORY_COLUMNS) as the statuses of its (commune, year) pairs, replacing what
    those pairs held: importing the same list twice, or re-approving a round, adds no duplicates."""
    table: Table = StatusHistory.__table__  # type: ignore[assignment]
    for year, communes in frame.groupby("year")["commune_code"].unique().items():
        session.execute(
            delete(table).where(table.c.year == int(year), table.c.commune_code.in_(list(communes)))
        )
    rows = frame[HISTORY_COLUMNS].assign(source=source, round_id=round_id)
    rows["year"] = rows["year"].astype(int)
    return write_frame(session, table, rows)


def load_history(session: Session, commune_codes: list[str], first_year: int, last_year: int) -> pd.DataFrame:
    """The statuses of the communes' households for first_year..last_year, as a long frame."""
    query = select(*(getattr(StatusHistory, c) for c in HISTORY_COLUMNS)).where(
        StatusHistory.commune_code.in_(commune_codes),
        StatusHistory.year >= first_year,
        StatusHistory.year <= last_year,
    )
    frame = frame_from_query(session, query, HISTORY_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["members"] = frame["members"].astype("Int64")
    return frame
