"""Raw tables → canonical household and member frames, with every typing problem located.

Layout decisions (official workbooks and the copies communes make of them):
- the header is searched in the first HEADER_SCAN_ROWS rows, so title blocks ("DANH SÁCH HỘ…",
  merged across the sheet) above it are passed over;
- a two-row header is recognised when the upper row has cells merged across sub-columns, e.g.
  "Chỉ số thiếu hụt" merged over sub-headers "1" … "12": the column is "Chỉ số thiếu hụt 1";
- a row of column numbers right under the header ("(1)", "(2)", … or 1, 2, 3, …, strictly
  increasing) is skipped;
- rows repeating the header block in the body (a copy-paste of the title and header rows, or a
  sheet printed page by page) are skipped, not reported: they carry no household. Skipped rows are
  listed in `ParsedSubmission.skipped_rows`;
- a cell merged down a column (a village written once for its households) counts for every row
  of the merged range; a row with nothing typed in (only blank cells, merged-down values or
  formulas) is blank and dropped;
- a formula without a cached value (`formula_no_value`) or with an error value (`formula_error`)
  is reported, never read as 0 or blank;
- a CSV row with fewer fields than the header, or with values beyond the header's last column
  (`ragged_row`), is kept but only that one problem is reported for it: its cells may sit in the
  wrong columns, so typing them would report (and show) values under the wrong header;
- total rows ("Tổng cộng", "Cộng thôn 1") and everything from the first total, place-and-date,
  signature or note line below the last household are not households (`table_end.py`); they are
  listed in `skipped_rows` ("total_row", "table_end") and named in the feedback;
- the income column's unit comes from its header (`units.py`): amounts are converted to đồng per
  person per month, and a unit not understood refuses the file (`unknown_unit`);
- a 0/1 column written only with tick marks (blank = 0) or only with "Có"/"Không" is read so
  (`coerce.flag_marks`); tick columns are reported as warnings (`notices`), never silently.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rasoat.admin.maps import admin_map
from rasoat.admin_units import area_by_commune
from rasoat.intake import coerce, table_end
from rasoat.intake.coerce import FlagWriting
from rasoat.intake.compact import compact_text
from rasoat.intake.containers import RawTable, open_container, open_path
from rasoat.intake.problems import Problem, SubmissionError, shown_value
from rasoat.intake.units import UNITS_UNDERSTOOD_VI, IncomeUnit, UnknownUnit, income_unit, to_contract_unit
from rasoat.schema import HOUSEHOLD_COLUMNS, INDICATOR_COLUMNS, MEMBER_COLUMNS, Column, Kind, header_index
from rasoat.text import fold_header, strip_diacritics

HEADER_SCAN_ROWS = 30  # title blocks above the header are common in official workbooks
MIN_HEADER_MATCHES = 3
MAX_PROBLEMS = 5000

_COERCERS: dict[Kind, Callable[[pd.Series], coerce.Typed]] = {
    Kind.TEXT: coerce.text,
    Kind.CODE5: coerce.code5,
    Kind.INT: coerce.integer,
    Kind.FLAG: coerce.flag,
    Kind.NUMBER: coerce.number,
    Kind.AREA: coerce.area,
    Kind.STATUS: coerce.status,
    Kind.SEX: coerce.sex,
}
_SPECIAL: dict[str, Callable[[pd.Series], coerce.Typed]] = {
    "ethnicity": coerce.ethnicity,
    "poverty_cause": coerce.poverty_cause,
    "head_id_number": coerce.id_number,
    "id_number": coerce.id_number,
}
_EXPECTED_VI: dict[Kind, str] = {
    Kind.CODE5: "cần mã xã gồm 5 chữ số",
    Kind.INT: "cần một số nguyên",
    Kind.FLAG: "cần 0 hoặc 1",
    Kind.NUMBER: "cần một số",
    Kind.AREA: "cần 'nông thôn' hoặc 'thành thị'",
    Kind.DATE: "cần ngày sinh dạng dd/mm/yyyy hoặc yyyy-mm-dd, hoặc năm sinh (yyyy)",
}
_ID_AS_NUMBER = (
    "id_as_number",
    "số CCCD bị lưu dạng số nên mất số 0 ở đầu hoặc bị làm tròn (dạng 1,23E+11); "
    "cần định dạng ô là Văn bản (Text) và nhập đủ 12 chữ số",
)
# Column-specific (code, message) where the generic one would not tell the commune enough.
_COLUMN_PROBLEM: dict[str, tuple[str, str]] = {
    "income_per_capita": (
        "bad_int",
        "cần số tiền bằng đồng, viết bằng chữ số (ví dụ 1500000 hoặc 1.500.000); "
        "không viết chữ như 'triệu', 'không'",
    ),
    "head_id_number": _ID_AS_NUMBER,
    "id_number": _ID_AS_NUMBER,
}
_FORMULA_VI = {
    "formula_no_value": "ô có công thức nhưng chưa có giá trị tính sẵn (tệp chưa được mở và lưu bằng "
    "Excel); hãy mở tệp bằng Excel rồi lưu lại, hoặc nhập giá trị thay cho công thức",
    "formula_error": "công thức trong ô bị lỗi; hãy sửa công thức hoặc nhập giá trị",
}
_NUMBERING_CELL = re.compile(r"[(\[]?(\d{1,3})[)\]]?")
_MIXED_FLAG_VI = {
    FlagWriting.MIXED_TICKS: "cột vừa có dấu đánh dấu (x, ✓) vừa có số 0/1 hoặc giá trị khác; hãy ghi cả cột "
    "bằng 0/1, hoặc chỉ đánh dấu x vào ô có và để trống ô không",
    FlagWriting.MIXED_WORDS: "cột vừa có 'Có'/'Không' vừa có số 0/1 hoặc giá trị khác; hãy ghi cả cột "
    "thống nhất một cách (0/1, hoặc Có/Không)",
}


@dataclass(frozen=True)
class SkippedRow:
    sheet: str | None
    row: int  # as the spreadsheet shows it
    # "repeated_header", "column_numbers", "total_row" (inside the table) or "table_end" (below it)
    reason: str
    detail: str | None = None  # table_end: what the row is ("signature", "place_date", …)
    table: str = "ho"  # "ho" or "thanh_vien": which list the row was skipped from


@dataclass
class ParsedSubmission:
    file: str
    households: pd.DataFrame
    members: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    # The income column's unit as its header states it (None: no income column); amounts in
    # `households` are already in đồng per person per month.
    income_unit: IncomeUnit | None = None
    income_header: str | None = None
    # Warnings about how cells were read (columns of tick marks): shown, never blocking.
    notices: list[Problem] = field(default_factory=list)
    flag_writing: dict[str, str] = field(default_factory=dict)  # "sheet.column" → FlagWriting, if not digits

    def raise_for_problems(self) -> None:
        if self.problems:
            raise SubmissionError(self.problems)


@dataclass
class _Header:
    at: int  # 0-based index of the (upper) header row
    depth: int  # 1, or 2 for a header with merged group cells over sub-headers
    cells: list[object]  # one label per column (group and sub-header joined)


def _label(value: object) -> str:
    """A header cell as text: strings stripped, whole numbers without '.0' (sub-headers 1 … 12)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return ""


