"""The version of the code and rules a cached result was computed with.

Cached task results (see `tasks/cache_keys.py`) are only reused while every file that can change
them is the same: the package's Python sources, the Great Expectations suites, the standards and the
consolidation settings. A digest of their bytes follows every edit, installed release or not.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from rasoat.config import PROJECT_ROOT, data_dir

PACKAGE = Path(__file__).resolve().parent


def _sources() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(PROJECT_ROOT / "expectations").glob("*.json")]
    files += [*(data_dir() / "standards").glob("*.yaml"), data_dir() / "consolidation.yaml"]
    return sorted(p for p in files if p.is_file())


@lru_cache(maxsize=1)
def code_version() -> str:
    """16 hex digits; computed once per process (≈ 200 small files)."""
    digest = hashlib.sha256()
    for path in _sources():
        rel = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
