"""Engines and transactions. SQLite under RASOAT_HOME by default; RASOAT_DATABASE_URL for PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from rasoat.config import database_url


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached; the message names the URL without its password."""


def normalise_url(url: str) -> str:
    """Plain `postgresql://` URLs use the psycopg 3 driver the project installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# SQLite has one writer at a time. A transaction that reads first and writes later cannot wait for
# the lock once another writer has committed in between ("database is locked" at once, whatever the
# busy timeout), so every transaction takes the write lock when it begins (BEGIN IMMEDIATE) and
# concurrent submissions queue for it instead of failing. PostgreSQL is the choice for many
# concurrent users; this keeps the embedded default correct, if serial.
SQLITE_BUSY_TIMEOUT_S = 120


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own; _sqlite_begin does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _owner_only(url: str) -> None:
    """The SQLite file holds every household's name and CCCD number: readable by its owner only.
    SQLite gives its -wal and -shm files the database file's permissions."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


READ_ONLY = "rasoat_read_only"  # execution option of `read_scope`'s connections


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    # A transaction that only reads never upgrades, so it may begin deferred: in WAL mode it reads a
    # snapshot while another process writes, instead of queueing behind it for the write lock.
    deferred = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or database_url())
    if url.startswith("sqlite"):
        _owner_only(url)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    return engine


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A transaction that only reads (a consistent snapshot), never committed: on SQLite it does not
    take the write lock, so two workers' reads and writes go on side by side. Nothing written in it
    is kept (PostgreSQL refuses it: a read-only transaction)."""
    options: dict[str, object] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":  # one snapshot for the whole transaction, as SQLite's
        options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    session = sessionmaker(engine.execution_options(**options), expire_on_commit=False)()
    try:
        yield session
    finally:
        session.close()  # ends the transaction without a commit; loaded objects stay readable


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back entirely on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
