"""Alembic environment: the engine comes from rasoat (or from the caller, in tests and the CLI)."""

from __future__ import annotations

from alembic import context

from rasoat.db.engine import make_engine
from rasoat.db.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url") or None)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    context.run_migrations()