def _cell_key(value: object) -> str:
    return fold_header(value) if isinstance(value, str) else ""


def _hits(cells: list[object], index: dict[str, str]) -> int:
    return len({index[k] for k in map(_cell_key, cells) if k in index})


def _two_row_header(table: RawTable, i: int, index: dict[str, str]) -> list[object] | None:
    """Row i's labels joined with row i+1's under the groups merged across columns in row i."""
    groups = [(c1, c2) for (r1, c1), (r2, c2) in table.merged if r1 == i and c2 > c1]
    if not groups or i + 1 >= len(table.rows):
        return None
    upper, lower = table.rows[i], table.rows[i + 1]
    width = max(len(upper), len(lower))
    parent = [_label(upper[j]) if j < len(upper) else "" for j in range(width)]
    child = [_label(lower[j]) if j < len(lower) else "" for j in range(width)]
    grouped: set[int] = set()
    for c1, c2 in groups:
        for j in range(c1, min(c2, width - 1) + 1):
            parent[j] = parent[c1]
            grouped.add(j)
    cells: list[object] = []
    for j in range(width):
        if j in grouped and child[j]:
            candidates = [f"{parent[j]} {child[j]}", child[j]]
        elif parent[j]:
            candidates = [parent[j]]
        else:
            candidates = [child[j]]
        cells.append(next((c for c in candidates if fold_header(c) in index), candidates[0]))
    return cells


