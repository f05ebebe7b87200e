"""Opening a submission's container: an XLSX workbook (sheets `ho`, `thanh_vien`), a CSV file, or a
folder with `households.csv` and `members.csv`. Returns raw rows; typing happens later.

What is decided here (the file as a whole), each refused with one Vietnamese problem:
- a file over MAX_SUBMISSION_BYTES is refused before anything is parsed (`too_large`), and so is a
  workbook whose parts would unpack to more than MAX_UNPACKED_BYTES (a "zip bomb");
- empty files (`empty_file`); files recognised as something else — PDF, Word, pictures of the
  paper list, archives, web pages saved as .xls (`wrong_format`); damaged workbooks
  (`unreadable_workbook`, `unreadable_sheet`); CSV text that is binary or in an unknown encoding;
- the household sheet: `ho`, or a name that folds to it ("Hộ", "HO", "Hộ gia đình", "Danh sách hộ"),
  the exact name winning; two sheets that both fold to it are refused (`ambiguous_sheet`);
  none refused with the sheet names found (`missing_sheet`).

A workbook also gives its merged ranges (headers merged over sub-columns, villages merged down a
column) and the formula cells (read from the sheet XML: calamine returns a formula's cached value,
or an empty string when there is none, indistinguishable from a blank cell).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import python_calamine

from rasoat.intake.decode import decode_text
from rasoat.intake.problems import Problem, SubmissionError
from rasoat.schema import HOUSEHOLD_CSV, HOUSEHOLD_SHEET, MEMBER_CSV, MEMBER_SHEET
from rasoat.text import fold

MAX_SUBMISSION_BYTES = 200 * 1024 * 1024  # one commune's file; a 300,000-household CSV is ~50 MB
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024  # sum of a workbook's uncompressed parts

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and .doc)
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

# Recognised non-spreadsheet files → what to tell the commune.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "tệp PDF"),
    (b"\x89PNG", "ảnh PNG (ảnh chụp hoặc scan)"),
    (b"\xff\xd8\xff", "ảnh JPEG (ảnh chụp hoặc scan)"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z"),
    (b"\x1f\x8b", "tệp nén gzip"),
)
_MARKUP = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html|table|workbook)\b", re.IGNORECASE)

_SHEET_ALIASES: dict[str, set[str]] = {
    HOUSEHOLD_SHEET: {"ho", "ho gia dinh", "danh sach ho", "households"},
    MEMBER_SHEET: {"thanh vien", "nhan khau", "danh sach thanh vien", "members"},
}


@dataclass
class RawTable:
    file: str
    sheet: str | None
    rows: list[list[object]]  # rows[i] is spreadsheet row i + 1
    encoding: str | None = None
    # ((first_row, first_col), (last_row, last_col)), 0-based and inclusive, as calamine gives them
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # (row, col) 0-based → None for a formula with a usable cached value, else (code, shown value)
    formulas: dict[tuple[int, int], tuple[str, str] | None] = field(default_factory=dict)


@dataclass
class RawSubmission:
    households: RawTable
    members: RawTable | None


def _fail(file: str, code: str, message: str, sheet: str | None = None) -> SubmissionError:
    return SubmissionError([Problem(file=file, sheet=sheet, code=code, message=message)])


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def check_size(size: int, file: str) -> None:
    if size > MAX_SUBMISSION_BYTES:
        raise _fail(
            file,
            "too_large",
            f"tệp quá lớn ({_megabytes(size)}); giới hạn là {_megabytes(MAX_SUBMISSION_BYTES)} — "
            "hãy gửi riêng từng xã hoặc tách tệp",
        )


def _find_sheet(names: list[str], wanted: str, file: str) -> str | None:
    if wanted in names:
        return wanted
    aliases = _SHEET_ALIASES[wanted]
    found = [name for name in names if fold(name) in aliases]
    if len(found) > 1:
        raise _fail(
            file,
            "ambiguous_sheet",
            f"có nhiều sheet có thể là sheet '{wanted}': {', '.join(repr(n) for n in found)}; "
            f"hãy đổi tên đúng một sheet thành '{wanted}'",
        )
    return found[0] if found else None


def _is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


def read_workbook(content: bytes, file: str) -> RawSubmission:
    # calamine raises several unrelated types for damaged files, and a Rust panic surfaces as
    # pyo3's PanicException, a BaseException: catch everything but interpreter exits.
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = list(book.sheet_names)
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        raise _fail(
            file,
            "unreadable_workbook",
            "không đọc được tệp Excel: tệp bị hỏng, có mật khẩu hoặc không phải .xlsx; "
            "hãy mở bằng Excel và lưu lại dạng .xlsx",
        ) from exc
    households = _find_sheet(names, HOUSEHOLD_SHEET, file)
    if households is None:
        raise _fail(
            file,
            "missing_sheet",
            f"thiếu sheet '{HOUSEHOLD_SHEET}' (danh sách hộ); các sheet có trong tệp: "
            + ", ".join(f"'{n}'" for n in names),
        )
    members = _find_sheet(names, MEMBER_SHEET, file)
    formulas = _FormulaIndex(content)

    def table(sheet: str) -> RawTable:
        try:
            ws = book.get_sheet_by_name(sheet)
            rows = ws.to_python(skip_empty_area=False)
        except BaseException as exc:
            if _is_fatal(exc):
                raise
            raise _fail(
                file,
                "unreadable_sheet",
                "không đọc được sheet: nội dung bị hỏng; hãy mở bằng Excel và lưu lại",
                sheet,
            ) from exc
        try:  # layout details: without them the values are still read
            merged = [tuple(map(tuple, r)) for r in ws.merged_cell_ranges or []]
        except Exception:
            merged = []
        return RawTable(file, sheet, rows, merged=merged, formulas=formulas.cells(sheet))

    return RawSubmission(
        households=table(households),
        members=table(members) if members else None,
    )


class _FormulaIndex:
    """Formula cells of an XLSX workbook, read from the sheet XML.

    Each formula cell maps to None when it has a cached value (what Excel shows, and what calamine
    returns), to ("formula_no_value", formula) when it has none (written by a program, never opened
    in Excel), and to ("formula_error", "#DIV/0!") for an error value. Anything unexpected in the
    package just means no formula information: calamine already read the values."""

    def __init__(self, content: bytes) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._parts: dict[str, str] = {}
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(content))
            self._parts = self._sheet_parts(self._zip)
        except Exception:
            self._zip = None

    @staticmethod
    def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
        parts: dict[str, str] = {}
        for el in ET.fromstring(zf.read("xl/workbook.xml")).iter():
            if not el.tag.endswith("}sheet") and el.tag != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            if target:
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                parts[el.get("name", "")] = path
        return parts

    def cells(self, sheet: str) -> dict[tuple[int, int], tuple[str, str] | None]:
        part = self._parts.get(sheet)
        if self._zip is None or part is None:
            return {}
        try:
            if not self._has_formulas(part):
                return {}
            return formula_cells(self._zip.read(part))
        except Exception:
            return {}

    def _has_formulas(self, part: str) -> bool:
        """Stream the sheet XML looking for a formula's closing tag or an error cell: cheaper than
        holding the whole sheet, and most commune files have no formulas at all."""
        assert self._zip is not None
        needles: tuple[bytes, ...] = ()
        tail = b""
        with self._zip.open(part) as stream:
            while chunk := stream.read(1 << 18):
                text = tail + chunk
                if not needles:
                    root = re.search(rb"<(\w+:)?worksheet\b", text)
                    prefix = (root.group(1) or b"") if root else b""
                    needles = (b"</" + prefix + b"f>", b't="e"')
                if any(needle in text for needle in needles):
                    return True
                tail = text[-16:]
        return False


_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')


def formula_cells(xml: bytes) -> dict[tuple[int, int], tuple[str, str] | None]:
    """Formula and error cells of one sheet's XML. Only the cells holding `<f` or `t="e"` are
    looked at, so a sheet without formulas costs two substring searches."""
    prefix_match = re.search(rb"<(\w+:)?sheetData\b", xml)
    if prefix_match is None:
        return {}
    p = prefix_match.group(1) or b""
    open_c, close_c = b"<" + p + b"c ", b"</" + p + b"c>"
    has_f, has_e = (b"<" + p + b"f") in xml, b't="e"' in xml
    if not has_f and not has_e:
        return {}
    hits = re.compile(rb"<" + re.escape(p) + rb"f[\s>/]|\st=\"e\"")
    value = re.compile(rb"<" + re.escape(p) + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)</" + re.escape(p) + rb"v>)")
    formula = re.compile(rb"<" + re.escape(p) + rb"f(?:\s[^>]*)?(?:/>|>([^<]*)</" + re.escape(p) + rb"f>)")
    out: dict[tuple[int, int], tuple[str, str] | None] = {}
    done: set[int] = set()
    for hit in hits.finditer(xml, prefix_match.end()):
        start = xml.rfind(open_c, 0, hit.start() + 1)
        if start < 0 or start in done:
            continue
        done.add(start)
        tag_end = xml.find(b">", start)
        end = xml.find(close_c, tag_end)
        if tag_end < 0 or end < 0 or xml[tag_end - 1 : tag_end] == b"/":
            continue
        attrs, body = xml[start:tag_end], xml[tag_end + 1 : end]
        ref = _REF.search(attrs)
        if ref is None:
            continue
        kind = _TYPE.search(attrs)
        cell_type = kind.group(1) if kind else b"n"
        position = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
        v = value.search(body)
        cached = v.group(1) if v else None
        if cell_type == b"e":
            out[position] = ("formula_error", _xml_text(cached or b"#N/A"))
        elif cached is None or (not cached.strip() and cell_type != b"str"):
            f = formula.search(body)
            shown = "=" + _xml_text(f.group(1)) if f and f.group(1) else "(công thức dùng chung)"
            out[position] = ("formula_no_value", shown)
        else:
            out[position] = None
    return out


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _check_zip(content: bytes, file: str) -> None:
    """A zip must be a spreadsheet package (XLSX or ODS) of a sane unpacked size."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _fail(file, "unreadable_workbook", "tệp Excel bị hỏng hoặc chưa tải lên hết")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except Exception as exc:
        raise _fail(file, "unreadable_workbook", "tệp Excel bị hỏng hoặc chưa tải lên hết") from exc
    names = {i.filename for i in infos}
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise _fail(
            file,
            "too_large",
            f"tệp Excel giải nén ra quá lớn (trên {_megabytes(MAX_UNPACKED_BYTES)}); "
            "hãy gửi riêng từng xã hoặc tách tệp",
        )
    if names & {"xl/workbook.xml", "xl/workbook.bin", "mimetype"}:  # XLSX/XLSM, XLSB, ODS: calamine
        return
    if any(n.startswith("word/") for n in names):
        raise _fail(file, "wrong_format", "tệp là văn bản Word (.docx), không phải bảng tính Excel")
    if any(n.startswith("xl/") for n in names):
        raise _fail(file, "unreadable_workbook", "tệp Excel bị hỏng: thiếu phần mô tả workbook")
    raise _fail(
        file, "wrong_format", "tệp là tệp nén .zip, không phải tệp Excel; hãy giải nén và gửi tệp .xlsx"
    )


