"""Alembic migrations, run programmatically (`rasoat db upgrade`) or with `alembic` from the root."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from rasoat.db.admin_seed import seed_admin_units
from rasoat.db.engine import DatabaseUnavailableError, make_engine

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
