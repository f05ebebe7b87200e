"""The queue of households an imported list could not place in a new unit (`baseline_unplaced`).

They wait there, with their statuses and the reason, until the province places them: importing the
list of their old commune and year again (with `new_commune_code` filled in, or their village in the
assignment table) replaces the queue's rows of that list like it replaces the history's, so the ones
now placed leave the queue and the ones still not placed stay."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from rasoat.admin.rehome import UNPLACED_COLUMNS
from rasoat.db.models import BaselineUnplaced, utcnow
from rasoat.db.round_data import frame_from_query
from rasoat.db.rows import write_frame

QUEUE_COLUMNS = ["province_code", *UNPLACED_COLUMNS, "file_sha256", "imported_at"]


def _table() -> Table:
    return BaselineUnplaced.__table__  # type: ignore[return-value]


def replace_unplaced(
    session: Session, province_code: str, scope: pd.DataFrame, unplaced: pd.DataFrame, file_sha256: str
) -> int:
    """The queue's rows of the lists in `scope` (`year`, `recorded_commune_code`) become `unplaced`."""
    table = _table()
    for year, codes in scope.groupby("year")["recorded_commune_code"].unique().items():
        session.execute(
            delete(table).where(
                table.c.year == int(year), table.c.recorded_commune_code.in_([str(c) for c in codes])
            )
        )
    if unplaced.empty:
        return 0
    now: dt.datetime = utcnow()
    rows = unplaced.loc[:, list(UNPLACED_COLUMNS)].assign(
        province_code=province_code, file_sha256=file_sha256, imported_at=now
    )
    rows["year"] = rows["year"].astype(int)
    return write_frame(session, table, rows.loc[:, QUEUE_COLUMNS])


def load_unplaced(session: Session, province_code: str) -> pd.DataFrame:
    """The province's waiting households (QUEUE_COLUMNS), by old commune, household and year."""
    table = _table()
    query = (
        select(*(table.c[c] for c in QUEUE_COLUMNS))
        .where(table.c.province_code == province_code)
        .order_by(table.c.recorded_commune_code, table.c.household_id, table.c.year)
    )
    frame = frame_from_query(session, query, QUEUE_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame
