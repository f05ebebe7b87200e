"""Approved statuses by year (status_history): baselines imported from last years' lists, and the
classifications of approved rounds. Movements read last year's roster from here.

Since the July 2025 reform a row can be read by two maps. Lists of 2022–2024 imported for a province
(`rasoat baseline import --province`) are re-homed: each row is stored once, under its new unit, with
the code and household id it was recorded under (`recorded_commune_code`, `recorded_household_id`).
`load_history` reads by new codes for rounds on the two-tier map and, given the round's year, by the
codes as recorded for rounds on the old map. One copy, not two: a new unit usually keeps one old
code (Xã Cam Lộ 19597 ← Thị trấn Cam Lộ 19597), and a second copy of that commune's rows would break
the unique (commune_code, household_id, year) and be read twice.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Table, and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from rasoat.admin.maps import admin_map
from rasoat.db.models import Classification, HistoryRevision, Household, StatusHistory
from rasoat.db.round_data import frame_from_query
from rasoat.db.rows import write_frame

HISTORY_COLUMNS = ["household_id", "commune_code", "year", "status", "members"]
REHOMED_COLUMNS = [*HISTORY_COLUMNS, "recorded_commune_code", "recorded_household_id"]


def _table() -> Table:
    return StatusHistory.__table__  # type: ignore[return-value]


GLOBAL_REVISION = 0  # the counter's own row; the other rows are years


def history_revision(session: Session, first_year: int, last_year: int) -> int:
    """A number that changes whenever the statuses of any year in first_year..last_year are written:
    what a commune's kept partial consolidation was computed under (`rasoat.pipeline.commune_partials`).
    Approving this year's round writes this year's statuses and leaves the partials of this year's
    files, which read the years before, valid."""
    table = HistoryRevision.__table__
    value = session.execute(
        select(func.max(table.c.revision)).where(table.c.year >= first_year, table.c.year <= last_year)
    ).scalar()
    return int(value or 0)


def _raise_revision(session: Session, years: list[int]) -> None:
    """In the transaction of the write, so the new lists and the new numbers commit together: each
    written year takes the next value of one counter. The UPDATE of the counter's row takes its lock
    (PostgreSQL), so two writes at once get two values."""
    table = HistoryRevision.__table__
    counter = table.c.year == GLOBAL_REVISION
    if session.execute(update(table).where(counter).values(revision=table.c.revision + 1)).rowcount == 0:
        session.execute(insert(table).values(year=GLOBAL_REVISION, revision=1))  # built without 0010
    value = session.execute(select(table.c.revision).where(counter)).scalar_one()
    for year in sorted({int(y) for y in years}):
        row = table.c.year == year
        if session.execute(update(table).where(row).values(revision=value)).rowcount == 0:
            session.execute(insert(table).values(year=year, revision=value))


def _delete_as_recorded(session: Session, year: int, codes: list[str]) -> None:
    """Remove the rows the lists of `codes` (as recorded) held for `year`, wherever they are stored:
    a list replaces that commune's list of that year, whether it was stored as recorded or re-homed."""
    table = _table()
    session.execute(
        delete(table).where(
            table.c.year == int(year),
            or_(
                table.c.recorded_commune_code.in_(codes),
                and_(table.c.recorded_commune_code.is_(None), table.c.commune_code.in_(codes)),
            ),
        )
    )


def replace_history(session: Session, frame: pd.DataFrame, source: str, round_id: int | None = None) -> int:
    """Write `frame` (HISTORY_COLUMNS) as the statuses of its (commune, year) pairs, replacing what
    those pairs held: importing the same list twice, or re-approving a round, adds no duplicates."""
    _raise_revision(session, [int(y) for y in frame["year"].unique()])
    for year, communes in frame.groupby("year")["commune_code"].unique().items():
        _delete_as_recorded(session, int(year), [str(c) for c in communes])
    rows = frame[HISTORY_COLUMNS].assign(source=source, round_id=round_id)
    rows["year"] = rows["year"].astype(int)
    return write_frame(session, _table(), rows)


def replace_with_round(
    session: Session, submission_ids: list[int], commune_codes: list[str], year: int, round_id: int
) -> int:
    """Make an approved round's classifications the statuses of `year` for its communes, inside the
    database (INSERT … SELECT): a province of 4 million households never passes through Python.
    Replaces what those communes held for that year, as `replace_history` does."""
    table = _table()
    _raise_revision(session, [year])
    _delete_as_recorded(session, year, commune_codes)
    source = (
        select(
            Classification.household_id,
            Classification.commune_code,
            literal(int(year)).label("year"),
            Classification.status,
            Household.members,
            literal("round").label("source"),
            literal(int(round_id)).label("round_id"),
        )
        .join(
            Household,
            (Household.submission_id == Classification.submission_id)
            & (Household.household_id == Classification.household_id),
        )
        .where(Classification.submission_id.in_(submission_ids))
    )
    columns = ["household_id", "commune_code", "year", "status", "members", "source", "round_id"]
    done = session.execute(insert(table).from_select(columns, source))
    return int(done.rowcount or 0)


