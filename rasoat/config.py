"""Where rasoat keeps things: RASOAT_HOME, the database URL and the shipped data directory."""

from __future__ import annotations

import os
from pathlib import Path

# The repository's data/ (standards, district profiles, sample files). The project is installed
# editable from its checkout, so the directory sits beside the package; RASOAT_DATA_DIR overrides.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("RASOAT_DATA_DIR", PROJECT_ROOT / "data"))


def home() -> Path:
    """RASOAT_HOME (default ~/.rasoat): database, inbox, outputs.

    Created readable by its owner only: it holds households' names and CCCD numbers (the database,
    the communes' files, the documents)."""
    path = Path(os.environ.get("RASOAT_HOME", Path.home() / ".rasoat")).expanduser()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def database_url() -> str:
    """RASOAT_DATABASE_URL selects PostgreSQL; otherwise SQLite under RASOAT_HOME."""
    url = os.environ.get("RASOAT_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home() / 'rasoat.db'}"