def _is_blank_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(table: RawTable, index: dict[str, str]) -> _Header:
    if all(all(_is_blank_cell(c) for c in row) for row in table.rows):
        where = f"sheet '{table.sheet}' không có dữ liệu" if table.sheet else "tệp không có dữ liệu"
        raise SubmissionError(
            [
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    code="empty_sheet" if table.sheet else "empty_file",
                    message=f"{where} (tất cả các ô đều trống)",
                )
            ]
        )
    best: _Header | None = None
    best_hits = 0
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        hits = _hits(row, index)
        if hits > best_hits:
            best, best_hits = _Header(i, 1, list(row)), hits
        combined = _two_row_header(table, i, index) if table.merged else None
        if combined is not None:
            hits = _hits(combined, index)
            if hits > best_hits:
                best, best_hits = _Header(i, 2, combined), hits
    if best is None or best_hits < MIN_HEADER_MATCHES:
        hint = ""
        if table.encoding == "cp1258":
            hint = "; nếu chữ tiếng Việt bị lỗi phông (bảng mã TCVN3/VNI), hãy lưu lại dạng CSV UTF-8"
        raise SubmissionError(
            [
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    code="no_header",
                    message="không tìm thấy dòng tiêu đề cột (ví dụ 'Mã hộ', 'Mã xã', 'Số nhân khẩu') "
                    f"trong {HEADER_SCAN_ROWS} dòng đầu{hint}",
                )
            ]
        )
    return best


def _is_numbering_row(row: list[object], needed: int) -> bool:
    """A row of column numbers under the header: "(1)", "(2)", … or 1, 2, 3, strictly increasing."""
    numbers: list[int] = []
    for cell in row:
        if _is_blank_cell(cell):
            continue
        match = _NUMBERING_CELL.fullmatch(_label(cell))
        if match is None:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= needed and all(a < b for a, b in itertools.pairwise(numbers))


def _norm_cell(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _row_key(row: list[object], width: int) -> tuple[object, ...]:
    return tuple(_norm_cell(row[j]) if j < len(row) else None for j in range(width))


@dataclass
class _Sheet:
    """One typed sheet."""

    frame: pd.DataFrame  # canonical columns, with `source_row`
    problems: list[Problem]
    extras: list[str]  # headers of the columns kept as `extra:…`
    skipped: list[SkippedRow]  # rows skipped as layout
    notices: list[Problem] = field(default_factory=list)
    income_unit: IncomeUnit | None = None
    income_header: str | None = None
    flag_writing: dict[str, FlagWriting] = field(default_factory=dict)


def _unit_of(table: RawTable, at: int, header: str) -> IncomeUnit:
    try:
        return income_unit(header)
    except UnknownUnit:
        stated = ", ".join(re.findall(r"\(([^)]*)\)", header)) or header
        raise SubmissionError(
            [
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    row=at + 1,
                    column="income_per_capita",
                    header=header,
                    code="unknown_unit",
                    message="không hiểu đơn vị ghi trong tiêu đề cột thu nhập; các đơn vị đọc được: "
                    f"{UNITS_UNDERSTOOD_VI}. Hãy ghi số tiền theo một trong các đơn vị đó và ghi đơn vị "
                    "trong ngoặc ở tiêu đề cột, ví dụ 'Thu nhập bình quân (nghìn đồng/người/tháng)'",
                    value=stated,
                )
            ]
        ) from None


