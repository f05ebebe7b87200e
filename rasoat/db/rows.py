"""Per-round household, member and classification rows, written in bulk and replaced atomically.

A rerun of the same submission deletes its rows and writes them again inside the caller's
transaction, so a crash leaves either the old rows or the new ones, never both or neither.

The write path is the one each database is fastest at, on the session's own connection (so inside
its transaction): PostgreSQL loads with COPY (psycopg 3's `cursor.copy`), SQLite takes batched
executemany of plain tuples. Both skip SQLAlchemy's per-row dictionaries, which cost more than the
database itself at a province's ≈ 1.7 million rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON, Date, DateTime, Float, Integer, Table, delete, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from rasoat.db.models import Classification, Household, Member, Submission
from rasoat.db.rounds import record_standard
from rasoat.standards import Standard

BATCH_ROWS = 5000  # SQLite executemany batches: bounded memory, few round trips
WRITE_CACHE_KIB = 65536  # SQLite's page cache while a frame's rows are inserted (`_insert_sqlite`)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain Python values with None for missing ones (what every DB-API driver accepts)."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def _with_nulls(values: list[Any], missing: np.ndarray) -> list[Any]:
    if not missing.any():
        return values
    return [None if gone else value for value, gone in zip(values, missing.tolist(), strict=True)]


def _moments(series: pd.Series, column_type: Date | DateTime, as_sqlite_text: bool) -> list[Any]:
    """A datetime64 column as dates or datetimes, each distinct value converted once (a column of
    birth dates or of one `computed_at` would otherwise make a Timestamp and a Python object per row).

    `as_sqlite_text`: the text sqlite3's own adapters would store for them (`isoformat()`, and
    `isoformat(" ")` for a datetime), so SQLite gets the same values without adapting each row."""
    codes, uniques = pd.factorize(series)  # missing values: code -1
    moments = pd.DatetimeIndex(uniques)
    plain: list[Any] = list(moments.to_pydatetime() if isinstance(column_type, DateTime) else moments.date)
    if as_sqlite_text:
        plain = [v.isoformat(" ") if isinstance(column_type, DateTime) else v.isoformat() for v in plain]
    lookup = np.empty(len(plain) + 1, dtype=object)
    lookup[: len(plain)] = plain
    lookup[-1] = None  # where code -1 lands
    return lookup[codes].tolist()


def _column_values(series: pd.Series, column_type: Any, sqlite: bool = False) -> list[Any]:
    """One column as plain Python values of the column's SQL type, None where missing.

    Integer columns arrive as float when the sheet had blanks (3.0); COPY's text format would
    refuse "3.0" for a smallint, so they are made whole numbers here, as the server's cast would."""
    if isinstance(column_type, Date | DateTime) and pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _moments(series, column_type, as_sqlite_text=sqlite)
    missing = series.isna().to_numpy()
    if isinstance(column_type, Integer):
        if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            whole = series.to_numpy(dtype=np.int64, na_value=0)  # exact, also beyond 2**53
        else:
            numbers = pd.to_numeric(series.astype(object).where(~missing, 0)).to_numpy(dtype=np.float64)
            whole = np.round(numbers).astype(np.int64)
        return _with_nulls(whole.tolist(), missing)
    if isinstance(column_type, Float):
        return _with_nulls(series.to_numpy(dtype=np.float64, na_value=np.nan).tolist(), missing)
    values = series.astype(object).tolist()
    if isinstance(column_type, DateTime):
        values = [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in values]
    elif isinstance(column_type, Date):
        values = [v.date() if isinstance(v, pd.Timestamp) else v for v in values]
    return _with_nulls(values, missing)


def _columns(table: Table, frame: pd.DataFrame, sqlite: bool = False) -> list[list[Any]]:
    return [_column_values(frame[name], table.c[name].type, sqlite) for name in frame.columns]


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """BATCH_ROWS rows at a time, made as they are sent: all of a table's rows as tuples at once were
    ≈ 40 MB for a 71,000-household commune's members, while its frames are in memory too."""
    while chunk := list(islice(rows, BATCH_ROWS)):
        yield chunk


