"""The consolidated tables drawn with reportlab (`rasoat.documents.grid_pdf` via `table_pdf`): merged
header cells (colspan and rowspan) once on every page, every row's cells in order, numbers right-
aligned, totals bold, the compact grid smaller, landscape pages numbered on from the body, bytes that
do not change. Text is read with pdftotext, as a reader's tools would."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.grid import Cell, Grid, Row
from rasoat.documents.grid_pdf import LANDSCAPE, NORMAL, PORTRAIT, Fonts, GridDrawer, header_columns
from rasoat.documents.pool import render_documents
from rasoat.documents.table_pdf import TableDocumentJob, table_document_pdf

ROWS = 90
LONG = 41  # this commune's name wraps on three lines or more
SUBTITLE = "(Kèm theo Quyết định số 14/QĐ-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Quảng Trị)"


def _grid(rows: int) -> Grid:
    """R1's shape: TT and the unit spanning two header rows, groups over two columns, a column alone
    spanning two rows, the column-number row; the total row first, then one row per commune."""
    top = [
        Cell("TT", rowspan=2),
        Cell("Phường/Xã", rowspan=2),
        Cell("Tổng số hộ dân cư (tại thời điểm rà soát)", colspan=2),
        Cell("Nhóm Alpha hộ nghèo", colspan=2),
        Cell("Ghi chú riêng", rowspan=2),
    ]
    second = [Cell("Số hộ"), Cell("Nhân khẩu"), Cell("Số hộ"), Cell("Tỷ lệ (%)")]
    numbers = [Cell(t) for t in ("A", "B", "1", "2", "3", "4=3/1*100", "5")]
    body = [Row(_cells("", "Tỉnh Quảng Trị", 0), total=True)]
    for i in range(1, rows + 1):
        name = "Xã " + " ".join(f"Vĩnh{k:02d}" for k in range(40)) if i == LONG else f"Xã Số {i:03d}"
        body.append(Row(_cells(str(i), name, i)))
    return Grid([top, second, numbers], body)


def _cells(tt: str, name: str, i: int) -> list[Cell]:
    return [
        Cell(tt, cls="c"),
        Cell(name),
        Cell(f"{1000 + i:,}".replace(",", "."), cls="n"),
        Cell(str(3000 + i), cls="n"),
        Cell(str(500 + i), cls="n"),
        Cell(f"{i % 100},{i % 7:02d}", cls="n"),
        Cell(f"r{i:03d}", cls="n"),
    ]


def _appendices(compact: bool = False) -> list[dict[str, object]]:
    return [
        {
            "heading": "Phụ lục 01",
            "title": "TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026",
            "subtitle": SUBTITLE,
            "table": _grid(ROWS),
            "compact": compact,
        }
    ]


def _text(pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "tables.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def tables_pdf() -> bytes:
    return draw_appendices(_appendices(), first_page=4, landscape=True)[0]


def test_every_row_in_order_under_the_merged_header_on_every_page(tables_pdf: bytes, tmp_path: Path) -> None:
    assert draw_appendices(_appendices(), first_page=4, landscape=True)[0] == tables_pdf  # same bytes
    pages = _text(tables_pdf, tmp_path).split("\f")[:-1]
    assert len(pages) >= 3
    assert [p.split()[0] for p in pages] == [str(4 + k) for k in range(len(pages))]  # numbered on
    first = re.sub(r"\s+", " ", pages[0])
    assert (
        "Phụ lục 01 TỔNG HỢP KẾT QUẢ CHÍNH THỨC RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026 " + SUBTITLE in first
    )
    for page in _text(tables_pdf, tmp_path, "-raw").split("\f")[:-1]:  # each header cell once a page
        flat = re.sub(r"\s+", " ", page)
        assert flat.count("Alpha") == 1 and flat.count("Ghi chú riêng") == 1 and flat.count("TT") == 1
        assert flat.count("Tổng số hộ dân cư (tại thời điểm rà soát)") == 1
        assert flat.count("4=3/1*100") == 1 and flat.count("Nhân khẩu") == 1
    # Content order (as drawn): every row's cells, one row after the other, none lost or split.
    found: list[str] = []
    for page in _text(tables_pdf, tmp_path, "-raw").split("\f")[:-1]:
        words = page.split()
        found += words[words.index("4=3/1*100") + 2 :]  # after the header's last row ("…", "5")
    assert found == [w for row in _grid(ROWS).rows for cell in row.cells for w in cell.text.split()]


def _words(pdf: bytes, tmp_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    text = _text(pdf, tmp_path, "-bbox")
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, page)]
        for page in text.split("<page ")[1:]
    ]


def test_landscape_pages_numbers_right_aligned_names_wrapped_in_one_row(
    tables_pdf: bytes, tmp_path: Path
) -> None:
    reader = PdfReader(io.BytesIO(tables_pdf))
    assert all(
        round(p.mediabox.width, 1) == 841.9 and round(p.mediabox.height, 1) == 595.3 for p in reader.pages
    )
    pages = _words(tables_pdf, tmp_path)
    all_words = [w for page in pages for w in page]
    persons = [w for w in all_words if re.fullmatch(r"30\d\d", w[4])]
    assert len(persons) == ROWS + 1 and max(w[2] for w in persons) - min(w[2] for w in persons) < 0.05  # td.n
    tts = [w for w in all_words if re.fullmatch(r"\d{1,2}", w[4]) and w[0] < 120 and w[1] > 100]
    centres = {round((w[0] + w[2]) / 2) for w in tts}
    assert max(centres) - min(centres) <= 1  # td.c: centred
    page = next(p for p in pages if any(w[4] == "Vĩnh00" for w in p))
    name = [w for w in page if w[4].startswith("Vĩnh")]
    assert len(name) == 40 and len({round(w[3]) for w in name}) >= 3  # wrapped, never split
    tt = max(w[2] for w in page if re.fullmatch(r"\d{1,2}", w[4]) and w[0] < 120)
    households = min(w[0] for w in page if w[4] == "hộ")  # header words of the next columns
    assert all(tt < w[0] and w[2] < households for w in name)  # within its column


def _fonts_of(pdf: bytes, tmp_path: Path, needle: str) -> set[tuple[str, float]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    found: set[tuple[str, float]] = set()

    def visit(text: str, cm: object, tm: list[float], font: dict[str, object] | None, size: float) -> None:
        if needle in text and font is not None:
            found.add((str(font["/BaseFont"]).split("+")[-1], round(size * tm[0], 1)))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return found


def test_totals_bold_and_the_compact_grid_smaller(tables_pdf: bytes, tmp_path: Path) -> None:
    assert _fonts_of(tables_pdf, tmp_path, "Tỉnh Quảng Trị") == {("LiberationSerif-Bold", 11.0)}
    assert _fonts_of(tables_pdf, tmp_path, "Xã Số 002") == {("LiberationSerif", 11.0)}
    compact = draw_appendices(_appendices(compact=True), first_page=1, landscape=True)[0]
    assert _fonts_of(compact, tmp_path, "Xã Số 002") == {("LiberationSerif", 9.0)}
    assert _fonts_of(compact, tmp_path, "Alpha") == {("LiberationSerif-Bold", 9.0)}
    assert len(PdfReader(io.BytesIO(compact)).pages) < len(PdfReader(io.BytesIO(tables_pdf)).pages)


def test_header_cells_are_placed_past_row_spans_and_rows_grow_for_them() -> None:
    grid = _grid(1)
    columns, count = header_columns(grid.header_rows)
    assert count == 7
    assert columns == [[0, 1, 2, 4, 6], [2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 6]]
    # A cell spanning two rows with more lines than both: the last row it spans grows (WeasyPrint).
    tall = Grid(
        [[Cell("một hai ba bốn năm sáu bảy tám chín mười", rowspan=2), Cell("x")], [Cell("y")]],
        [Row([Cell("1"), Cell("2")])],
    )
    drawer = GridDrawer(None, 1, PORTRAIT)  # type: ignore[arg-type]  # layout only, nothing drawn
    xs = [0.0, 30.0, 60.0]
    placed, heights = drawer.header_layout(tall, xs, NORMAL)
    one_line = NORMAL.line + 2 * NORMAL.pad_y + 0.6
    lines = len(placed[0].lines)
    assert lines > 2
    assert heights[0] == pytest.approx(one_line)
    assert sum(heights) == pytest.approx(lines * NORMAL.line + 2 * NORMAL.pad_y + 0.6)
    assert Fonts().lines("Phường/Xã", "B", 40, 11) == ["Phường/", "Xã"]
    assert Fonts().lines("4=3/1*100", "B", 10, 11) == ["4=3/1*100"]  # no break inside numbers


def test_rules_go_around_merged_cells_not_through_them() -> None:
    grid = _grid(1)
    drawer = GridDrawer(Canvas(io.BytesIO()), 1, LANDSCAPE)
    xs = [100.0 * k for k in range(8)]  # seven columns of 100 pt
    layout = drawer.header_layout(grid, xs, NORMAL)
    bottom = drawer.header(layout, xs, 500.0, NORMAL)
    edges = [500.0]
    for height in layout[1]:
        edges.append(edges[-1] - height)
    assert edges[-1] == bottom
    rules = drawer.segments
    horizontal = {(y1, x1, x2) for x1, y1, x2, y2 in rules if y1 == y2}
    vertical = {(x1, y1, y2) for x1, y1, x2, y2 in rules if x1 == x2}
    # Under the first header row: only under the cells spanning columns (2–3, 4–5), not under TT,
    # the unit or "Ghi chú riêng", which span two rows.
    assert {(x1, x2) for y, x1, x2 in horizontal if y == edges[1]} == {(200.0, 400.0), (400.0, 600.0)}
    assert {(x1, x2) for y, x1, x2 in horizontal if y == edges[2]} == {
        (0.0, 100.0),
        (100.0, 200.0),
        (200.0, 300.0),
        (300.0, 400.0),
        (400.0, 500.0),
        (500.0, 600.0),
        (600.0, 700.0),
    }
    # In the first row, no line between the two columns a group spans; in the second row, one.
    assert not any(x == 300.0 and top == edges[0] for x, top, _ in vertical)
    assert (300.0, edges[1], edges[2]) in vertical
    assert (0.0, edges[0], edges[2]) in vertical and (700.0, edges[0], bottom) in vertical  # outer box
    assert (0.0, edges[0], 700.0) in {(x1, y, x2) for y, x1, x2 in horizontal}  # top rule


BODY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>QUYẾT ĐỊNH</title><style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; @top-center { content: counter(page); } }
@page :first { @top-center { content: none; } }</style></head>
<body><h1>QUYẾT ĐỊNH</h1><p>Trang một</p><p style="page-break-before: always">Trang hai</p></body></html>"""


