"""Writing a commune's workbook the way communes send it: Vietnamese headers, ids and CCCD as text.

The files are xlsxwriter's (constant-memory mode: inline strings, no shared-string table). Driving
xlsxwriter cell by cell costs about 6 µs a cell, most of a generated sample's time; so the rows'
XML is built a column at a time with numpy string operations, exactly as xlsxwriter writes each
cell, and spliced into the package xlsxwriter writes for the headers alone. The result is the same
file byte for byte (tests/test_generate.py compares both). Values xlsxwriter would treat specially
(text starting with "=", links, characters to escape, whitespace to preserve, booleans, dates) are
left to xlsxwriter itself: the whole workbook then goes the slow way.
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
CHUNK_ROWS = 20_000  # rows built at once: bounds the numpy string arrays' memory
# Text xlsxwriter changes or types otherwise: escapes (&, <, >, control characters, its own _xHHHH_
# escapes), non-characters.
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_SPECIAL_START = (
    "=",
    "{=",
    "ftp://",
    "ftps://",
    "http://",
    "https://",
    "mailto:",
    "internal:",
    "external:",
    "file://",
)
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
    """`f"{v:.16G}"` of ints and floats, as xlsxwriter writes them; None when one is not simple."""
    numbers = values.astype(np.float64)
    if not np.isfinite(numbers).all():
        return None
    whole = (numbers == np.floor(numbers)) & (np.abs(numbers) < 1e15)  # exactly an int's digits
    text = np.where(whole, numbers.astype(np.int64).astype(str), "")
    rest = np.flatnonzero(~whole)  # few or none: fractions (a loop over these only)
    if len(rest):
        text = text.astype(object)
        text[rest] = [f"{v:.16G}" for v in numbers[rest]]
    return np.asarray(text, dtype=str)


def _column_xml(values: np.ndarray, letter: str, rows: np.ndarray) -> np.ndarray | None:
    """Each cell's XML (empty for an empty cell), or None when xlsxwriter must write the column."""
    kinds = _types(values)
    # Exact classes, as xlsxwriter dispatches (a bool is an int subclass but written as TRUE/FALSE).
    is_str = np.equal(kinds, str).astype(bool)
    is_num = np.equal(kinds, int).astype(bool) | np.equal(kinds, float).astype(bool)
    empty = np.equal(values, None)
    if not (is_str | is_num | empty).all():
        return None  # booleans, dates, numpy scalars, …
    out = np.full(len(values), "", dtype=object)
    ref = np.strings.add(f'<c r="{letter}', rows)
    if is_str.any():
        text = np.asarray(values[is_str].tolist(), dtype=str)
        joined = "\n".join(text.tolist())
        if (
            _NEEDS_ESCAPE.search(joined)
            or np.strings.startswith(text[:, None], np.array(_SPECIAL_START)).any()
            or (np.strings.str_len(text) > _MAX_FAST_STRING).any()
            or (np.strings.strip(text) != text).any()
        ):
            return None
        blank = np.strings.str_len(text) == 0  # xlsxwriter writes no cell for ""
        cells = np.strings.add(np.strings.add(ref[is_str], '" t="inlineStr"><is><t>'), text)
        cells = np.strings.add(cells, "</t></is></c>")
        out[is_str] = np.where(blank, "", cells).astype(object)
    if is_num.any():
        number = _number_text(values[is_num])
        if number is None:
            return None
        cells = np.strings.add(np.strings.add(ref[is_num], '"><v>'), number)
        out[is_num] = np.strings.add(cells, "</v></c>").astype(object)
    return out


def _rows_xml(cells: np.ndarray, first_row: int) -> tuple[str, int] | None:
    """The <row> elements of `cells` (rows × columns of Python values) from sheet row `first_row`
    (1-based), and the last row written; None when xlsxwriter must write the sheet."""
    parts, last = [], 0
    letters = [xl_col_to_name(j) for j in range(cells.shape[1])]
    for start in range(0, len(cells), CHUNK_ROWS):
        chunk = cells[start : start + CHUNK_ROWS]
        numbers = np.arange(first_row + start, first_row + start + len(chunk))
        rows = numbers.astype(str)
        columns = []
        for j, letter in enumerate(letters):
            xml = _column_xml(chunk[:, j], letter, rows)
            if xml is None:
                return None
            columns.append(xml)
        grid = np.column_stack(columns)
        filled = (grid != "").any(axis=1)  # a row with no cell is not written at all
        opening = np.where(filled, np.strings.add(np.strings.add('<row r="', rows), '">'), "").astype(object)
        closing = np.where(filled, "</row>", "").astype(object)
        parts.append("".join(np.column_stack([opening, grid, closing]).ravel().tolist()))
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
                    end = f"{xl_col_to_name(len(headers) - 1)}"
                    xml = xml.replace(
                        f'<dimension ref="A1:{end}1"/>', f'<dimension ref="A1:{end}{last}"/>', 1
                    )
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