def _sniff_other(content: bytes, file: str) -> None:
    for magic, what in _OTHER_FORMATS:
        if content.startswith(magic):
            raise _fail(
                file,
                "wrong_format",
                f"đây là {what}, không phải bảng tính; hãy gửi tệp Excel (.xlsx) hoặc CSV theo mẫu",
            )
    head = content[:512].removeprefix(codecs.BOM_UTF8)
    if _MARKUP.match(head):
        raise _fail(
            file,
            "wrong_format",
            "tệp là trang web (HTML/XML) được đặt đuôi Excel; hãy mở bằng Excel và lưu lại dạng .xlsx",
        )


def read_csv_text(content: bytes, file: str) -> RawTable:
    try:
        text, encoding = decode_text(content)
    except UnicodeDecodeError as exc:
        if b"\x00" in content[:65536]:
            raise _fail(file, "binary_file", "tệp không phải văn bản CSV (có ký tự nhị phân)") from exc
        raise _fail(
            file, "unknown_encoding", "không nhận ra bảng mã của tệp (cần UTF-8 hoặc Windows-1258)"
        ) from exc
    if "\x00" in text:
        raise _fail(file, "binary_file", "tệp không phải văn bản CSV (có ký tự nhị phân)")
    sep_hint = re.match(r"sep=(\S)[ \t]*(?:\r\n|\n|\r|$)", text)
    if sep_hint:  # Excel's "sep=;" first line: Excel hides it, and so rows are numbered without it
        delimiter = sep_hint.group(1)
        text = text[sep_hint.end() :]
    else:
        # The header may sit under a title line: the separator is the one most used on some line.
        lines = text[:65536].splitlines()[:30]
        delimiter = max((",", ";", "\t", "|"), key=lambda d: max((ln.count(d) for ln in lines), default=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        line = reader.line_num
        raise _fail(
            file,
            "bad_csv",
            f'tệp CSV sai cấu trúc ở dòng {line}: một ô quá dài hoặc dấu ngoặc kép (") không được đóng',
        ) from exc
    return RawTable(file, None, rows, encoding=encoding)


def _looks_binary(content: bytes) -> bool:
    sample = content[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > 0.05 * len(sample)


def open_container(
    content: bytes, file: str, members_content: bytes | None = None, members_file: str | None = None
) -> RawSubmission:
    """Dispatch on the bytes, not the file name: communes rename files freely."""
    check_size(len(content), file)
    if len(content) <= 65536 and not content.strip():  # a large blank file is refused later as empty
        raise _fail(file, "empty_file", "tệp rỗng")
    if content.startswith(ZIP_MAGIC):
        _check_zip(content, file)
        return read_workbook(content, file)
    if content.startswith(OLE_MAGIC):
        return read_workbook(content, file)  # calamine also reads legacy .xls
    _sniff_other(content, file)
    suffix = Path(file).suffix.lower()
    if suffix in EXCEL_SUFFIXES and _looks_binary(content):
        raise _fail(
            file,
            "unreadable_workbook",
            f"tệp có đuôi {suffix} nhưng không phải tệp Excel hợp lệ (hỏng hoặc sai định dạng)",
        )
    # Text named .xls/.xlsx (exports from web software do this) is read as the CSV it is.
    households = read_csv_text(content, file)
    members = None
    if members_content is not None:
        members_name = members_file or MEMBER_CSV
        check_size(len(members_content), members_name)
        members = read_csv_text(members_content, members_name)
    return RawSubmission(households, members)


def open_path(path: Path) -> RawSubmission:
    """A workbook, a CSV file (with `members.csv` beside a `households.csv`), or a folder of both.
    Sizes are checked before anything is read."""
    if path.is_dir():
        households = path / HOUSEHOLD_CSV
        if not households.exists():
            raise _fail(str(path), "missing_file", f"thư mục không có tệp {HOUSEHOLD_CSV}")
        path = households
    check_size(path.stat().st_size, path.name)
    members_path = path.with_name(MEMBER_CSV) if path.name.lower() == HOUSEHOLD_CSV else None
    members_bytes = None
    if members_path is not None and members_path.exists():
        check_size(members_path.stat().st_size, members_path.name)
        members_bytes = members_path.read_bytes()
    return open_container(
        path.read_bytes(), path.name, members_bytes, members_path.name if members_bytes is not None else None
    )