def replace_rehomed_history(session: Session, placed: pd.DataFrame, scope: pd.DataFrame) -> int:
    """Write re-homed rows (REHOMED_COLUMNS, `commune_code` the new unit) in place of what the lists
    of `scope` (`year`, `recorded_commune_code`: every list the file held, placed or not) held.

    Raises ValueError when a row would meet a row kept from another list on the same (new unit,
    household id, year): two lists claiming one household cannot both be right."""
    _raise_revision(
        session, [int(y) for y in scope["year"].unique()] + [int(y) for y in placed["year"].unique()]
    )
    for year, codes in scope.groupby("year")["recorded_commune_code"].unique().items():
        _delete_as_recorded(session, int(year), [str(c) for c in codes])
    if placed.empty:
        return 0
    table = _table()
    kept = frame_from_query(
        session,
        select(table.c.commune_code, table.c.household_id, table.c.year).where(
            table.c.commune_code.in_(sorted(placed["commune_code"].unique())),
            table.c.year.in_(sorted(int(y) for y in placed["year"].unique())),
        ),
        ["commune_code", "household_id", "year"],
    )
    if not kept.empty:
        kept["year"] = kept["year"].astype("int64")
        meet = placed.merge(kept, on=["commune_code", "household_id", "year"])
        if not meet.empty:
            first = meet.iloc[0]
            raise ValueError(
                f"{len(meet)} hộ đã có trong danh sách của xã {first['commune_code']} "
                f"năm {int(first['year'])} "
                f"từ một tệp khác (ví dụ mã hộ {first['household_id']}): hai danh sách ghi cùng một hộ"
            )
    rows = placed.loc[:, REHOMED_COLUMNS].assign(source="baseline", round_id=None)
    rows["year"] = rows["year"].astype(int)
    return write_frame(session, table, rows)


def load_history(
    session: Session,
    commune_codes: list[str],
    first_year: int,
    last_year: int,
    *,
    map_year: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The statuses of the communes' households for first_year..last_year, as a long frame; only
    rows of `statuses` when given (the documents need only the lists, a tenth of the rows).

    Without `map_year`, rows are read by the code they are stored under: a re-homed row under its new
    unit, any other row under its code as written (what every caller did before the reform's lists).
    With `map_year`, the codes are read as codes of that year's map:

    - two-tier map: rows re-homed to those units and rows of two-tier years; a row of an earlier year
      stored as recorded (an old code, never re-homed) is left out, since an old code that a new unit
      kept (19597) names only part of the new unit and would give it part of its history;
    - old map: rows by the code they were recorded under, returned with that code and the household
      id as recorded, so a round of 2024 or before reads its lists as they were.

    Rounds pass their own year; without it (a baseline's own checks) the stored codes are read."""
    table = _table()
    code, household, where = _read_as(table, commune_codes, first_year, last_year, map_year)
    query = select(
        household.label("household_id"),
        code.label("commune_code"),
        table.c.year,
        table.c.status,
        table.c.members,
    ).where(where)
    if statuses is not None:
        query = query.where(table.c.status.in_(statuses))
    frame = frame_from_query(session, query, HISTORY_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["members"] = frame["members"].astype("Int64")
    return frame


def _read_as(
    table: Table, commune_codes: list[str], first_year: int, last_year: int, map_year: int | None
) -> tuple[Any, Any, Any]:
    """The (commune code, household id, condition) that read `load_history`'s rows as codes of
    `map_year`'s map (its docstring says how)."""
    code, household = table.c.commune_code, table.c.household_id
    where = code.in_(commune_codes)
    if map_year is not None and not admin_map(map_year).is_two_tier:
        code = func.coalesce(table.c.recorded_commune_code, table.c.commune_code)
        household = func.coalesce(table.c.recorded_household_id, table.c.household_id)
        where = code.in_(commune_codes)
    elif map_year is not None:
        first_two_tier = next(
            (y for y in range(first_year, last_year + 1) if admin_map(y).is_two_tier), last_year + 1
        )
        where = and_(where, or_(table.c.recorded_commune_code.is_not(None), table.c.year >= first_two_tier))
    return code, household, and_(where, table.c.year >= first_year, table.c.year <= last_year)


def status_counts(session: Session, commune_codes: list[str], year: int, *, map_year: int) -> pd.DataFrame:
    """Households per commune and status in `year`'s lists, read as `load_history` reads them
    (`commune_code`, `status`, `households`), counted by the database: a province's charts need
    these few numbers, not its millions of rows."""
    table = _table()
    code, _household, where = _read_as(table, commune_codes, year, year, map_year)
    query = (
        select(code.label("commune_code"), table.c.status, func.count().label("households"))
        .where(where)
        .group_by(code, table.c.status)
    )
    frame = frame_from_query(session, query, ["commune_code", "status", "households"])
    frame["households"] = frame["households"].astype("int64")
    return frame