def _frame(table: RawTable, columns: tuple[Column, ...]) -> _Sheet:
    """Type one sheet: the canonical frame, problems, extra headers, rows skipped as layout."""
    index = header_index(columns)
    by_name = {c.name: c for c in columns}
    head = _find_header(table, index)
    header = head.cells
    problems: list[Problem] = []
    skipped: list[SkippedRow] = []

    mapping: dict[int, str] = {}
    extras: dict[int, str] = {}
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        key = _cell_key(cell)
        if not key:
            continue
        name = index.get(key)
        if name is None:
            label = str(cell).strip()
            base, n = label, 2
            while label in extras.values():  # two "Ghi chú" columns stay two columns
                label, n = f"{base} ({n})", n + 1
            extras[j] = label
        elif name in seen:
            problems.append(
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    row=head.at + 1,
                    column=name,
                    header=str(cell),
                    code="duplicate_column",
                    message=f"cột '{by_name[name].header_vi}' xuất hiện hai lần",
                )
            )
        else:
            mapping[j], seen[name] = name, j

    missing = [c for c in columns if c.required and c.name not in seen]
    if missing:
        problems.append(
            Problem(
                file=table.file,
                sheet=table.sheet,
                row=head.at + 1,
                code="missing_column",
                message="thiếu cột bắt buộc: " + ", ".join(f"'{c.header_vi}' ({c.name})" for c in missing),
            )
        )
    if columns is HOUSEHOLD_COLUMNS and not {"income_per_capita", "b1_score"} & seen.keys():
        problems.append(
            Problem(
                file=table.file,
                sheet=table.sheet,
                row=head.at + 1,
                code="missing_column",
                message="cần ít nhất một trong hai cột 'Thu nhập bình quân' hoặc 'Điểm B1'",
            )
        )
    if problems:
        raise SubmissionError(problems)
    unit: IncomeUnit | None = None
    if "income_per_capita" in seen:
        unit = _unit_of(table, head.at, _label(header[seen["income_per_capita"]]))

    width = len(header)
    start = head.at + head.depth  # 0-based index of the first body row
    if start < len(table.rows) and _is_numbering_row(table.rows[start], max(3, len(mapping) // 2)):
        skipped.append(SkippedRow(table.sheet, start + 1, "column_numbers"))
        start += 1
    body = table.rows[start:]
    first = start + 1  # spreadsheet row number of body[0]

    located: list[tuple[int, int, Problem]] = []  # (row, column position, problem), sorted at the end
    ragged: set[int] = set()
    if table.sheet is None:  # CSV: a row with another field count was cut or mis-quoted
        for offset in [k for k, row in enumerate(body) if len(row) != width]:
            row = body[offset]
            short = len(row) < width and any(not _is_blank_cell(c) for c in row)
            long = len(row) > width and any(not _is_blank_cell(c) for c in row[width:])
            if short or long:
                ragged.add(first + offset)
                if any(isinstance(c, str) and "\n" in c for c in row):
                    why = 'một dấu ngoặc kép (") mở mà không đóng đã nuốt các dòng sau nó'
                elif short:
                    why = "dòng bị cắt ngang (tệp chưa lưu hoặc chưa tải lên hết?)"
                else:
                    why = (
                        "có giá trị nằm ngoài các cột có tiêu đề; có thể một ô chứa dấu phân cách "
                        "mà không đặt trong ngoặc kép"
                    )
                problem = Problem(
                    file=table.file,
                    row=first + offset,
                    code="ragged_row",
                    message=f"dòng có {len(row)} ô nhưng tiêu đề có {width} cột: {why}",
                )
                located.append((first + offset, -1, problem))
    if any(len(row) != width for row in body):
        body = [(row + [None] * (width - len(row)))[:width] for row in body]
    raw = pd.DataFrame(body or None, columns=range(width), dtype="object")
    raw.index = pd.RangeIndex(first, first + len(body), name="source_row")
    cells_by_col = {j: coerce.normalise(raw[j]) for j in (*mapping, *extras)}

    # Formula cells of the body, per mapped column: rows (spreadsheet numbering) → issue or None.
    formulas: dict[int, dict[int, tuple[str, str] | None]] = {}
    for (r, c), issue in table.formulas.items():
        if c in mapping and start <= r < start + len(body):
            formulas.setdefault(c, {})[r + 1] = issue

    # Blank rows: nothing typed in (formula results do not count).
    typed_in = np.zeros(len(raw), dtype=bool)
    given_count = np.zeros(len(raw), dtype=np.int16)  # known cells given: a household has many
    for j in mapping:
        given = cells_by_col[j].notna().to_numpy()
        if j in formulas:
            given = given & ~raw.index.isin(list(formulas[j]))
        typed_in |= given
        given_count += given
    keep = pd.Series(typed_in, index=raw.index)
    id_col = seen.get("household_id")
    keep &= ~_repeated_header_rows(table, raw, keep, cells_by_col, id_col, header, start, skipped)
    # Total rows, place-date and signature lines under the list (a members list has them too).
    table_name = "ho" if columns is HOUSEHOLD_COLUMNS else "thanh_vien"
    if id_col is not None:
        head_col = seen.get("head_name", seen.get("full_name"))
        heads = None if head_col is None else cells_by_col[head_col]
        totals = table_end.total_rows(raw, keep, cells_by_col[id_col], heads)
        layout = table_end.layout_rows(raw, keep, given_count, totals)
        keep &= ~layout.drop
        skipped.extend(SkippedRow(table.sheet, r, "total_row", table=table_name) for r in layout.totals)
        skipped.extend(
            SkippedRow(table.sheet, r, "table_end", why, table=table_name) for r, why in layout.end
        )

    # Cells merged down a column: the top cell's value holds for the whole range.
    for (r1, c1), (r2, _c2) in table.merged:
        if r2 > r1 and r1 >= start and c1 in cells_by_col:
            cells = cells_by_col[c1]
            top = cells.get(r1 + 1)
            if top is not None:
                span = cells.loc[r1 + 2 : r2 + 1]
                cells.loc[span.index[span.isna().to_numpy()]] = top

    raw = raw.loc[keep]
    cells_by_col = {j: c.loc[keep] for j, c in cells_by_col.items()}
    kept_rows = set(raw.index) if formulas else set()

    out: dict[str, pd.Series] = {}
    writing: dict[str, FlagWriting] = {}
    for j, name in mapping.items():
        column = by_name[name]
        cells = cells_by_col[j]
        for r, issue in sorted(formulas.get(j, {}).items()):
            if issue is None or r not in kept_rows or r in ragged:
                continue
            code, shown = issue
            problem = Problem(
                file=table.file,
                sheet=table.sheet,
                row=r,
                column=name,
                header=_label(header[j]),
                code=code,
                message=_FORMULA_VI[code],
                value=shown_value(name, shown),
            )
            located.append((r, j, problem))
        if column.kind is Kind.DATE:
            dates, years, bad = coerce.birth(cells)
            out["birth_date"], out["birth_year"] = dates, years
        elif column.kind is Kind.FLAG:
            typed, bad, how = coerce.flag_marks(cells)
            out[name] = typed
            if how is not FlagWriting.DIGITS:
                writing[name] = how
        else:
            typed, bad = _SPECIAL.get(name, _COERCERS[column.kind])(cells)
            out[name] = typed
        if name == "income_per_capita" and unit is not None and unit.converted:
            out[name] = to_contract_unit(typed, unit)
        if ragged:
            bad = bad & ~bad.index.isin(list(ragged))
        if bad.any():
            code, expected = _COLUMN_PROBLEM.get(
                name, (f"bad_{column.kind.value}", _EXPECTED_VI.get(column.kind, "giá trị không hợp lệ"))
            )
            if name in writing:
                expected = _MIXED_FLAG_VI[writing[name]]
            elif name == "income_per_capita" and unit is not None and unit.converted:
                expected = (
                    f"cần số tiền theo đơn vị ghi ở tiêu đề cột ({unit.label_vi}), viết bằng chữ số "
                    "nguyên; không viết chữ như 'triệu', 'không'"
                )
            for r in bad[bad].index[: max(0, MAX_PROBLEMS - len(located))]:
                problem = Problem(
                    file=table.file,
                    sheet=table.sheet,
                    row=int(r),
                    column=name,
                    header=_label(header[j]),
                    code=code,
                    message=expected,
                    value=shown_value(name, cells[r]),
                )
                located.append((int(r), j, problem))
    notices = _tick_columns(table, out, writing, header, mapping)
    frame = pd.DataFrame(out, index=raw.index)
    for column in columns:  # optional columns absent from the file are present and empty
        if column.kind is Kind.DATE:
            for name, dtype in (("birth_date", "datetime64[s]"), ("birth_year", "Int64")):
                if name not in frame:
                    frame[name] = pd.Series(dtype=dtype, index=frame.index)
        elif column.name not in frame:
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype=_empty_dtype(column.kind))
    extra_names = []
    for j, name in extras.items():
        frame[f"extra:{name}"] = coerce.text(cells_by_col[j])[0]
        extra_names.append(name)
    frame = compact_text(frame).reset_index()
    located.sort(key=lambda item: item[:2])
    problems.extend(p for _, _, p in located)
    income_header = _label(header[seen["income_per_capita"]]) if unit is not None else None
    return _Sheet(frame, problems, extra_names, skipped, notices, unit, income_header, writing)


def _tick_columns(
    table: RawTable,
    out: dict[str, pd.Series],
    writing: dict[str, FlagWriting],
    header: list[object],
    mapping: dict[int, str],
) -> list[Problem]:
    """Warnings for the columns read as tick marks (blank = 0).

    On the paper Phiếu B an indicator no household of the list is deprived of has no tick at all: when
    the indicators are ticked, an indicator column left entirely blank is read as all 0 too (refusing
    it as "missing" would ask the commune to type 0 where the form has nothing to tick)."""
    ticked = [n for n in INDICATOR_COLUMNS if writing.get(n) is FlagWriting.TICKS]
    unticked = []
    if ticked:
        for name in INDICATOR_COLUMNS:
            if name in out and name not in writing and out[name].isna().all():
                out[name] = pd.Series(0, index=out[name].index, dtype="Int8")
                writing[name] = FlagWriting.TICKS
                unticked.append(name)
    position = {name: j for j, name in mapping.items()}
    notices = []
    for name, how in writing.items():
        if how is not FlagWriting.TICKS:
            continue
        shown = _label(header[position[name]]) if name in position else name
        notices.append(
            Problem(
                file=table.file,
                sheet=table.sheet,
                column=name,
                header=shown,
                code="tick_marks",
                message=(
                    f"cột '{shown}' để trống cả cột trong khi các chỉ số khác được đánh dấu: đọc là 0 "
                    "(không hộ nào thiếu hụt chỉ số này)"
                    if name in unticked
                    else f"cột '{shown}' được ghi bằng dấu đánh dấu: ô có dấu (x, ✓) được đọc là 1, "
                    "ô để trống được đọc là 0"
                )
                + "; hãy kiểm tra lại nếu ô trống có nghĩa là chưa ghi",
            )
        )
    return notices


def _repeated_header_rows(
    table: RawTable,
    raw: pd.DataFrame,
    nonblank: pd.Series,
    cells_by_col: dict[int, pd.Series],
    id_col: int | None,
    header: list[object],
    start: int,
    skipped: list[SkippedRow],
) -> pd.Series:
    """Body rows that repeat the header block (title, header and column-number rows above `start`).

    Candidates are found vectorised on the household-id column (its cell is empty, or equal to the
    block's own cell in that column, or folds to the header); only those are compared in full."""
    repeated = pd.Series(False, index=raw.index)
    if id_col is None or not len(raw):
        return repeated
    width = raw.shape[1]
    block = {_row_key(row, width) for row in table.rows[:start]}
    block.discard((None,) * width)
    ids = cells_by_col[id_col]
    block_ids = {key[id_col] for key in block if id_col < len(key) and key[id_col] is not None}
    candidates = nonblank & (ids.isna() | ids.isin(block_ids))
    # Sheets printed page by page repeat the header, perhaps in other case or without diacritics.
    label = _label(header[id_col])
    spellings = {label, label.upper(), label.lower(), label.capitalize(), label.title()}
    spellings |= {strip_diacritics(v) for v in spellings} | {c.header_vi for c in HOUSEHOLD_COLUMNS[:1]}
    same_header = nonblank & ids.isin(spellings)
    repeated |= same_header
    values = raw.to_numpy()
    for pos in (candidates & ~same_header).to_numpy().nonzero()[0]:
        if _row_key(list(values[pos]), width) in block:
            repeated.iloc[pos] = True
    for r in repeated[repeated].index:
        skipped.append(SkippedRow(table.sheet, int(r), "repeated_header"))
    return repeated


def _empty_dtype(kind: Kind) -> str:
    return {Kind.INT: "Int64", Kind.FLAG: "Int8", Kind.NUMBER: "Float64"}.get(kind, "string")


def fill_area_defaults(households: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """A household without an explicit area takes its commune's area type on the map of the review
    `year` (19597 is urban in 2024, rural from 2025); without a year, the three-level map's."""
    areas = area_by_commune() if year is None else admin_map(year).area_by_commune()
    default = households["commune_code"].map(areas)
    return households.assign(area=households["area"].fillna(default.astype("string")))


def parse_raw(raw, encoding: str | None = None, year: int | None = None) -> ParsedSubmission:
    ho = _frame(raw.households, HOUSEHOLD_COLUMNS)
    households, problems, extras, skipped = ho.frame, ho.problems, ho.extras, ho.skipped
    notices = list(ho.notices)
    writing = {f"ho.{k}": v.value for k, v in ho.flag_writing.items()}
    members = None
    if raw.members is not None and any(any(not _is_blank_cell(c) for c in r) for r in raw.members.rows):
        tv = _frame(raw.members, MEMBER_COLUMNS)
        members = tv.frame
        problems.extend(tv.problems)
        skipped.extend(tv.skipped)
        notices.extend(tv.notices)
        writing |= {f"thanh_vien.{k}": v.value for k, v in tv.flag_writing.items()}
    if households.empty:
        problems.append(
            Problem(
                file=raw.households.file,
                sheet=raw.households.sheet,
                code="no_households",
                message="không có hộ nào trong danh sách (chỉ có dòng tiêu đề hoặc dòng trống)",
            )
        )
    households = fill_area_defaults(households, year)
    return ParsedSubmission(
        file=raw.households.file,
        households=households,
        members=members,
        problems=problems[:MAX_PROBLEMS],
        encoding=raw.households.encoding or encoding,
        extra_columns=extras,
        skipped_rows=skipped,
        income_unit=ho.income_unit,
        income_header=ho.income_header,
        notices=notices,
        flag_writing=writing,
    )


def read_submission(
    content: bytes, file: str, members_content: bytes | None = None, *, year: int | None = None
) -> ParsedSubmission:
    """Parse a submission held in memory (the bytes the system stored); `year` selects the map whose
    area types fill a missing area."""
    return parse_raw(open_container(content, file, members_content), year=year)


def read_submission_path(path: Path, year: int | None = None) -> ParsedSubmission:
    return parse_raw(open_path(path), year=year)
