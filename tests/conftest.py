"""Shared fixtures: real databases. Every database test runs against SQLite and PostgreSQL.

PostgreSQL is the project's server at 127.0.0.1:5432 (RASOAT_TEST_POSTGRES_URL overrides); each test
session creates its own throwaway database there and drops it afterwards. Tests fail, not skip,
when the server is unreachable: a deployment runs on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from rasoat.db import init_db

# Rich wraps tables at 80 columns when not on a terminal; wide enough that headings stay on one line.
os.environ.setdefault("COLUMNS", "200")

POSTGRES_ADMIN_URL = os.environ.get(
    "RASOAT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the project's PostgreSQL server, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with throwaway_postgres_database("rasoat_test") as url:
        yield url


@pytest.fixture(autouse=True)
def rasoat_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own RASOAT_HOME; nothing leaks into ~/.rasoat."""
    home = tmp_path / "rasoat-home"
    monkeypatch.setenv("RASOAT_HOME", str(home))
    monkeypatch.delenv("RASOAT_DATABASE_URL", raising=False)
    # A test writes its files just before handing them in: read them at once, not a second later
    # (tests/test_caching.py checks the wait for a file still changing).
    monkeypatch.setenv("RASOAT_SETTLE_SECONDS", "0")
    return home


ROUND_TABLES = (
    "audit_log, documents, approvals, consolidations, commune_partials, status_history, baseline_unplaced, "
    "validation_results, "
    "classifications, members, households, submissions, review_rounds, standards"
)


def _empty_round_tables(url: str) -> None:
    """Leave the session's PostgreSQL database as the next test expects it: units kept, rounds gone."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.execute(text("SELECT to_regclass('public.review_rounds')")).scalar() is not None:
            conn.execute(text(f"TRUNCATE {ROUND_TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test starts with no rounds in either database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rasoat.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    _empty_round_tables(url)
    yield url
    _empty_round_tables(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has touched (a new PostgreSQL database, not the session's shared one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with throwaway_postgres_database("rasoat_empty") as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database with the administrative units."""
    engine = init_db(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A real, throwaway Prefect server for the whole test session (its own SQLite database)."""
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# The longest end-to-end modules (a minute or more each): started first.
LONGEST = (
    "test_inbox_rerun.py",
    "test_task_runner.py",
    "test_review_round.py",
    "test_cli.py",  # the two-tier demo round, on both databases
    "test_faults.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests first, the longest of them at the very start: they run while both workers
    are free, and the short tests fill in at the end instead of one long test finishing alone."""
    items.sort(key=lambda item: (item.get_closest_marker("e2e") is None, item.path.name not in LONGEST))
