"""The round's inbox: RASOAT_HOME/inbox/<year>/<scope>/, where communes' files are dropped. The scope
is the unit that consolidates them: a district (3 digits) up to 2024, the province (2 digits) from
the two-tier map on (`inbox/2026/44/`)."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from rasoat.admin.scope import scope, scopes_of_province
from rasoat.config import home

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def inbox_dir(year: int, scope_code: str) -> Path:
    return home() / "inbox" / str(year) / scope(year, scope_code).code


def inbox_files(year: int, scope_code: str) -> list[Path]:
    """Files ready to take in, in order of arrival (a corrected file after the one it corrects):
    spreadsheets and CSVs, not hidden or temporary (`~$…`, `.part`)."""
    folder = inbox_dir(year, scope_code)
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES and not p.name.startswith((".", "~$"))
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def scopes_with_inbox(year: int, province_code: str) -> list[str]:
    """The province's consolidating units with files waiting: districts with an inbox of their own
    (three-level map), or the province itself (two-tier map)."""
    return [s.code for s in scopes_of_province(year, province_code) if inbox_files(year, s.code)]


class FileStillArrivingError(BlockingIOError):
    """The file changed while we looked at it: still being copied or saved. Worth a retry."""


def settle_seconds() -> float:
    """RASOAT_SETTLE_SECONDS (default 1): how long a file must have been left unchanged before it is
    read. Raise it where files arrive over a slow share; 0 reads every file at once (the tests, which
    write their files before handing them in)."""
    value = os.environ.get("RASOAT_SETTLE_SECONDS", "1")
    try:
        seconds = float(value)
        valid = 0 <= seconds < math.inf
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"RASOAT_SETTLE_SECONDS={value!r}: expected a number of seconds, 0 or more")
    return seconds


def read_settled(path: Path, quiet_seconds: float | None = None) -> bytes:
    """The file's bytes once it has stopped changing. A file untouched for `quiet_seconds` (default
    `settle_seconds()`) is read at once; a fresher one is read twice, `quiet_seconds` apart, and must
    not have changed between. Keeping a half-copied workbook as a new (unreadable) version would
    confuse the commune's history."""
    if quiet_seconds is None:
        quiet_seconds = settle_seconds()
    before = path.stat()
    if time.time() - before.st_mtime >= quiet_seconds:
        return path.read_bytes()
    time.sleep(quiet_seconds)
    content = path.read_bytes()
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(
        content
    ) != after.st_size:
        raise FileStillArrivingError(f"{path.name}: file is still changing")
    return content