def _copy_postgresql(
    connection: Connection, table: Table, names: list[str], columns: list[list[Any]]
) -> None:
    from psycopg import sql

    for i, name in enumerate(names):
        if isinstance(table.c[name].type, JSON):  # COPY's text format takes the JSON document as text
            columns[i] = [None if v is None else json.dumps(v, ensure_ascii=False) for v in columns[i]]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in zip(*columns, strict=True):
            copy.write_row(row)


def _insert_sqlite(connection: Connection, table: Table, names: list[str], columns: list[list[Any]]) -> None:
    dialect = connection.dialect
    for i, name in enumerate(names):
        # SQLAlchemy's own storage format for dates, timestamps and JSON on SQLite, so reads agree.
        process: Callable[[Any], Any] | None = table.c[name].type.bind_processor(dialect)
        if process is not None:
            columns[i] = [None if v is None else process(v) for v in columns[i]]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    rows = zip(*columns, strict=True)
    # A commune's CCCD numbers go into indexes holding the whole round's, at random places: once
    # those indexes outgrow SQLite's default 2 MB page cache, each insert reads its pages again.
    # Measured on 24,000-household communes: the 14th one written ≈ 1.7× slower than the first with
    # the default, ≈ 1.3× with WRITE_CACHE_KIB. The cache is that large only while rows go in.
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    try:
        for chunk in _chunks(rows):
            connection.exec_driver_sql(statement, chunk)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")  # frees the pages above it


def write_frame(session: Session, table: Table, frame: pd.DataFrame) -> int:
    """Insert the frame's rows (its columns are the table's) in the session's transaction."""
    if frame.empty:
        return 0
    names = [str(c) for c in frame.columns]
    connection = session.connection()  # begins the session's transaction if it has not yet
    columns = _columns(table, frame, sqlite=connection.dialect.name == "sqlite")
    if connection.dialect.name == "postgresql":
        _copy_postgresql(connection, table, names, columns)
    elif connection.dialect.name == "sqlite":
        _insert_sqlite(connection, table, names, columns)
    else:  # a database rasoat is not tuned for: SQLAlchemy's generic executemany
        session.execute(insert(table), _records(frame))
    return len(frame)


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
        if "birth_date" in mframe:  # datetime64: written as dates (`_moments`)
            mframe["birth_date"] = pd.to_datetime(mframe["birth_date"])
        written_members = write_frame(
            session, member_table, mframe.reindex(columns=_table_columns(member_table))
        )
    return written_households, written_members


def save_classifications(
    session: Session,
    submission: Submission,
    classified: pd.DataFrame,
    standard: Standard,
    national: Standard | None = None,
) -> int:
    """Replace the submission's classification rows, tagged with the applied standard's id and
    version and with the national status and standard (`classify_both`). Without `national` the
    applied standard is the national one and `national_status` defaults to `status`."""
    national = national or standard
    if national.label != standard.label:
        if "national_status" not in classified:
            raise ValueError(
                f"classified under {standard.label} without a national status ({national.label})"
            )
        record_standard(session, national)  # the national standard's row, for the foreign key
    table: Table = Classification.__table__  # type: ignore[assignment]
    session.execute(delete(table).where(table.c.submission_id == submission.id))
    frame = classified.reset_index(drop=True)
    frame = frame.assign(
        round_id=submission.round_id,
        submission_id=submission.id,
        standard_id=standard.id,
        standard_version=standard.version,
        national_status=frame["national_status"] if "national_status" in frame else frame["status"],
        national_standard_id=national.id,
        national_standard_version=national.version,
        computed_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
    )
    for column in ("status", "national_status", "criterion", "income_path"):
        frame[column] = frame[column].astype(object)
    frame["deprivation_count"] = frame["deprivation_count"].astype(np.int64)
    frame["b2_score"] = frame["b2_score"].astype(np.int64)
    return write_frame(session, table, frame.reindex(columns=_table_columns(table)))
