"""Alembic environment: the engine comes from rasoat (or from the caller, in tests and the CLI)."""

from __future__ import annotations

from alembic import context

from rasoat.db.engine import make_engine
from rasoat.db.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url") or None)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection if sqlite else None
    if driver is not None:
        # SQLite alters a table by copying it, dropping the original and renaming the copy; with
        # foreign keys enforced, dropping a table other rows reference fails. The pragma is ignored
        # inside a transaction, so it is set on the driver's connection before the migration begins,
        # and the references are checked before the migration commits.
        driver.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("the migration left rows whose references do not exist")
    finally:
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=ON")
