"""The review database: engine, migrations, and the few operations the flows need."""

from rasoat.db.audit import audit
from rasoat.db.engine import DatabaseUnavailableError, make_engine, read_scope, session_scope
from rasoat.db.migrate import dispose_shared_engines, init_db, shared_engine, upgrade
from rasoat.db.rounds import StandardChangedError, get_or_create_round, record_standard
from rasoat.db.rows import save_classifications, save_households
from rasoat.db.submissions import store_submission, submission_versions

__all__ = [
    "DatabaseUnavailableError",
    "StandardChangedError",
    "audit",
    "dispose_shared_engines",
    "get_or_create_round",
    "init_db",
    "make_engine",
    "read_scope",
    "record_standard",
    "save_classifications",
    "save_households",
    "session_scope",
    "shared_engine",
    "store_submission",
    "submission_versions",
    "upgrade",
]
