"""Build the corpus of bad submission files read by tests/test_bad_input.py.

    .venv/bin/python tests/corpus/make_corpus.py          # rewrites tests/corpus/*.xlsx|csv|…

Every file is small and made here from fixed data and a fixed random seed, so the corpus can be
regenerated and reviewed; the expected behaviour of each file is asserted in test_bad_input.py and
listed in tests/corpus/README.md. Large files (50 MB, over the size limit) are made by the tests in
a temporary directory, never committed.

The names and CCCD numbers below are invented; the tests check that none of them is ever shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter

from rasoat.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from rasoat.text import to_cp1258

CORPUS = Path(__file__).parent
HH_HEADERS = [c.header_vi for c in HOUSEHOLD_COLUMNS]
MEMBER_HEADERS = [c.header_vi for c in MEMBER_COLUMNS]
COL = {c.name: i for i, c in enumerate(HOUSEHOLD_COLUMNS)}  # household column → position
MCOL = {c.name: i for i, c in enumerate(MEMBER_COLUMNS)}
FIXED_TIME = dt.datetime(2024, 10, 1, 8, 0, 0)

# Personal values used in the corpus (the tests grep every message for them).
NAMES = ["Nguyễn Văn Ấn", "Hồ Thị Bích", "Lê Văn Cường", "Trần Thị Dung", "Phạm Văn Em", "Vi Thị Gấm"]
CCCDS = ["045090001234", "045162005678", "045071009012", "045099003456"]
CCCD_DIGITS = ["45090001234", "45162005678", "1234567890", "12345678901"]  # as a number loses them

FLAGS = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
INDICATORS = [f"d{i:02d}" for i in range(1, 13)]


def household(n: int, **changes: object) -> list[object]:
    """A valid household row (Vietnamese header order), with some cells changed."""
    flags = FLAGS if n % 2 else [0] * 12
    row: list[object] = [
        f"19600-01-{n:05d}",
        "19600",
        "Thôn 1",
        NAMES[n % len(NAMES)],
        CCCDS[n % len(CCCDS)] if n % 2 else None,
        "Kinh",
        2,
        "nông thôn",
        1_200_000 + 100_000 * n,
        None,
        *flags,
        10 * sum(flags),
        1,
        0,
        0,
        "Thiếu vốn" if n % 2 else None,
        "poor" if n % 2 else "near_poor",
        80,
    ]
    for name, value in changes.items():
        row[COL[name]] = value
    return row


def member(n: int, head: bool = True, **changes: object) -> list[object]:
    row: list[object] = [
        f"19600-01-{n:05d}",
        NAMES[n % len(NAMES)] if head else NAMES[(n + 3) % len(NAMES)],
        "Chủ hộ" if head else "Con",
        "05/01/1960" if head else "14/11/1998",
        "Nam" if head else "Nữ",
        None,
        1,
        None,
    ]
    for name, value in changes.items():
        row[MCOL[name]] = value
    return row


HOUSEHOLDS = [household(n) for n in (1, 2, 3)]
MEMBERS = [m for n in (1, 2, 3) for m in (member(n), member(n, head=False))]


# ---------------------------------------------------------------------------------------- writers


def xlsx(
    sheets: dict[str, list[list[object]]],
    prepare: Callable[[xlsxwriter.Workbook, dict[str, object]], None] | None = None,
) -> bytes:
    """A workbook written with xlsxwriter (datetimes as date cells); `prepare` may add merges."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"created": FIXED_TIME})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    worksheets: dict[str, object] = {}
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        worksheets[name] = ws
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(i, j, value, date_format)
                elif value is not None:
                    ws.write(i, j, value)
    if prepare is not None:
        prepare(book, worksheets)
    book.close()
    return buf.getvalue()


def csv_text(rows: list[list[object]], delimiter: str = ",", newline: str = "\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(
        [["" if v is None else v for v in row] for row in rows]
    )
    return buf.getvalue()


def good_workbook() -> bytes:
    return xlsx({"ho": [HH_HEADERS, *HOUSEHOLDS], "thanh_vien": [MEMBER_HEADERS, *MEMBERS]})


def replace_zip_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 10, 1, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data if info.filename == name else src.read(info.filename))
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 10, 1, 8, 0, 0)), data)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ cases


