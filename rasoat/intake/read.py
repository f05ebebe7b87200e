"""Raw tables → canonical household and member frames, with every typing problem located."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rasoat.admin_units import area_by_commune
from rasoat.intake import coerce
from rasoat.intake.containers import RawTable, open_container, open_path
from rasoat.intake.problems import Problem, SubmissionError, shown_value
from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, Column, Kind, header_index
from rasoat.text import fold_header

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
}
_EXPECTED_VI: dict[Kind, str] = {
    Kind.CODE5: "cần mã xã gồm 5 chữ số",
    Kind.INT: "cần một số nguyên",
    Kind.FLAG: "cần 0 hoặc 1",
    Kind.NUMBER: "cần một số",
    Kind.AREA: "cần 'nông thôn' hoặc 'thành thị'",
    Kind.DATE: "cần ngày sinh dd/mm/yyyy hoặc năm sinh",
}


@dataclass
class ParsedSubmission:
    file: str
    households: pd.DataFrame
    members: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    extra_columns: list[str] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        if self.problems:
            raise SubmissionError(self.problems)


def _cell_key(value: object) -> str:
    return fold_header(value) if isinstance(value, str) else ""


def _find_header(table: RawTable, index: dict[str, str]) -> int:
    best_row, best_hits = -1, 0
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        hits = len({index[k] for k in map(_cell_key, row) if k in index})
        if hits > best_hits:
            best_row, best_hits = i, hits
    if best_hits < MIN_HEADER_MATCHES:
        raise SubmissionError(
            [
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    code="no_header",
                    message="không tìm thấy dòng tiêu đề cột (ví dụ 'Mã hộ', 'Mã xã', 'Số nhân khẩu') "
                    f"trong {HEADER_SCAN_ROWS} dòng đầu",
                )
            ]
        )
    return best_row


def _frame(table: RawTable, columns: tuple[Column, ...]) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Type one sheet. Returns the canonical frame (with `source_row`), problems and extra headers."""
    index = header_index(columns)
    by_name = {c.name: c for c in columns}
    header_at = _find_header(table, index)
    header = table.rows[header_at]
    problems: list[Problem] = []

    mapping: dict[int, str] = {}
    extras: dict[int, str] = {}
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        key = _cell_key(cell)
        if not key:
            continue
        name = index.get(key)
        if name is None:
            extras[j] = str(cell).strip()
        elif name in seen:
            problems.append(
                Problem(
                    file=table.file,
                    sheet=table.sheet,
                    row=header_at + 1,
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
                row=header_at + 1,
                code="missing_column",
                message="thiếu cột bắt buộc: " + ", ".join(f"'{c.header_vi}' ({c.name})" for c in missing),
            )
        )
    if columns is HOUSEHOLD_COLUMNS and not {"income_per_capita", "b1_score"} & seen.keys():
        problems.append(
            Problem(
                file=table.file,
                sheet=table.sheet,
                row=header_at + 1,
                code="missing_column",
                message="cần ít nhất một trong hai cột 'Thu nhập bình quân' hoặc 'Điểm B1'",
            )
        )
    if problems:
        raise SubmissionError(problems)

    width = len(header)
    body = table.rows[header_at + 1 :]
    first = header_at + 2  # spreadsheet row number of body[0]
    if table.sheet is None:  # CSV: a row with another field count was cut or mis-quoted
        for offset, row in enumerate(body):
            if len(row) != width and any(c not in (None, "") for c in row):
                problems.append(
                    Problem(
                        file=table.file,
                        row=first + offset,
                        code="ragged_row",
                        message=f"dòng có {len(row)} ô nhưng tiêu đề có {width} cột "
                        "(tệp bị cắt ngang hoặc sai dấu phân cách)",
                    )
                )
    if any(len(row) != width for row in body):
        body = [(row + [None] * (width - len(row)))[:width] for row in body]
    raw = pd.DataFrame(body or None, columns=range(width), dtype="object")
    raw.index = pd.RangeIndex(first, first + len(body), name="source_row")
    cells_by_col = {j: coerce.normalise(raw[j]) for j in (*mapping, *extras)}
    keep = pd.Series(True, index=raw.index)
    if mapping:  # blank rows
        keep &= ~pd.concat([cells_by_col[j].isna() for j in mapping], axis=1).all(axis=1)
    id_col = seen.get("household_id")
    if id_col is not None and len(raw):
        # Sheets printed page by page repeat the header; ids have digits, headers don't.
        ids = cells_by_col[id_col]
        wordy = ids.notna() & ~ids.astype(str).str.contains(r"\d")
        header_key = _cell_key(header[id_col])
        repeated = ids[wordy].map(lambda v: _cell_key(v) == header_key).astype(bool)
        keep &= ~repeated.reindex(keep.index, fill_value=False)
    raw = raw.loc[keep]
    cells_by_col = {j: c.loc[keep] for j, c in cells_by_col.items()}

    out: dict[str, pd.Series] = {}
    for j, name in mapping.items():
        column = by_name[name]
        cells = cells_by_col[j]
        if column.kind is Kind.DATE:
            dates, years, bad = coerce.birth(cells)
            out["birth_date"], out["birth_year"] = dates, years
        else:
            typed, bad = _SPECIAL.get(name, _COERCERS[column.kind])(cells)
            out[name] = typed
        if bad.any():
            expected = _EXPECTED_VI.get(column.kind, "giá trị không hợp lệ")
            for r in bad[bad].index[: MAX_PROBLEMS - len(problems)]:
                problems.append(
                    Problem(
                        file=table.file,
                        sheet=table.sheet,
                        row=int(r),
                        column=name,
                        header=str(header[j]),
                        code=f"bad_{column.kind.value}",
                        message=expected,
                        value=shown_value(name, cells[r]),
                    )
                )
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
    frame = frame.reset_index()
    return frame, problems, extra_names


def _empty_dtype(kind: Kind) -> str:
    return {Kind.INT: "Int64", Kind.FLAG: "Int8", Kind.NUMBER: "Float64"}.get(kind, "string")


def fill_area_defaults(households: pd.DataFrame) -> pd.DataFrame:
    """A household without an explicit area takes its commune's area type."""
    default = households["commune_code"].map(area_by_commune())
    return households.assign(area=households["area"].fillna(default.astype("string")))


def parse_raw(raw, encoding: str | None = None) -> ParsedSubmission:
    households, problems, extras = _frame(raw.households, HOUSEHOLD_COLUMNS)
    members = None
    if raw.members is not None and any(any(c not in (None, "") for c in r) for r in raw.members.rows):
        members, member_problems, _ = _frame(raw.members, MEMBER_COLUMNS)
        problems.extend(member_problems)
    if households.empty:
        problems.append(
            Problem(
                file=raw.households.file,
                sheet=raw.households.sheet,
                code="no_households",
                message="không có hộ nào trong danh sách",
            )
        )
    households = fill_area_defaults(households)
    return ParsedSubmission(
        file=raw.households.file,
        households=households,
        members=members,
        problems=problems[:MAX_PROBLEMS],
        encoding=raw.households.encoding or encoding,
        extra_columns=extras,
    )


def read_submission(content: bytes, file: str, members_content: bytes | None = None) -> ParsedSubmission:
    """Parse a submission held in memory (the bytes the system stored)."""
    return parse_raw(open_container(content, file, members_content))


def read_submission_path(path: Path) -> ParsedSubmission:
    return parse_raw(open_path(path))
