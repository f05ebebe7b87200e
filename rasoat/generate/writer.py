"""Writing a commune's workbook the way communes send it: Vietnamese headers, ids and CCCD as text.

The files are xlsxwriter's (constant-memory mode: inline strings, no shared-string table). Driving
xlsxwriter cell by cell costs about 6 µs a cell, most of a generated sample's time; so the rows'
XML is built a column at a time, in the pieces xlsxwriter writes for each cell, joined once (no
Python loop over cells), and spliced into the package xlsxwriter writes for the headers alone. The
result is the same file byte for byte (tests/test_generate.py compares both). Values xlsxwriter
would treat specially (text starting with "=", links, characters to escape, whitespace to
preserve, booleans, dates) are left to xlsxwriter itself: the whole workbook then goes the slow way.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from rasoat.schema import AREA_LABELS_VI, HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET

# A fixed creation time keeps workbooks byte-identical for the same seed.
FIXED_CREATED = dt.datetime(2026, 1, 1)
CHUNK_ROWS = 20_000  # rows built at once: bounds the memory of the pieces
# Text xlsxwriter changes or types otherwise: escapes (&, <, >, control characters, its own _xHHHH_
# escapes), non-characters.
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_MAX_FAST_STRING = 16_383  # longer strings: xlsxwriter checks their UTF-16 length


def _frame(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Cells as plain Python values with None for empty cells (xlsxwriter then writes nothing)."""
    out = frame.reindex(columns=columns).astype(object)
    return out.where(out.notna(), None).to_numpy()


