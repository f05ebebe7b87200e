"""Feedback to the commune: the HTML page and the XLSX workbook listing every finding, in Vietnamese."""

from __future__ import annotations

import datetime as dt
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

import rasoat.feedback.writer as writer
from rasoat.feedback import FeedbackFiles, write_feedback
from rasoat.validation import CheckResult, Finding, Severity, ValidationReport, Verdict

B, W = Severity.BLOCKING, Severity.WARNING
SHA = "3f2a9c41d0be" + "7" * 52
RECEIVED = dt.datetime(2026, 3, 11, 20, 30, tzinfo=dt.UTC)  # 12/03/2026 03:30 in Vietnam
TITLE = "Kết quả kiểm tra dữ liệu rà soát hộ nghèo, hộ cận nghèo năm 2026"
FINDING_HEADERS = [
    "STT",
    "Sheet",
    "Dòng",
    "Cột",
    "Mã hộ",
    "Giá trị hiện có",
    "Giá trị đúng cần có",
    "Mô tả lỗi",
]

CHECKS = [
    CheckResult("doc_tep", "doc_tep.columns", B, "Đủ các cột bắt buộc", None, 1, 0),
    CheckResult("ho", "ho.household_id_unique", B, "Mã hộ không trùng nhau", "household_id", 812, 2),
    CheckResult("ho", "ho.ethnicity_known", B, "Dân tộc thuộc danh mục", "ethnicity", 812, 2),
    CheckResult("ho", "ho.b2_consistent", W, "Điểm B2 bằng 10 × tổng chỉ số", "b2_score", 812, 1),
    CheckResult("thanh_vien", "tv.sex", B, "Giới tính là Nam hoặc Nữ", "sex", 3120, 1),
    CheckResult("thanh_vien", "tv.cccd", B, "Số CCCD đủ 12 chữ số", "id_number", 3120, 0),
]


def finding(
    row: int | None,
    value: str | None,
    *,
    severity: Severity = B,
    sheet: str | None = "ho",
    column: str | None = "ethnicity",
    header: str | None = None,
    household_id: str | None = "19597-0001",
    expected: str = "Một trong 54 dân tộc",
    message: str = "Tên dân tộc không có trong danh mục",
) -> Finding:
    return Finding("x.check", severity, sheet, row, column, header, household_id, value, expected, message)


FINDINGS = [
    # Deliberately out of order: the feedback lists blocking first, then sheet by sheet, row by row.
    finding(52, "40", severity=W, column="b2_score", header="Điểm B2", expected="30", message="B2 ≠ 10 × 3"),
    finding(118, "@SUM(A1)", sheet="thanh_vien", column="sex", household_id="19597-0035", expected="Nam/Nữ"),
    finding(44, "19597-0012", column="household_id", header="MA HO", household_id="19597-0012"),
    finding(31, "=1+1", household_id="19597-0028"),
    finding(15, "<script>alert('x')</script>", household_id="19597-0012"),
    finding(None, None, sheet=None, column=None, household_id=None, message="Thiếu sheet thành viên"),
]

# What each finding becomes, in the feedback's order: (STT, sheet, row, column, id, value, expected, message).
EXPECTED_BLOCKING = [
    ("1", "Toàn tệp", "", "", "", "", "Một trong 54 dân tộc", "Thiếu sheet thành viên"),
    ("2", "Hộ gia đình", "15", "Dân tộc", "19597-0012", "<script>alert('x')</script>", "Một trong 54 dân tộc",
     "Tên dân tộc không có trong danh mục"),
    ("3", "Hộ gia đình", "31", "Dân tộc", "19597-0028", "=1+1", "Một trong 54 dân tộc",
     "Tên dân tộc không có trong danh mục"),
    ("4", "Hộ gia đình", "44", "MA HO", "19597-0012", "19597-0012", "Một trong 54 dân tộc",
     "Tên dân tộc không có trong danh mục"),
    ("5", "Thành viên", "118", "Giới tính", "19597-0035", "@SUM(A1)", "Nam/Nữ",
     "Tên dân tộc không có trong danh mục"),
]  # fmt: skip
EXPECTED_WARNINGS = [("6", "Hộ gia đình", "52", "Điểm B2", "19597-0001", "40", "30", "B2 ≠ 10 × 3")]


def write(report: ValidationReport, out_dir: Path, **overrides: object) -> FeedbackFiles:
    args: dict[str, object] = {
        "commune_code": "19597",
        "commune_name": "Xã Cam Thủy",
        "district_name": "Huyện Cam Lộ",
        "year": 2026,
        "version": 2,
        "received_at": RECEIVED,
        "sha256": SHA,
        "out_dir": out_dir,
    }
    args.update(overrides)
    return write_feedback(report, **args)  # type: ignore[arg-type]


