"""The reader's problems as validation output: blocking checks and findings of suite `doc_tep`.

A cell the reader could not type (text in a number, 2 in a 0/1 column, an unreadable date) is a
blocking finding at its row and column; its value was already masked by the reader for personal
columns. A file that could not be opened at all gets an `unreadable_report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pandas as pd

from rasoat.intake.problems import Problem, shown_value
from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from rasoat.validation.findings import CheckResult, Finding, Severity, ValidationReport

SUITE = "doc_tep"

TITLES_VI: dict[str, str] = {
    "bad_int": "Ô số nguyên đọc được",
    "bad_flag": "Ô 0/1 đọc được",
    "bad_number": "Ô số đọc được",
    "bad_code5": "Ô mã xã (5 chữ số) đọc được",
    "bad_area": "Ô khu vực đọc được",
    "bad_date": "Ô ngày sinh đọc được",
    "id_as_number": "Số CCCD lưu dạng văn bản, đủ 12 chữ số",
    "duplicate_column": "Mỗi cột chỉ có một lần",
    "missing_column": "Có đủ các cột bắt buộc",
    "no_header": "Tìm thấy dòng tiêu đề cột",
    "ragged_row": "Mỗi dòng có đủ số ô như dòng tiêu đề",
    "no_households": "Danh sách có ít nhất một hộ",
    "empty_sheet": "Sheet có dữ liệu",
    "formula_no_value": "Ô công thức có giá trị đã tính",
    "formula_error": "Ô công thức không báo lỗi",
    "too_large": "Tệp không vượt dung lượng cho phép",
    "empty_file": "Tệp có nội dung",
    "wrong_format": "Tệp là bảng tính Excel hoặc CSV",
    "unreadable_workbook": "Mở được bảng tính",
    "unreadable_sheet": "Đọc được sheet",
    "binary_file": "Tệp CSV là văn bản",
    "unknown_encoding": "Nhận ra bảng mã của tệp CSV",
    "bad_csv": "Tệp CSV đúng định dạng",
    "missing_sheet": "Có sheet 'ho'",
    "ambiguous_sheet": "Chỉ một sheet danh sách hộ",
    "missing_file": "Có tệp danh sách hộ",
    "unknown_unit": "Đơn vị thu nhập trong tiêu đề cột đọc được",
    "tick_marks": "Cột 0/1 ghi bằng dấu đánh dấu (x, ✓): ô trống đọc là 0",
}
_HEADERS_VI = {c.name: c.header_vi for c in (*MEMBER_COLUMNS, *HOUSEHOLD_COLUMNS)}


def check_key(problem: Problem) -> str:
    return f"{SUITE}.{problem.code}"


def finding(
    problem: Problem, household_id: str | None = None, severity: Severity = Severity.BLOCKING
) -> Finding:
    return Finding(
        check=check_key(problem),
        severity=severity,
        sheet=problem.sheet,
        row=problem.row,
        column=problem.column,
        header=problem.header or _HEADERS_VI.get(problem.column or ""),
        household_id=household_id,
        value=shown_value(problem.column, problem.value),  # already masked; kept masked
        expected=problem.message,
        message=f"Không đọc được giá trị ô: {problem.message}"
        if problem.row and problem.column
        else problem.message,
    )


def household_ids(
    problems: list[Problem], file: str, tables: dict[str, pd.DataFrame | None]
) -> list[str | None]:
    """The household id on each problem's row, when the row is a household's or a member's."""
    out: list[str | None] = []
    for problem in problems:
        members_file = problem.sheet is None and problem.file != file  # members.csv of a CSV pair
        sheet = "thanh_vien" if problem.sheet == "thanh_vien" or members_file else "ho"
        table = tables.get(sheet)
        value = None
        if problem.row is not None and table is not None and problem.row in table.index:
            value = table.at[problem.row, "household_id"] if "household_id" in table.columns else None
        out.append(None if value is None or pd.isna(value) else str(value))
    return out


def check_results(
    problems: Iterable[Problem],
    rows_by_sheet: dict[str | None, int],
    severity: Severity = Severity.BLOCKING,
) -> list[CheckResult]:
    """One CheckResult per (problem code, sheet, column), counting the problems found.

    `evaluated` is the number of rows of that sheet that were read (1 for file-level problems)."""
    counts = Counter((p.code, p.sheet, p.column) for p in problems)
    return [
        CheckResult(
            suite=SUITE,
            check=f"{SUITE}.{code}",
            severity=severity,
            title_vi=TITLES_VI.get(code, "Đọc được tệp"),
            column=column,
            evaluated=max(rows_by_sheet.get(sheet, 0), failed) if column else 1,
            failed=failed,
        )
        for (code, sheet, column), failed in counts.items()
    ]


def unreadable_report(file: str, problems: list[Problem]) -> ValidationReport:
    """The report of a file that could not be opened or has no usable header: nothing was validated."""
    return ValidationReport(
        file=file,
        checks=check_results(problems, {}),
        findings=[finding(p) for p in problems],
        readable=False,
    )