def test_decision_is_one_pdf_portrait_body_then_landscape_tables_through_the_pool(tmp_path: Path) -> None:
    job = TableDocumentJob(BODY, _appendices())
    pdf = table_document_pdf(job)
    assert render_documents([[job], [job]], workers=2) == [pdf, pdf]  # the pool, same bytes
    pages = _text(pdf, tmp_path).split("\f")[:-1]
    assert "Trang một" in pages[0] and pages[1].split()[0] == "2"
    assert [p.split()[0] for p in pages[2:]] == [str(k) for k in range(3, len(pages) + 1)]
    reader = PdfReader(tmp_path / "tables.pdf")
    assert [p.mediabox.width < p.mediabox.height for p in reader.pages[:2]] == [True, True]
    assert all(p.mediabox.width > p.mediabox.height for p in reader.pages[2:])
    assert reader.metadata.title == "QUYẾT ĐỊNH"
    title, appendices = reader.outline
    assert title.title == "QUYẾT ĐỊNH"
    assert [o.title for o in appendices] == ["Phụ lục 01", _appendices()[0]["title"]]
    assert {reader.get_destination_page_number(o) for o in appendices} == {2}


def test_the_stage_draws_the_tables_of_the_district_report_and_the_province_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from rasoat.documents.list_pdf import ListDocumentJob
    from rasoat.pipeline import documents_stage

    monkeypatch.setattr(documents_stage, "render_html", lambda t, view: f"{t}:{len(view['appendices'])}")
    appendices = _appendices()
    for kind, expected in (
        ("district_report", TableDocumentJob),
        ("province_decision", TableDocumentJob),
        ("notice", ListDocumentJob),
    ):
        draft = SimpleNamespace(kind=kind, template="t")
        (job,) = documents_stage._document_jobs(draft, {"appendices": appendices})  # type: ignore[arg-type]
        assert type(job) is expected and job.body_html == "t:0" and job.appendices == appendices
    draft = SimpleNamespace(kind="commune_report", template="t")
    assert documents_stage._document_jobs(draft, {"appendices": appendices}) == "t:1"  # type: ignore[arg-type]
    assert TableDocumentJob.landscape and not ListDocumentJob.landscape