def rejected() -> ValidationReport:
    return ValidationReport(
        file="/srv/rasoat/inbox/19597/ra soat 2026.xlsx", checks=CHECKS, findings=FINDINGS
    )


class Tables(HTMLParser):
    """Cell texts of every table, by the table's class: {"findings": [[row cells], ...], ...}."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append((dict(attrs).get("class") or "", []))
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1][1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str, cls: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return [rows for c, rows in parser.tables if c == cls]


# --- HTML ---------------------------------------------------------------------------------------


def test_html_page_lists_every_finding_blocking_first(tmp_path: Path) -> None:
    files = write(rejected(), tmp_path)
    assert files.html == tmp_path / "phan-hoi-19597-v2.html"
    html = files.html.read_text(encoding="utf-8")

    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert f"<h1>{TITLE}</h1>" in html
    assert "Xã Cam Thủy (mã 19597), Huyện Cam Lộ" in html
    assert "ra soat 2026.xlsx — phiên bản v2" in html and "/srv/rasoat" not in html
    assert "12/03/2026 03:30 (giờ Việt Nam)" in html
    assert SHA[:12] in html
    assert "Kết quả: Không chấp nhận — cần sửa và gửi lại" in html
    for guidance in ("tệp Excel gốc", "Giữ nguyên mã hộ", "Gửi lại toàn bộ tệp", "phiên bản v3"):
        assert guidance in html
    assert "Lỗi bắt buộc phải sửa (5)" in html and "Cảnh báo cần kiểm tra (1)" in html
    assert html.index("Lỗi bắt buộc phải sửa") < html.index("Cảnh báo cần kiểm tra (1)")
    for header in FINDING_HEADERS:
        assert f"<th>{header}</th>" in html

    blocking, warnings = tables(html, "findings")
    assert [tuple(r) for r in blocking] == EXPECTED_BLOCKING
    assert [tuple(r) for r in warnings] == EXPECTED_WARNINGS


def test_html_summary_of_checks_highlights_failures(tmp_path: Path) -> None:
    html = write(rejected(), tmp_path).html.read_text(encoding="utf-8")
    assert (
        "<th>Nội dung kiểm tra</th><th>Mức độ</th><th>Số dòng kiểm tra</th><th>Số dòng không đạt</th>" in html
    )
    [rows] = tables(html, "checks")
    # Failing checks first, blocking before warnings; passing ones after, in suite order.
    failing = [row for row in rows if row[-1] != "0"]
    assert rows[: len(failing)] == failing and failing
    assert [row[2] for row in failing] == sorted(
        (row[2] for row in failing), key=lambda level: level != "Bắt buộc"
    )
    assert ["Thành viên", "Giới tính là Nam hoặc Nữ", "Bắt buộc", "3.120", "1"] in failing
    assert ["Hộ gia đình", "Điểm B2 bằng 10 × tổng chỉ số", "Cảnh báo", "812", "1"] in failing
    assert '<tr class="fail-b"><td>Thành viên</td><td>Giới tính là Nam hoặc Nữ</td>' in html
    assert '<tr class="fail-w"><td>Hộ gia đình</td><td>Điểm B2' in html
    assert "<tr><td>Thành viên</td><td>Số CCCD đủ 12 chữ số</td>" in html  # passing: not highlighted


def test_html_escapes_values_from_the_commune_file(tmp_path: Path) -> None:
    report = ValidationReport(
        file="<b>x</b>.xlsx",
        checks=CHECKS,
        findings=[
            finding(7, "<script>alert('x')</script>", header='"><img src=x onerror=alert(1)>'),
            finding(8, "a & b", household_id="<i>19597</i>", expected="A<B", message="lỗi </td>"),
        ],
    )
    html = write(report, tmp_path).html.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<i>" not in html and "<b>x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    [rows] = tables(html, "findings")
    assert rows[0][3:6] == ['"><img src=x onerror=alert(1)>', "19597-0001", "<script>alert('x')</script>"]
    assert rows[1][4:] == ["<i>19597</i>", "a & b", "A<B", "lỗi </td>"]


def test_html_is_self_contained_and_printable(tmp_path: Path) -> None:
    html = write(rejected(), tmp_path).html.read_text(encoding="utf-8")
    for external in ("http://", "https://", "<link", "<script", "src=", "@import", "url("):
        assert external not in html.replace("&lt;script&gt;", "")
    assert "@page { size: A4" in html and "@media print" in html
    assert "<style>" in html


@pytest.mark.parametrize(
    ("findings", "readable", "verdict", "label"),
    [
        ([finding(9, "1", severity=W)], True, Verdict.ACCEPTED_WITH_WARNINGS, "Chấp nhận, có cảnh báo"),
        ([finding(None, None, sheet=None, column=None, household_id=None, message="Tệp hỏng")], False,
         Verdict.UNREADABLE, "Không đọc được tệp"),
    ],
)  # fmt: skip
def test_html_verdict_in_words(
    tmp_path: Path, findings: list[Finding], readable: bool, verdict: Verdict, label: str
) -> None:
    report = ValidationReport(file="f.xlsx", checks=[], findings=findings, readable=readable)
    assert report.verdict is verdict
    html = write(report, tmp_path).html.read_text(encoding="utf-8")
    assert f"Kết quả: {label}</div>" in html
    assert "Gửi lại toàn bộ tệp" in html
    assert "Không có lỗi" not in html


def test_accepted_without_findings_is_a_short_page(tmp_path: Path) -> None:
    passing = [c for c in CHECKS if c.success]
    files = write(ValidationReport(file="f.xlsx", checks=passing), tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert "Kết quả: Chấp nhận</div>" in html
    assert '<p class="ok">Không có lỗi.</p>' in html
    assert "Xã không cần gửi lại tệp" in html
    assert '<table class="findings"' not in html and "Cách sửa" not in html
    assert len(html) < 8_000

    book = openpyxl.load_workbook(files.xlsx)
    assert [[c.value for c in r] for r in book["Loi can sua"].iter_rows(min_row=2)] == []
    summary = [[c.value for c in r] for r in book["Tong hop"].iter_rows()]
    assert ["Kết quả", "Chấp nhận", None, None, None] in summary
    assert ["Số lỗi bắt buộc phải sửa", 0, None, None, None] in summary


@pytest.mark.parametrize(
    ("received", "shown"),
    [
        (dt.datetime(2026, 3, 11, 20, 30, tzinfo=dt.UTC), "12/03/2026 03:30"),
        (dt.datetime(2026, 3, 11, 20, 30), "12/03/2026 03:30"),  # naive: UTC, as SQLite returns it
        (dt.datetime(2026, 1, 5, 8, 7, tzinfo=dt.timezone(dt.timedelta(hours=7))), "05/01/2026 08:07"),
    ],
)
def test_received_time_in_vietnam_time(tmp_path: Path, received: dt.datetime, shown: str) -> None:
    html = write(rejected(), tmp_path, received_at=received).html.read_text(encoding="utf-8")
    assert f"{shown} (giờ Việt Nam)" in html


def test_column_falls_back_to_the_schema_header(tmp_path: Path) -> None:
    report = ValidationReport(
        file="f.xlsx",
        findings=[
            finding(3, "x", sheet="thanh_vien", column="birth_date"),
            finding(4, "x", column="income_per_capita"),
            finding(5, "x", column="extra_col"),
        ],
    )
    [rows] = tables(write(report, tmp_path).html.read_text(encoding="utf-8"), "findings")
    assert [r[3] for r in rows] == ["Thu nhập bình quân (đồng/người/tháng)", "extra_col", "Ngày sinh"]


def test_unprintable_characters_do_not_break_either_file(tmp_path: Path) -> None:
    report = ValidationReport(file="f.xlsx", findings=[finding(3, "a\x07b\x00c\ud800")])
    files = write(report, tmp_path)
    assert "a\ufffdb\ufffdc\ufffd" in files.html.read_text(encoding="utf-8")
    assert openpyxl.load_workbook(files.xlsx)["Loi can sua"]["G2"].value == "a\ufffdb\ufffdc\ufffd"


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_rows_match_the_findings(tmp_path: Path) -> None:
    files = write(rejected(), tmp_path)
    assert files.xlsx == tmp_path / "phan-hoi-19597-v2.xlsx"
    book = openpyxl.load_workbook(files.xlsx)
    assert book.sheetnames == ["Tong hop", "Loi can sua"]
    ws = book["Loi can sua"]
    assert [c.value for c in ws[1]] == [*FINDING_HEADERS[:1], "Mức độ", *FINDING_HEADERS[1:]]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I7"
    assert ws.column_dimensions["I"].width > ws.column_dimensions["A"].width

    def as_text(v: object) -> str:
        return "" if v is None else str(v)

    rows = [tuple(as_text(c.value) for c in r) for r in ws.iter_rows(min_row=2)]
    expected = [(e[0], "Bắt buộc", *e[1:]) for e in EXPECTED_BLOCKING]
    expected += [(e[0], "Cảnh báo", *e[1:]) for e in EXPECTED_WARNINGS]
    assert rows == expected
    assert ws["D3"].value == 15 and ws["D3"].data_type == "n"  # row numbers sort as numbers
    assert ws["F3"].data_type == "s"  # ids stay text

    blocking_fill = ws["B2"].fill.fgColor.rgb
    assert blocking_fill not in (None, "00000000") and ws["B7"].fill.fgColor.rgb != blocking_fill


def test_xlsx_never_writes_a_formula(tmp_path: Path) -> None:
    dangerous = ["=1+1", "@SUM(A1)", "+1", "-2", '=HYPERLINK("http://x","y")', "http://x.vn"]
    report = ValidationReport(
        file="f.xlsx",
        findings=[
            finding(i, v, header=v, household_id=v, expected=v, message=v) for i, v in enumerate(dangerous, 2)
        ],
    )
    files = write(report, tmp_path, commune_name="=cmd|' /C calc'!A0")
    ws = openpyxl.load_workbook(files.xlsx)["Loi can sua"]
    for r, value in enumerate(dangerous, start=2):
        for col in "EFGHI":
            cell = ws[f"{col}{r}"]
            assert cell.value == value and cell.data_type == "s", (cell.coordinate, cell.value)
    with zipfile.ZipFile(files.xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            xml = z.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml and "<hyperlink" not in xml


def test_xlsx_summary_has_verdict_and_counts_per_check(tmp_path: Path) -> None:
    files = write(rejected(), tmp_path)
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(files.xlsx)["Tong hop"].iter_rows()]
    assert rows[0][0] == TITLE
    assert ["Kết quả", "Không chấp nhận — cần sửa và gửi lại", None, None, None] in rows
    assert ["Số lỗi bắt buộc phải sửa", 5, None, None, None] in rows
    assert ["Số cảnh báo cần kiểm tra", 1, None, None, None] in rows
    assert ["Thời điểm nhận (giờ Việt Nam)", "12/03/2026 03:30", None, None, None] in rows
    assert ["Sheet", "Nội dung kiểm tra", "Mức độ", "Số dòng kiểm tra", "Số dòng không đạt"] in rows
    assert ["Thành viên", "Giới tính là Nam hoặc Nữ", "Bắt buộc", 3120, 1] in rows
    assert ["Hộ gia đình", "Điểm B2 bằng 10 × tổng chỉ số", "Cảnh báo", 812, 1] in rows


# --- files --------------------------------------------------------------------------------------


def test_atomic_write_leaves_only_the_two_files(tmp_path: Path) -> None:
    out = tmp_path / "feedback" / "19597"  # created
    write(rejected(), out)
    write(rejected(), out)  # the same version again replaces it
    write(rejected(), out, version=3)
    assert sorted(p.name for p in out.iterdir()) == [
        "phan-hoi-19597-v2.html",
        "phan-hoi-19597-v2.xlsx",
        "phan-hoi-19597-v3.html",
        "phan-hoi-19597-v3.xlsx",
    ]


def test_a_crash_leaves_no_half_written_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(rejected(), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def crash(view: object, target: Path, *, created: dt.datetime) -> None:
        target.write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(writer, "write_xlsx", crash)
    accepted = ValidationReport(file="f.xlsx", checks=[c for c in CHECKS if c.success])
    with pytest.raises(OSError, match="disk full"):
        write(accepted, tmp_path)  # same commune, same version: would replace the first files
    with pytest.raises(OSError, match="disk full"):
        write(accepted, tmp_path, version=5)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files, nothing replaced
    assert "Không chấp nhận" in first.html.read_text(encoding="utf-8")


def test_commune_code_cannot_escape_the_output_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mã xã"):
        write(rejected(), tmp_path, commune_code="../19597")
    assert list(tmp_path.iterdir()) == []


def test_twenty_thousand_findings_are_all_written(tmp_path: Path) -> None:
    findings = [
        finding(
            2 + i // 2,
            f"<giá trị {i}>",
            severity=B if i % 4 else W,
            sheet="ho" if i % 2 else "thanh_vien",
            household_id=f"19597-{i:05d}",
        )
        for i in range(20_000)
    ]
    report = ValidationReport(file="f.xlsx", checks=CHECKS, findings=findings)
    files = write(report, tmp_path)  # speed is measured in benchmarks, not asserted here

    html = files.html.read_text(encoding="utf-8")
    assert html.count('<tr class="b">') == 15_000
    assert "Lỗi bắt buộc phải sửa (15.000)" in html and "Cảnh báo cần kiểm tra (5.000)" in html
    assert "&lt;giá trị 19999&gt;" in html
    ws = openpyxl.load_workbook(files.xlsx, read_only=True)["Loi can sua"]
    assert ws.max_row == 20_001
