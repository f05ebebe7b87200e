"""Alembic migrations, run programmatically (`rasoat db upgrade`) or with `alembic` from the root."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from rasoat.config import database_url
from rasoat.db.admin_seed import seed_admin_units
from rasoat.db.engine import DatabaseUnavailableError, make_engine, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def init_db(url: str | None = None) -> Engine:
    """Migrate to the latest schema and load administrative units. Idempotent."""
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailableError(f"không kết nối được cơ sở dữ liệu tại {where}: {exc.orig}") from None
    upgrade(engine)
    seed_admin_units(engine)
    return engine


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()  # tasks in threads: one migration per URL (alembic is not thread-safe)


def shared_engine(url: str | None = None) -> Engine:
    """One migrated engine per database URL per process: tasks reuse its connection pool."""
    key = normalise_url(url or database_url())
    engine = _ENGINES.get(key)
    if engine is None:
        with _ENGINES_LOCK:
            engine = _ENGINES.get(key)
            if engine is None:
                engine = _ENGINES[key] = init_db(key)
    return engine


def dispose_shared_engines() -> None:
    """Close every shared engine's connections (a benchmark between runs, a process before exit)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
