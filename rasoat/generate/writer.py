"""Writing a commune's workbook the way communes send it: Vietnamese headers, ids and CCCD as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import xlsxwriter

from rasoat.schema import AREA_LABELS_VI, HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET

# A fixed creation time keeps workbooks byte-identical for the same seed.
FIXED_CREATED = dt.datetime(2026, 1, 1)


def _cells(frame: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    """Rows of plain Python values with None for empty cells (xlsxwriter then writes nothing)."""
    out = frame.reindex(columns=columns).astype(object)
    out = out.where(out.notna(), None)
    return out.to_numpy().tolist()


def household_sheet(hh: pd.DataFrame) -> list[list[object]]:
    frame = hh.copy()
    frame["area"] = frame["area"].map(AREA_LABELS_VI).str.lower()
    for column in ("income_per_capita", "b1_score", "meeting_agree_pct"):
        numeric = pd.to_numeric(frame[column], errors="coerce")
        whole = numeric.notna() & (numeric == np.floor(numeric))
        frame[column] = frame[column].astype(object).where(~whole, numeric.astype("Int64").astype(object))
    return _cells(frame, [c.name for c in HOUSEHOLD_COLUMNS])


def member_sheet(members: pd.DataFrame) -> list[list[object]]:
    frame = members.copy()
    if "birth_text" not in frame:  # members read back from a file: date, or the year alone
        text = frame["birth_date"].dt.strftime("%d/%m/%Y").astype(object)
        frame["birth_text"] = text.where(frame["birth_date"].notna(), frame["birth_year"].astype("string"))
    frame["birth_date"] = frame["birth_text"]
    return _cells(frame, [c.name for c in MEMBER_COLUMNS])


def write_workbook(target: Path | IO[bytes], hh: pd.DataFrame, members: pd.DataFrame | None) -> None:
    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False}
    )
    book.set_properties({"created": FIXED_CREATED, "author": "rasoat generator"})
    for name, columns, rows in (
        (HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, household_sheet(hh)),
        (MEMBER_SHEET, MEMBER_COLUMNS, member_sheet(members) if members is not None else None),
    ):
        if rows is None:
            continue
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [c.header_vi for c in columns])
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
    book.close()