def whole_file_cases() -> dict[str, bytes]:
    rng = random.Random(468)
    good = good_workbook()
    return {
        "empty.xlsx": b"",
        "empty.csv": b"",
        "random_bytes.xlsx": bytes(rng.randrange(256) for _ in range(4096)),
        # A zip that claims to be a workbook but whose parts are garbage.
        "zip_garbage.xlsx": zip_of(
            {
                "[Content_Types].xml": bytes(rng.randrange(256) for _ in range(300)),
                "xl/workbook.xml": bytes(rng.randrange(256) for _ in range(300)),
            }
        ),
        # A real workbook whose household sheet XML was damaged.
        "damaged_sheet.xlsx": replace_zip_member(
            good, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"
        ),
        # Upload cut in the middle: the zip's central directory is missing.
        "truncated.xlsx": good[: len(good) // 2],
        "zip_not_excel.xlsx": zip_of({"danh_sach.txt": "Danh sách hộ nghèo".encode()}),
        "word_renamed.xlsx": zip_of(
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
        ),
        "pdf_renamed.xlsx": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n",
        # Legacy Office (OLE2) signature with nothing readable behind it.
        "legacy_ole.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(rng.randrange(256) for _ in range(2048)),
        "web_page.xls": "<html><body><table><tr><td>Mã hộ</td></tr></table></body></html>".encode(),
        "photo.xlsx": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(rng.randrange(256) for _ in range(512)),
    }


def sheet_cases() -> dict[str, bytes]:
    both = [HH_HEADERS, *HOUSEHOLDS]
    return {
        "no_ho_sheet.xlsx": xlsx({"Sheet1": both, "Sheet2": [["ghi chú"]]}),
        "sheet_named_Ho.xlsx": xlsx({"Hộ": both, "Thành viên": [MEMBER_HEADERS, *MEMBERS]}),
        "sheet_named_HO.xlsx": xlsx({"HO": both}),
        "two_household_sheets.xlsx": xlsx({"Hộ": both, "HO": both}),
        "header_only.xlsx": xlsx({"ho": [HH_HEADERS], "thanh_vien": [MEMBER_HEADERS]}),
        "blank_rows_only.xlsx": xlsx({"ho": [HH_HEADERS, [None] * 5, ["  ", "", " "], [None, "\t"]]}),
        "empty_ho_sheet.xlsx": xlsx({"ho": [], "thanh_vien": [MEMBER_HEADERS, *MEMBERS]}),
    }


def official_layout() -> bytes:
    """An official-looking list: a title block merged across the sheet, a two-row header with
    "Chỉ số thiếu hụt" merged over sub-headers 1 … 12, a row of column numbers, the village
    merged down its households, and the title + header block pasted again in the middle."""
    width = len(HH_HEADERS)
    d01 = COL["d01"]
    title = [["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"], ["Xã Cam Lộ — Huyện Cam Lộ — Tỉnh Quảng Trị"], []]
    upper = [h if not h.startswith("Chỉ số thiếu hụt") else None for h in HH_HEADERS]
    upper[d01] = "Chỉ số thiếu hụt"
    lower: list[object] = [None] * width
    lower[d01 : d01 + 12] = list(range(1, 13))
    numbers = [f"({i})" for i in range(1, width + 1)]
    rows = [household(n) for n in (1, 2, 3, 4, 5)]
    for row in rows[1:3]:
        row[COL["village"]] = None  # merged down from the first household
    for row in rows[3:]:
        row[COL["village"]] = "Thôn 2"
    block = [*title, upper, lower, numbers]
    sheet = [*block, *rows[:3], *block, *rows[3:]]

    def prepare(book: xlsxwriter.Workbook, ws: dict[str, object]) -> None:
        sheet_ws = ws["ho"]
        bold = book.add_format({"bold": True, "align": "center"})
        for top in (0, len(block) + 3):  # both copies of the block
            sheet_ws.merge_range(top, 0, top, width - 1, title[0][0], bold)
            sheet_ws.merge_range(top + 1, 0, top + 1, width - 1, title[1][0], bold)
            header_row = top + 3
            for j in range(width):
                if not (d01 <= j < d01 + 12):  # single headers span both header rows
                    sheet_ws.merge_range(header_row, j, header_row + 1, j, upper[j], bold)
            sheet_ws.merge_range(header_row, d01, header_row, d01 + 11, "Chỉ số thiếu hụt", bold)
        first_data = len(block)  # 0-based row of household 1
        sheet_ws.merge_range(first_data, COL["village"], first_data + 2, COL["village"], "Thôn 1")

    return xlsx({"ho": sheet}, prepare)


def formula_cases() -> dict[str, bytes]:
    k, v = "K", "V"  # d01 … d12
    b2 = COL["b2_score"]

    # Cached values: what Excel saves. xlsxwriter stores the value we give it.
    def cached(book: xlsxwriter.Workbook, ws: dict[str, object]) -> None:
        for i, row in enumerate(HOUSEHOLDS, start=1):
            ws["ho"].write_formula(
                i, b2, f"=10*SUM({k}{i + 1}:{v}{i + 1})", None, 10 * sum(row[COL["d01"] : COL["d12"] + 1])
            )

    with_cache = xlsx({"ho": [HH_HEADERS, *HOUSEHOLDS]}, cached)

    # No cached values: written by a program (openpyxl), never opened in Excel. Rows 5–6 of the
    # template hold only the formula (no household): blank rows, not errors.
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "ho"
    ws.append(HH_HEADERS)
    for i, row in enumerate(HOUSEHOLDS, start=2):
        cells = list(row)
        cells[b2] = f"=10*SUM({k}{i}:{v}{i})"
        ws.append(cells)
    for i in (5, 6):
        ws.cell(row=i, column=b2 + 1, value=f"=10*SUM({k}{i}:{v}{i})")
    ws.cell(row=3, column=COL["meeting_agree_pct"] + 1, value="=1/0")  # an error, not a number
    book.properties.created = book.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    book.save(buf)
    no_cache = buf.getvalue()
    # Give row 3's "=1/0" the error value Excel would have cached.
    xml = zipfile.ZipFile(io.BytesIO(no_cache)).read("xl/worksheets/sheet1.xml")
    xml = xml.replace(b'<c r="AC3"><f>1/0</f><v /></c>', b'<c r="AC3" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    assert b"#DIV/0!" in xml
    core = zipfile.ZipFile(io.BytesIO(no_cache)).read("docProps/core.xml")  # openpyxl stamps "now"
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-10-01T08:00:00Z", core)
    no_cache = replace_zip_member(no_cache, "docProps/core.xml", core)
    return {
        "formulas_cached.xlsx": with_cache,
        "formulas_no_cache.xlsx": replace_zip_member(no_cache, "xl/worksheets/sheet1.xml", xml),
    }


def birth_date_cases() -> bytes:
    dates: list[object] = [
        32874,  # Excel serial number in a number cell: 01/01/1990
        dt.datetime(1962, 2, 3),  # a real date cell
        "05/01/1990",
        "1990-01-05",
        "1971",  # year alone
        1985,  # year alone, as a number
        "01/01/2090",  # in the future: a valid date, validation judges it against the round
        "31/02/1990",  # impossible
        "05/01/60",  # two-digit year: ambiguous
        "không rõ",
    ]
    members = [member(1 + i % 3, head=i < 3, birth_date=d) for i, d in enumerate(dates)]
    return xlsx({"ho": [HH_HEADERS, *HOUSEHOLDS], "thanh_vien": [MEMBER_HEADERS, *members]})


def number_cases() -> bytes:
    rows = [
        household(1, income_per_capita="1,5 triệu"),
        household(2, income_per_capita="không"),
        household(3, income_per_capita="1.500.000"),
        household(4, income_per_capita="500.000"),
        household(5, income_per_capita="1.500.000 đ"),
        household(6, income_per_capita="1 500 000"),
        household(7, members="ba"),
        household(8, members=True),
        household(9, b1_score="1e30", income_per_capita=None),
        household(10, d02="không"),
        household(11, d03=True),  # TRUE in a 0/1 column is 1
        household(12, meeting_agree_pct="75,5"),
    ]
    return xlsx({"ho": [HH_HEADERS, *rows]})


def cccd_cases() -> dict[str, bytes]:
    rows = [
        household(1, head_id_number=45090001234),  # number cell: leading zero lost (11 digits)
        household(2, head_id_number=1.2345678901e11),  # number cell shown in scientific notation
        household(3, head_id_number="045071009012"),  # text: right
    ]

    def sci(book: xlsxwriter.Workbook, ws: dict[str, object]) -> None:
        ws["ho"].write_number(
            2, COL["head_id_number"], 1.2345678901e11, book.add_format({"num_format": "0.00E+00"})
        )

    members = [
        member(1, id_number="1.2345678901E+11"),  # text copied from a CSV export
        member(1, head=False, id_number="45162005678.0"),
        member(2, id_number="045099003456"),
    ]
    workbook = xlsx({"ho": [HH_HEADERS, *rows], "thanh_vien": [MEMBER_HEADERS, *members]}, sci)
    text = csv_text(
        [
            HH_HEADERS,
            household(1, head_id_number="1.2345678901E+11"),
            household(2, head_id_number="45090001234"),  # text, 11 digits: validation's 12-digit rule
        ]
    )
    return {"cccd_as_number.xlsx": workbook, "cccd_scientific.csv": text.encode()}


def column_cases() -> dict[str, bytes]:
    drop = {"Mã xã", "Số nhân khẩu", "Chỉ số thiếu hụt 5"}
    keep = [i for i, h in enumerate(HH_HEADERS) if h not in drop]
    missing = csv_text([[HH_HEADERS[i] for i in keep], *[[r[i] for i in keep] for r in HOUSEHOLDS]])
    extra_headers = [*HH_HEADERS, "Ghi chú", "Người rà soát", "Ghi chú"]
    extra = csv_text(
        [extra_headers, *[[*r, f"ghi chú {i}", "Cán bộ A", ""] for i, r in enumerate(HOUSEHOLDS)]]
    )
    return {"missing_columns.csv": missing.encode(), "extra_columns.csv": extra.encode()}


def csv_cases() -> dict[str, bytes]:
    full = csv_text([HH_HEADERS, *HOUSEHOLDS, household(4)])
    # Cut in the middle of the last line, inside "Thôn 1"'s multi-byte "ô": a broken upload.
    data = full.encode()
    last_line = data.rstrip(b"\r\n").rfind(b"\n") + 1
    cut = data.index("Thôn".encode(), last_line) + 3  # after "Th" and the first byte of "ô"
    truncated = data[:cut]
    # An unquoted comma inside a name pushes the rest of that row one column right.
    split_name = NAMES[2].replace(" ", ", ", 1)
    second = ",".join("" if v is None else str(v) for v in HOUSEHOLDS[1]).replace(NAMES[2], split_name)
    shifted = csv_text([HH_HEADERS, HOUSEHOLDS[0]]) + second + "\r\n" + csv_text([HOUSEHOLDS[2]])
    trailing = csv_text([HH_HEADERS, *[[*r, "", ""] for r in HOUSEHOLDS]])  # empty extra fields: fine
    lines = csv_text([HH_HEADERS, *HOUSEHOLDS], newline="\n").splitlines()
    mixed = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n"
    return {
        "truncated.csv": truncated,
        "more_fields.csv": shifted.encode(),
        "trailing_empty_fields.csv": trailing.encode(),
        "mixed_line_endings.csv": mixed.encode(),
    }


def encoding_cases() -> dict[str, bytes]:
    members = csv_text([MEMBER_HEADERS, *MEMBERS])
    text = csv_text([HH_HEADERS, *HOUSEHOLDS])
    tab = csv_text([HH_HEADERS, *HOUSEHOLDS], delimiter="\t")
    cp1258 = to_cp1258(text)
    assert b"\xd2" in cp1258 or b"\xde" in cp1258  # decomposed tone marks really present
    return {
        "cp1258.csv": cp1258,
        "cp1258_members.csv": to_cp1258(members),
        "utf8_bom.csv": b"\xef\xbb\xbf" + text.encode(),
        "utf16le_bom.txt": b"\xff\xfe" + tab.encode("utf-16-le"),  # Excel "Unicode text"
        "utf16le_no_bom.txt": tab.encode("utf-16-le"),
        "semicolon_sep_hint.csv": ("sep=;\r\n" + csv_text([HH_HEADERS, *HOUSEHOLDS], delimiter=";")).encode(),
        "csv_named.xlsx": text.encode(),  # a web export: CSV text with an Excel name
        "tcvn3_like.csv": bytes(b if b < 0x80 else 0xB5 for b in text.encode("utf-8")),
    }


def decomposed_unicode() -> bytes:
    """Text typed with a "Unicode tổ hợp" keyboard: tone marks as separate combining characters."""

    def nfd(rows: list[list[object]]) -> list[list[object]]:
        return [[unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in row] for row in rows]

    return xlsx({"ho": nfd([HH_HEADERS, *HOUSEHOLDS]), "thanh_vien": nfd([MEMBER_HEADERS, *MEMBERS])})


# ------------------------------------------------------------------- habits of the official forms

SIGNERS = ["Lê Thị Hoa", "Nguyễn Văn Bình", "Đặng Văn Cửu"]  # invented; never a household or a message
INCOME = COL["income_per_capita"]


def with_income_header(header: str, rows: list[list[object]]) -> list[list[object]]:
    headers = list(HH_HEADERS)
    headers[INCOME] = header
    return [headers, *rows]


def income_cases() -> dict[str, bytes]:
    """Income in another unit, stated in the header as the official forms do."""
    monthly = [1_300_000, 2_809_000, 1_450_000, 2_100_000]  # đồng per person per month
    rows = [household(n) for n in (1, 2, 3, 4)]

    def incomes(values: list[object]) -> list[list[object]]:
        return [[*r[:INCOME], v, *r[INCOME + 1 :]] for r, v in zip(rows, values, strict=True)]

    thousands = incomes([m // 1000 for m in monthly])
    yearly = incomes([m * 12 for m in monthly[:3]] + [18_000_005])  # not a multiple of 12
    yearly_thousands = incomes([f"{m * 12 // 1000:,}".replace(",", ".") for m in monthly])  # "15.600"
    return {
        "income_thousands.xlsx": xlsx(
            {"ho": with_income_header("Thu nhập bình quân (nghìn đồng/người/tháng)", thousands)}
        ),
        "income_yearly.xlsx": xlsx({"ho": with_income_header("Thu nhập bình quân (đồng/người/năm)", yearly)}),
        # Excel-VN CSV: semicolons, dot thousands.
        "income_thousands_yearly.csv": csv_text(
            with_income_header("Thu nhập bình quân (nghìn đồng/người/năm)", yearly_thousands), delimiter=";"
        ).encode(),
        "income_millions.xlsx": xlsx(
            {
                "ho": with_income_header(
                    "Thu nhập bình quân (triệu đồng/người/tháng)", incomes([1.3, 2.8, 1.45, 2.1])
                )
            }
        ),
        "income_per_household.csv": csv_text(
            with_income_header("Thu nhập bình quân (đồng/hộ/tháng)", incomes([2_600_000] * 4))
        ).encode(),
        # Thousands typed under the contract's header: read as đồng, validation blocks it.
        "income_thousands_unlabelled.xlsx": xlsx(
            {"ho": with_income_header("Thu nhập bình quân (đồng/người/tháng)", thousands)}
        ),
    }


def _official_list(
    groups: list[list[list[object]]],
    *,
    subtotals: bool,
    left: list[str] | None,
    right: list[str] | None,
) -> list[list[object]]:
    """The official list: committee and national motto above, the header on row 5 after an STT
    column, households (by village), a total row, the place-and-date line and the signatures."""
    width = len(HH_HEADERS) + 1
    motto = 10

    def line(cells: dict[int, object]) -> list[object]:
        row: list[object] = [None] * width
        for j, value in cells.items():
            row[j] = value
        return row

    sheet = [
        line({0: "ỦY BAN NHÂN DÂN XÃ CAM THÀNH", motto: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"}),
        line({motto: "Độc lập - Tự do - Hạnh phúc"}),
        line({0: "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"}),
        [],
        ["STT", *HH_HEADERS],
    ]
    stt = 0
    members = 0
    for group in groups:
        for row in group:
            stt += 1
            members += int(row[COL["members"]])
            sheet.append([stt, *row])
        if subtotals:
            village = group[0][COL["village"]]
            label = f"Cộng {village.lower()}" if village.startswith("Thôn") else f"Cộng thôn {village}"
            sheet.append(line({0: label, 1 + COL["members"]: sum(r[COL["members"]] for r in group)}))
    total = line({0: "Tổng cộng", 1 + COL["members"]: members})
    for code in ("d01", "d02", "d03"):  # deprived households per indicator, as the form sums them
        total[1 + COL[code]] = sum(int(r[COL[code]]) for g in groups for r in g)
    sheet += [total, []]
    sheet.append(line({motto: "Cam Thành, ngày 15 tháng 11 năm 2024"}))
    titles_left = ["Người lập biểu", "(Ký, ghi rõ họ tên)"]
    titles_right = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký tên, đóng dấu)"]
    for k in range(3):
        cells: dict[int, object] = {}
        if left is not None and k < len(titles_left):
            cells[1] = titles_left[k]
        if right is not None:
            cells[motto] = titles_right[k]
        sheet.append(line(cells))
    sheet += [[], []]
    names: dict[int, object] = {}
    if left:
        names[1] = left[0]
    if right:
        names[motto] = right[0]
    sheet.append(line(names))
    sheet.append(line({0: "Ghi chú: danh sách đã được niêm yết công khai tại nhà văn hóa thôn."}))
    return sheet


def official_list_cases() -> dict[str, bytes]:
    thon1 = [household(n) for n in (1, 2, 3)]
    # Heads without a CCCD from the fourth household on: the corpus has few distinct numbers.
    thon2 = [household(n, village="Thôn 2", head_id_number=None) for n in (4, 5)]
    # Villages whose names hold "Cộng": households, not total rows.
    cong = [
        household(6, village="Cộng Hòa", head_id_number=None),
        household(7, village="Thôn Cộng Lạc", head_id_number=None),
    ]
    both = _official_list([thon1, thon2], subtotals=False, left=[SIGNERS[0]], right=[SIGNERS[1]])
    left_only = _official_list([thon1, thon2], subtotals=False, left=[SIGNERS[2]], right=None)
    subtotals = _official_list([thon1, thon2, cong], subtotals=True, left=[SIGNERS[0]], right=[SIGNERS[1]])
    # The members list signed too: the signer's name falls in its "Mã hộ" column.
    members = [
        MEMBER_HEADERS,
        *MEMBERS,
        ["Tổng cộng: 6 nhân khẩu"],
        [],
        [None, None, None, "Cam Thành, ngày 15 tháng 11 năm 2024"],
        ["Người lập biểu"],
        [SIGNERS[2]],
    ]
    three = _official_list([thon1], subtotals=False, left=[SIGNERS[0]], right=[SIGNERS[1]])
    return {
        "official_list_members.xlsx": xlsx({"Hộ gia đình": three, "Thành viên": members}),
        "official_list_signatures.xlsx": xlsx({"Hộ gia đình": both}),
        "official_list_signatures_left.xlsx": xlsx({"ho": left_only}),
        "official_list_village_totals.xlsx": xlsx({"ho": subtotals}),
        "official_list_signatures.csv": csv_text(both, delimiter=";").encode(),
    }


def tick_cases() -> dict[str, bytes]:
    """Indicators ticked as on the paper Phiếu B, yes/no columns written in words."""
    marks = ["x", "X", "✓"]

    def ticked(n: int, **changes: object) -> list[object]:
        row = household(n, **changes)
        for k, code in enumerate(INDICATORS):
            row[COL[code]] = marks[(n + k) % 3] if row[COL[code]] == 1 else None
        return row

    ticks = [ticked(n) for n in (1, 2, 3, 4)]  # d04 … d12: nobody deprived, columns left blank
    mixed = [ticked(n) for n in (1, 2, 3, 4)]
    mixed[1][COL["d01"]] = 0  # a digit among the ticks of column d01

    def yes_no(n: int) -> list[object]:
        row = household(n)
        for code in (*INDICATORS, "agri_household", "no_labour_capacity", "merit_household"):
            row[COL[code]] = (
                ("Có", "CÓ", "co")[n % 3] if row[COL[code]] else ("không", "KHÔNG", "Khong")[n % 3]
            )
        return row

    yes_no_members = [[*m[:6], "Có" if i % 2 else "Không", m[7]] for i, m in enumerate(MEMBERS)]
    mixed_words = [household(1, agri_household="Có"), household(2, agri_household=0), household(3)]
    return {
        "ticks.xlsx": xlsx({"ho": [HH_HEADERS, *ticks]}),
        "ticks_mixed.xlsx": xlsx({"ho": [HH_HEADERS, *mixed]}),
        "yes_no.xlsx": xlsx(
            {
                "ho": [HH_HEADERS, *[yes_no(n) for n in (1, 2, 3)]],
                "thanh_vien": [MEMBER_HEADERS, *yes_no_members],
            }
        ),
        "yes_no_mixed.csv": csv_text([HH_HEADERS, *mixed_words]).encode(),
    }


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files |= whole_file_cases()
    files |= sheet_cases()
    files["official_layout.xlsx"] = official_layout()
    files |= formula_cases()
    files["birth_dates.xlsx"] = birth_date_cases()
    files["numbers_as_text.xlsx"] = number_cases()
    files |= cccd_cases()
    files |= column_cases()
    files |= csv_cases()
    files |= encoding_cases()
    files["decomposed_unicode.xlsx"] = decomposed_unicode()
    files |= income_cases()
    files |= official_list_cases()
    files |= tick_cases()
    return files


def main() -> None:
    files = build()
    for old in CORPUS.iterdir():
        if old.is_file() and old.suffix in {".xlsx", ".xls", ".csv", ".txt"}:
            old.unlink()
    for name, data in sorted(files.items()):
        (CORPUS / name).write_bytes(data)
    print(f"{len(files)} files in {CORPUS}")


if __name__ == "__main__":
    main()