def _cells(frame: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    return _frame(frame, columns).tolist()


def _household_frame(hh: pd.DataFrame) -> pd.DataFrame:
    frame = hh.copy()
    frame["area"] = frame["area"].map(AREA_LABELS_VI).str.lower()
    for column in ("income_per_capita", "b1_score", "meeting_agree_pct"):
        numeric = pd.to_numeric(frame[column], errors="coerce")
        whole = numeric.notna() & (numeric == np.floor(numeric))
        frame[column] = frame[column].astype(object).where(~whole, numeric.astype("Int64").astype(object))
    return frame


def _member_frame(members: pd.DataFrame) -> pd.DataFrame:
    frame = members.copy()
    if "birth_text" not in frame:  # members read back from a file: date, or the year alone
        text = frame["birth_date"].dt.strftime("%d/%m/%Y").astype(object)
        frame["birth_text"] = text.where(frame["birth_date"].notna(), frame["birth_year"].astype("string"))
    frame["birth_date"] = frame["birth_text"]
    return frame


def household_sheet(hh: pd.DataFrame) -> list[list[object]]:
    return _cells(_household_frame(hh), [c.name for c in HOUSEHOLD_COLUMNS])


def member_sheet(members: pd.DataFrame) -> list[list[object]]:
    return _cells(_member_frame(members), [c.name for c in MEMBER_COLUMNS])


def _types(values: np.ndarray) -> np.ndarray:
    return np.frompyfunc(type, 1, 1)(values) if len(values) else np.empty(0, dtype=object)


def _number_text(values: np.ndarray) -> np.ndarray | None:
    """`f"{v:.16G}"` of ints and floats, as xlsxwriter writes them (formatted once per distinct
    value: flags, counts and amounts repeat); None when one is not finite or too large."""
    numbers = values.astype(np.float64)
    if not (np.isfinite(numbers) & (np.abs(numbers) < 2**53)).all():  # beyond: a float is not the int
        return None
    distinct, index = np.unique(numbers, return_inverse=True)
    # A float's .16G of an int's value is that int's digits (below 1e16), as for the int itself.
    text = np.array([f"{v:.16G}" for v in distinct.tolist()], dtype=object)
    return text[index]


# A cell's XML in five pieces, joined with the others at the end (str.join: no per-cell string is
# built): '<c r="' + column + row, then the value's opening, the value, its closing.
_STRING = ('" t="inlineStr"><is><t>', "</t></is></c>")
_NUMBER = ('"><v>', "</v></c>")
# After "\n": what xlsxwriter treats otherwise at a string's start (formula, link, whitespace to
# preserve, an empty string); before "\n": whitespace at its end.
_SPECIAL = re.compile(r"\n(?:=|\{=|ftps?://|https?://|mailto:|internal:|external:|file://|\s)|\s\n")


def _plain_strings(texts: list[str]) -> bool:
    """Whether xlsxwriter writes every one of `texts` as an inline string, unchanged."""
    joined = "\n" + "\n".join(texts) + "\n"
    return not (
        joined.count("\n") != len(texts) + 1  # a line break inside a value
        or _NEEDS_ESCAPE.search(joined)
        or _SPECIAL.search(joined)
        or max(map(len, texts)) > _MAX_FAST_STRING
    )


def _column_pieces(values: np.ndarray, letter: str, rows: np.ndarray) -> list[np.ndarray] | None:
    """The five pieces of each cell (all "" for an empty cell), or None when xlsxwriter must write
    the column."""
    kinds = _types(values)
    # Exact classes, as xlsxwriter dispatches (a bool is an int subclass but written as TRUE/FALSE).
    is_str = np.equal(kinds, str).astype(bool)
    is_num = np.equal(kinds, int).astype(bool) | np.equal(kinds, float).astype(bool)
    empty = np.equal(values, None).astype(bool)
    if not (is_str | is_num | empty).all():
        return None  # booleans, dates, numpy scalars, …
    pieces = [np.full(len(values), "", dtype=object) for _ in range(5)]
    if is_str.any():
        if not _plain_strings(values[is_str].tolist()):
            return None
        pieces[2][is_str], pieces[4][is_str] = _STRING
        pieces[3][is_str] = values[is_str]
    if is_num.any():
        number = _number_text(values[is_num])
        if number is None:
            return None
        pieces[2][is_num], pieces[4][is_num] = _NUMBER
        pieces[3][is_num] = number
    filled = ~empty
    pieces[0][filled] = f'<c r="{letter}'
    pieces[1][filled] = rows[filled]
    return pieces


def _rows_xml(cells: np.ndarray, first_row: int) -> tuple[str, int] | None:
    """The <row> elements of `cells` (rows × columns of Python values) from sheet row `first_row`
    (1-based), and the last row written; None when xlsxwriter must write the sheet."""
    parts, last = [], 0
    letters = [xl_col_to_name(j) for j in range(cells.shape[1])]
    for start in range(0, len(cells), CHUNK_ROWS):
        chunk = cells[start : start + CHUNK_ROWS]
        numbers = np.arange(first_row + start, first_row + start + len(chunk))
        rows = numbers.astype(str).astype(object)
        columns = []
        for j, letter in enumerate(letters):
            pieces = _column_pieces(chunk[:, j], letter, rows)
            if pieces is None:
                return None
            columns.extend(pieces)
        filled = ~np.equal(chunk, None).all(axis=1)  # a row with no cell is not written at all
        opening = [np.where(filled, '<row r="', ""), np.where(filled, rows, ""), np.where(filled, '">', "")]
        closing = np.where(filled, "</row>", "")
        grid = np.column_stack([*(o.astype(object) for o in opening), *columns, closing.astype(object)])
        parts.append("".join(grid.ravel().tolist()))
        if filled.any():
            last = int(numbers[filled][-1])
    return "".join(parts), last


def _headers_only(sheets: list[tuple[str, list[str]]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False}
    )
    book.set_properties({"created": FIXED_CREATED, "author": "rasoat generator"})
    for name, headers in sheets:
        book.add_worksheet(name).write_row(0, 0, headers)
    book.close()
    return buffer.getvalue()


def _fast(target: Path | IO[bytes], sheets: list[tuple[str, list[str], np.ndarray]]) -> bool:
    """Write the workbook by splicing vectorised rows into xlsxwriter's header-only package; False
    (nothing written) when some value needs xlsxwriter."""
    bodies = []
    for _, _headers, cells in sheets:
        body = _rows_xml(cells, 2) if len(cells) else ("", 0)
        if body is None:
            return False
        bodies.append(body)
    skeleton = zipfile.ZipFile(io.BytesIO(_headers_only([(n, h) for n, h, _ in sheets])))
    # The same zip xlsxwriter writes: same order, names, times, attributes and compression.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as out:
        for info in skeleton.infolist():
            data = skeleton.read(info)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if match:
                (rows, last), (_, headers, _) = bodies[int(match[1]) - 1], sheets[int(match[1]) - 1]
                if last:
                    xml = data.decode("utf-8")
                    end = f"{xl_col_to_name(len(headers) - 1)}{last}"  # the headers are the widest row
                    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{end}"/>', xml, count=1)
                    xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
                    data = xml.encode("utf-8")
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            out.writestr(copy, data)
    return True


def write_workbook(target: Path | IO[bytes], hh: pd.DataFrame, members: pd.DataFrame | None) -> None:
    sheets = [(HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, _household_frame(hh))]
    if members is not None:
        sheets.append((MEMBER_SHEET, MEMBER_COLUMNS, _member_frame(members)))
    cells = [
        (name, [c.header_vi for c in columns], _frame(f, [c.name for c in columns]))
        for name, columns, f in sheets
    ]
    if isinstance(target, (str, Path)) or target.seekable():
        start = None if isinstance(target, (str, Path)) else target.tell()
        if _fast(target, cells):
            return
        if start is not None:
            target.seek(start)
            target.truncate()
    write_workbook_xlsxwriter(target, cells)


def write_workbook_xlsxwriter(
    target: Path | IO[bytes], sheets: list[tuple[str, list[str], np.ndarray]]
) -> None:
    """Cell by cell through xlsxwriter: any value it accepts."""
    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False}
    )
    book.set_properties({"created": FIXED_CREATED, "author": "rasoat generator"})
    for name, headers, cells in sheets:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(cells.tolist(), start=1):
            sheet.write_row(r, 0, row)
    book.close()
