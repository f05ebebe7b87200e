"""Opening a submission's container: an XLSX workbook (sheets `ho`, `thanh_vien`), a CSV file, or a
folder with `households.csv` and `members.csv`. Returns raw rows; typing happens later."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from rasoat.intake.decode import decode_text
from rasoat.intake.problems import Problem, SubmissionError
from rasoat.schema import HOUSEHOLD_CSV, HOUSEHOLD_SHEET, MEMBER_CSV, MEMBER_SHEET
from rasoat.text import fold

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


@dataclass
class RawTable:
    file: str
    sheet: str | None
    rows: list[list[object]]  # rows[i] is spreadsheet row i + 1
    encoding: str | None = None


@dataclass
class RawSubmission:
    households: RawTable
    members: RawTable | None


def _fail(file: str, code: str, message: str, sheet: str | None = None) -> SubmissionError:
    return SubmissionError([Problem(file=file, sheet=sheet, code=code, message=message)])


def _find_sheet(names: list[str], wanted: str) -> str | None:
    key = fold(wanted)
    aliases = {
        fold(HOUSEHOLD_SHEET): {"ho", "ho gia dinh", "households"},
        fold(MEMBER_SHEET): {"thanh vien", "nhan khau", "members"},
    }[key]
    for name in names:
        if fold(name) in aliases:
            return name
    return None


def read_workbook(content: bytes, file: str) -> RawSubmission:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise _fail(
            file,
            "unreadable_workbook",
            f"không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx): {type(exc).__name__}",
        ) from exc
    households = _find_sheet(names, HOUSEHOLD_SHEET)
    if households is None:
        raise _fail(
            file,
            "missing_sheet",
            f"thiếu sheet '{HOUSEHOLD_SHEET}' (danh sách hộ); các sheet có trong tệp: {', '.join(names)}",
        )
    members = _find_sheet(names, MEMBER_SHEET)

    def rows_of(sheet: str) -> list[list[object]]:
        try:
            return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _fail(
                file, "unreadable_sheet", f"không đọc được sheet: {type(exc).__name__}", sheet
            ) from exc

    return RawSubmission(
        households=RawTable(file, households, rows_of(households)),
        members=RawTable(file, members, rows_of(members)) if members else None,
    )


def read_csv_text(content: bytes, file: str) -> RawTable:
    if b"\x00" in content[:65536]:
        raise _fail(file, "binary_file", "tệp không phải văn bản CSV (có ký tự nhị phân)")
    try:
        text, encoding = decode_text(content)
    except UnicodeDecodeError as exc:
        raise _fail(
            file, "unknown_encoding", "không nhận ra bảng mã của tệp (cần UTF-8 hoặc Windows-1258)"
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows: list[list[object]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _fail(file, "bad_csv", f"tệp CSV sai cấu trúc: {exc}") from exc
    return RawTable(file, None, rows, encoding=encoding)


def open_container(
    content: bytes, file: str, members_content: bytes | None = None, members_file: str | None = None
) -> RawSubmission:
    """Dispatch on the bytes, not the file name: communes rename files freely."""
    if not content.strip():
        raise _fail(file, "empty_file", "tệp rỗng")
    if content.startswith(ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise _fail(file, "unreadable_workbook", "tệp Excel bị hỏng hoặc chưa tải lên hết")
        return read_workbook(content, file)
    if content.startswith(OLE_MAGIC):
        return read_workbook(content, file)  # calamine also reads legacy .xls
    if Path(file).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise _fail(
            file,
            "unreadable_workbook",
            f"tệp có đuôi {Path(file).suffix} nhưng không phải tệp Excel hợp lệ (hỏng hoặc sai định dạng)",
        )
    households = read_csv_text(content, file)
    members = None
    if members_content is not None:
        members = read_csv_text(members_content, members_file or MEMBER_CSV)
    return RawSubmission(households, members)


def open_path(path: Path) -> RawSubmission:
    """A workbook, a CSV file (with `members.csv` beside a `households.csv`), or a folder of both."""
    if path.is_dir():
        households = path / HOUSEHOLD_CSV
        if not households.exists():
            raise _fail(str(path), "missing_file", f"thư mục không có tệp {HOUSEHOLD_CSV}")
        path = households
    members_path = path.with_name(MEMBER_CSV) if path.name.lower() == HOUSEHOLD_CSV else None
    members_bytes = members_path.read_bytes() if members_path and members_path.exists() else None
    return open_container(
        path.read_bytes(), path.name, members_bytes, members_path.name if members_bytes is not None else None
    )
