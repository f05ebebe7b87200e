"""What the reader decided about a file's layout and units, told to the commune in Vietnamese.

Not problems: the file was read. The feedback page lists these notes so the official can check that
the reading matches what they meant (the unit of the income column and its conversion, the rows
taken as totals or as the table's end, yes/no columns written in words).
"""

from __future__ import annotations

import itertools

from rasoat.intake.coerce import FlagWriting
from rasoat.intake.read import ParsedSubmission
from rasoat.intake.table_end import REASONS_VI
from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from rasoat.standards import income_months_per_year

_HEADERS_VI = {
    "ho": {c.name: c.header_vi for c in HOUSEHOLD_COLUMNS},
    "thanh_vien": {c.name: c.header_vi for c in MEMBER_COLUMNS},
}


def _where(sheet: str | None) -> str:
    return f"Sheet '{sheet}'" if sheet else "Tệp"


def _spans(rows: list[int]) -> str:
    """[9, 10, 11, 14] → 'dòng 9–11, 14'."""
    parts = []
    for _, run in itertools.groupby(enumerate(sorted(rows)), key=lambda item: item[1] - item[0]):
        block = [r for _, r in run]
        parts.append(str(block[0]) if len(block) == 1 else f"{block[0]}–{block[-1]}")
    return "dòng " + ", ".join(parts)


def reading_notes(parsed: ParsedSubmission) -> list[str]:
    notes: list[str] = []
    unit = parsed.income_unit
    if unit is not None:
        notes.append(
            f"Cột thu nhập '{parsed.income_header}': đọc theo đơn vị {unit.label_vi}; "
            f"{unit.conversion_vi(income_months_per_year())}."
        )
    by_table: dict[tuple[str, str | None], list] = {}
    for skipped in parsed.skipped_rows:
        by_table.setdefault((skipped.table, skipped.sheet), []).append(skipped)
    for (table, sheet), rows in by_table.items():
        frame = parsed.households if table == "ho" else parsed.members
        last = int(frame["source_row"].max()) if frame is not None and len(frame) else None
        where = _where(sheet) if sheet or table == "ho" else "Tệp thành viên"
        totals = [s.row for s in rows if s.reason == "total_row"]
        end = [s for s in rows if s.reason == "table_end"]
        item = "hộ" if table == "ho" else "thành viên"
        if totals:
            notes.append(
                f"{where}: {_spans(totals)} là dòng cộng giữa danh sách (ví dụ 'Cộng thôn'), "
                f"không đọc là {item}."
            )
        if end:
            kinds = ", ".join(dict.fromkeys(REASONS_VI[s.detail or "below_table"] for s in end))
            last_row = f"{item} cuối cùng ở dòng {last}; " if last is not None else ""
            notes.append(
                f"{where}: {last_row}{_spans([s.row for s in end])} bên dưới ({kinds}) "
                f"được coi là phần cuối bảng, không đọc là {item}."
            )
    words = [k for k, v in parsed.flag_writing.items() if v == FlagWriting.WORDS.value]
    if words:
        headers = ", ".join(
            f"'{_HEADERS_VI.get(key.split('.')[0], {}).get(key.split('.')[1], key)}'" for key in words
        )
        notes.append(f"Các cột {headers} ghi bằng chữ: 'Có' đọc là 1, 'Không' đọc là 0.")
    return notes
