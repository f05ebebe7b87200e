"""The round's inbox: RASOAT_HOME/inbox/<year>/<district>/, where communes' files are dropped."""

from __future__ import annotations

from pathlib import Path

from rasoat.admin_units import districts
from rasoat.config import home

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def inbox_dir(year: int, district_code: str) -> Path:
    return home() / "inbox" / str(year) / f"{int(district_code):03d}"


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
    frame = districts()
    codes = frame.loc[frame["province_code"] == f"{int(province_code):02d}", "district_code"]
    return [c for c in codes if inbox_files(year, c)]
