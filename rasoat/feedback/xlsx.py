"""The workbook: "Tong hop" (verdict, counts per check) and "Loi can sua" (one row per finding).

Every text cell goes through `write_string`: values come from commune files, and a value such as
"=HYPERLINK(...)" or "@SUM(A1)" must stay text, never become a formula. `constant_memory` keeps a
20,000-finding workbook small in memory; rows are therefore written strictly top to bottom.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from rasoat.feedback.view import FeedbackView, FindingRow

SUMMARY_SHEET = "Tong hop"
FINDINGS_SHEET = "Loi can sua"

FINDING_HEADERS: tuple[str, ...] = (
    "STT",
    "Mức độ",
    "Sheet",
    "Dòng",
    "Cột",
    "Mã hộ",
    "Giá trị hiện có",
    "Giá trị đúng cần có",
    "Mô tả lỗi",
)
FINDING_WIDTHS: tuple[float, ...] = (6, 10, 13, 7, 26, 16, 24, 36, 60)
CHECK_HEADERS: tuple[str, ...] = (
    "Sheet",
    "Nội dung kiểm tra",
    "Mức độ",
    "Số dòng kiểm tra",
    "Số dòng không đạt",
)

BLOCKING_TINT = "#FDE2E0"
WARNING_TINT = "#FFF4E0"
HEADER_FILL = "#E9EDF2"
VERDICT_COLOURS = {
    "accepted": "#2E7D32",
    "accepted_with_warnings": "#B26A00",
    "rejected": "#C62828",
    "unreadable": "#C62828",
}


def write_xlsx(view: FeedbackView, target: Path, *, created: dt.datetime) -> None:
    book = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        # A fixed creation time (the receipt's) keeps the workbook identical for the same report.
        if created.tzinfo is not None:
            created = created.astimezone(dt.UTC).replace(tzinfo=None)
        book.set_properties({"title": view.title, "created": created})
        _summary(book, book.add_worksheet(SUMMARY_SHEET), view)
        _findings(book, book.add_worksheet(FINDINGS_SHEET), view)
    finally:
        book.close()


def _summary(book: xlsxwriter.Workbook, ws: Worksheet, view: FeedbackView) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    label = book.add_format({"font_color": "#555555"})
    text = book.add_format({})
    verdict = book.add_format({"bold": True, "font_color": VERDICT_COLOURS[view.verdict.value]})
    count = book.add_format({"num_format": "#,##0", "align": "left"})
    head = book.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True})
    cell = {}
    number = {}
    for failing in (False, True):
        for blocking in (False, True):
            props: dict[str, object] = {"border": 1, "valign": "top", "bold": failing and blocking}
            if failing:
                props["bg_color"] = BLOCKING_TINT if blocking else WARNING_TINT
            cell[failing, blocking] = book.add_format({**props, "text_wrap": True})
            number[failing, blocking] = book.add_format({**props, "num_format": "#,##0", "align": "right"})
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 4, 14)

    ws.write_string(0, 0, view.title, title)
    meta = (
        ("Đơn vị", f"{view.commune_name} (mã {view.commune_code}), {view.district_name}"),
        ("Tệp đã nhận", f"{view.file_name} — phiên bản v{view.version}"),
        ("Thời điểm nhận (giờ Việt Nam)", view.received),
        ("Mã kiểm tra tệp (SHA-256)", view.sha256),
    )
    r = 2
    for key, value in meta:
        ws.write_string(r, 0, key, label)
        ws.write_string(r, 1, value, text)
        r += 1
    ws.write_string(r, 0, "Kết quả", label)
    ws.write_string(r, 1, view.verdict_label, verdict)
    r += 1
    ws.write_string(r, 0, "Số lỗi bắt buộc phải sửa", label)
    ws.write_number(r, 1, len(view.blocking), count)
    r += 1
    ws.write_string(r, 0, "Số cảnh báo cần kiểm tra", label)
    ws.write_number(r, 1, len(view.warnings), count)
    r += 1
    if view.has_findings:
        ws.write_string(r, 0, "Danh sách chi tiết", label)
        ws.write_string(r, 1, f"sheet “{FINDINGS_SHEET}”", text)
        r += 1
    for k, note in enumerate(view.notes):
        if k == 0:
            ws.write_string(r, 0, "Cách hệ thống đã đọc tệp", label)
        ws.write_string(r, 1, note, text)
        r += 1
    if not view.checks:
        return
    r += 1
    for c, header in enumerate(CHECK_HEADERS):
        ws.write_string(r, c, header, head)
    for check in view.checks:
        r += 1
        key = (check.failing, check.blocking)
        ws.write_string(r, 0, check.sheet, cell[key])
        ws.write_string(r, 1, check.title, cell[key])
        ws.write_string(r, 2, check.severity, cell[key])
        ws.write_number(r, 3, check.evaluated, number[key])
        ws.write_number(r, 4, check.failed, number[key])


def _findings(book: xlsxwriter.Workbook, ws: Worksheet, view: FeedbackView) -> None:
    head = book.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1, "text_wrap": True})
    plain = {"border": 1, "valign": "top"}
    fmt = {}
    for blocking in (False, True):
        tint = {"bg_color": BLOCKING_TINT} if blocking else {}
        fmt[blocking] = (
            book.add_format({**plain, **tint}),  # short text
            book.add_format({**plain, **tint, "text_wrap": True}),  # long text
            book.add_format({**plain, **tint, "align": "right"}),  # numbers
        )
    for c, width in enumerate(FINDING_WIDTHS):
        ws.set_column(c, c, width)
    for c, header in enumerate(FINDING_HEADERS):
        ws.write_string(0, c, header, head)
    ws.freeze_panes(1, 0)
    rows: list[FindingRow] = [*view.blocking, *view.warnings]
    ws.autofilter(0, 0, max(len(rows), 1), len(FINDING_HEADERS) - 1)
    # Ids such as "00123" are text on purpose: no green "number stored as text" triangles.
    ws.ignore_errors({"number_stored_as_text": f"A1:I{len(rows) + 1}"})
    write_string = ws.write_string
    write_number = ws.write_number
    for r, f in enumerate(rows, start=1):
        short, wrap, num = fmt[f.blocking]
        write_number(r, 0, f.stt, num)
        write_string(r, 1, f.severity, short)
        write_string(r, 2, f.sheet, short)
        if f.row is None:
            ws.write_blank(r, 3, None, num)
        else:
            write_number(r, 3, f.row, num)
        write_string(r, 4, f.column, wrap)
        write_string(r, 5, f.household_id, short)
        write_string(r, 6, f.value, wrap)
        write_string(r, 7, f.expected, wrap)
        write_string(r, 8, f.message, wrap)
