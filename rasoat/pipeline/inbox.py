"""The round's inbox: RASOAT_HOME/inbox/<year>/<district>/, where communes' files are dropped."""

from __future__ import annotations

import time
from pathlib import Path

from rasoat import unit_codes
from rasoat.admin_units import district_codes_of
from rasoat.config import home

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def inbox_dir(year: int, district_code: str) -> Path:
    return home() / "inbox" / str(year) / unit_codes.district_code(district_code)


def inbox_files(year: int, district_code: str) -> list[Path]:
    """Files ready to take in, in order of arrival (a corrected file after the one it corrects):
    spreadsheets and CSVs, not hidden or temporary (`~$…`, `.part`)."""
    folder = inbox_dir(year, district_code)
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES and not p.name.startswith((".", "~$"))
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def districts_with_inbox(year: int, province_code: str) -> list[str]:
    return [c for c in district_codes_of(province_code) if inbox_files(year, c)]


class FileStillArrivingError(BlockingIOError):
    """The file changed while we looked at it: still being copied or saved. Worth a retry."""


def read_settled(path: Path, quiet_seconds: float = 1.0) -> bytes:
    """The file's bytes once it has stopped changing. A file untouched for `quiet_seconds` is read at
    once; a fresher one is read twice, `quiet_seconds` apart, and must not have changed between.
    Keeping a half-copied workbook as a new (unreadable) version would confuse the commune's history."""
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
