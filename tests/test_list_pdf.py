"""The household lists drawn with reportlab (`rasoat.documents.list_pdf`): every row once, the header
on every page, long names wrapped inside their cell, page numbers running on from the body, bytes
that do not change. Text is read with pdftotext, as a reader's tools would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from rasoat.documents.grid import list_grid
from rasoat.documents.list_pdf import ListDocumentJob, appendices_pdf, list_document_pdf
from rasoat.documents.lists import LIST_HEADERS_VI
from rasoat.documents.pool import render_documents

ROWS = 130
LONG_ROW = 57  # this household's head has a 30-word name
LONG_NAME = " ".join(f"Phương{k:02d}" for k in range(1, 31))
SUBTITLE = "(Kèm theo Thông báo số 01/TB-UBND ngày 20/11/2026 của Ủy ban nhân dân xã Cam Tuyền)"
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hồ Thị", "Đặng Văn")
GIVEN = ("Ưởng", "Đức", "Thảo", "Hiêng", "Ngọc Ánh", "Xuân Trường")


def _frame(rows: int) -> pd.DataFrame:
    names = [f"{FAMILY[i % 6]} {GIVEN[i % 5]}" for i in range(rows)]
    if rows > LONG_ROW:
        names[LONG_ROW - 1] = LONG_NAME
    return pd.DataFrame(
        {
            "stt": range(1, rows + 1),
            "household_id": [f"19600-{i // 40 + 1:02d}-{i:05d}" for i in range(rows)],
            "head_name": names,
            "village": [f"Thôn {i // 40 + 1}" for i in range(rows)],
            "ethnicity": ["Vân Kiều" if i % 7 == 0 else "Kinh" for i in range(rows)],
            "members": [1 + i % 6 for i in range(rows)],
        }
    )


def _appendices(*frames: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {
            "heading": f"Phụ lục {roman}",
            "title": f"DANH SÁCH {title} NĂM 2026",
            "subtitle": SUBTITLE,
            "unit": "xã Cam Tuyền",
            "table": list_grid(frame),
        }
        for roman, title, frame in zip(("I", "II"), ("HỘ NGHÈO", "HỘ CẬN NGHÈO"), frames, strict=False)
    ]


def _pages(pdf: bytes, tmp_path: Path, bbox: bool = False) -> list[str]:
    path = tmp_path / "lists.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-bbox"] if bbox else []), str(path), "-"]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return text.split("<page ")[1:] if bbox else text.split("\f")[:-1]


@pytest.fixture(scope="module")
def lists_pdf() -> bytes:
    return appendices_pdf(_appendices(_frame(ROWS), _frame(0)), first_page=3)


def test_every_row_once_under_a_header_on_every_page(lists_pdf: bytes, tmp_path: Path) -> None:
    assert appendices_pdf(_appendices(_frame(ROWS), _frame(0)), first_page=3) == lists_pdf  # same bytes
    pages = _pages(lists_pdf, tmp_path)
    assert len(pages) > 3  # the long list takes several pages; the empty one its own page
    ids = re.findall(r"19600-\d\d-\d{5}", "\n".join(pages))
    assert ids == list(_frame(ROWS)["household_id"])  # each row once, in order: none split or lost
    for page in pages:  # the header row on every page (the long name squeezes it onto several lines)
        words = page.split()
        assert all(w in words for header in LIST_HEADERS_VI.values() for w in header.split())
    first = re.sub(r"\s+", " ", pages[0])
    assert "Phụ lục I DANH SÁCH HỘ NGHÈO NĂM 2026 " + SUBTITLE in first
    assert "Tổng cộng: 130 hộ" in re.sub(r"\s+", " ", pages[-2])
    # The empty list still has its appendix: headings, header row and a zero total, as in HTML.
    empty = re.sub(r"\s+", " ", pages[-1])
    assert "Phụ lục II DANH SÁCH HỘ CẬN NGHÈO NĂM 2026" in empty
    assert "Tổng cộng: 0 hộ" in empty and empty.split()[-1] == "0"  # no rows, zero persons


def test_page_numbers_continue_the_document(lists_pdf: bytes, tmp_path: Path) -> None:
    pages = _pages(lists_pdf, tmp_path)
    assert [p.split()[0] for p in pages] == [str(3 + k) for k in range(len(pages))]


def _words(page: str) -> list[tuple[float, float, float, str]]:
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page)
    return [(float(a), float(b), float(c), w) for a, b, c, w in found]


def test_a_long_name_wraps_inside_its_cell(lists_pdf: bytes, tmp_path: Path) -> None:
    pages = _pages(lists_pdf, tmp_path, bbox=True)
    page = next(p for p in pages if "Phương01" in p)
    words = _words(page)
    name = [w for w in words if w[3].startswith("Phương")]
    assert len(name) == 30  # the whole name on one page: a row is never split
    lines = {round(y) for _, y, _, _ in name}
    assert len(lines) >= 3
    left = min(x for _, _, x, w in words if w == "Mã")  # the column before the name's
    village = min(x for x, y, _, w in words if w == "Thôn" and abs(y - name[0][1]) < 40)
    assert all(left < x0 and x1 < village - 3 for x0, _, x1, _ in name)  # within its borders


BODY = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>THÔNG BÁO</title><style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; @top-center { content: counter(page); } }
@page :first { @top-center { content: none; } }</style></head>
<body><h1>THÔNG BÁO</h1><p>Trang một</p><p style="page-break-before: always">Trang hai</p></body></html>"""


def test_notice_is_one_pdf_body_then_lists_through_the_pool(tmp_path: Path) -> None:
    job = ListDocumentJob(BODY, _appendices(_frame(60)))
    pdf = list_document_pdf(job)
    assert render_documents([[job], [job]], workers=2) == [pdf, pdf]  # the pool, same bytes
    pages = _pages(pdf, tmp_path)
    assert "Trang một" in pages[0] and pages[1].split()[0] == "2" and "Trang hai" in pages[1]
    assert [p.split()[0] for p in pages[2:]] == [str(k) for k in range(3, len(pages) + 1)]
    assert "Phụ lục I" in pages[2]
    reader = PdfReader(tmp_path / "lists.pdf")
    assert reader.metadata.title == "THÔNG BÁO"  # the body's metadata
    # The outline as WeasyPrint made it: the appendix headings under the document's title.
    title, appendices = reader.outline
    assert title.title == "THÔNG BÁO"
    assert [(o.title, reader.get_destination_page_number(o)) for o in appendices] == [
        ("Phụ lục I", 2),
        ("DANH SÁCH HỘ NGHÈO NĂM 2026", 2),
    ]


def test_reportlab_draws_with_its_c_accelerators() -> None:
    """The lists, tables and certificates are drawn with reportlab's accelerators (`rl_accel`, a
    dependency): same bytes as its pure-Python fallback, which it would take silently."""
    from reportlab.lib import rl_accel

    for name in ("fp_str", "asciiBase85Encode", "instanceStringWidthTTF", "unicode2T1"):
        assert type(getattr(rl_accel, name)).__name__ == "builtin_function_or_method", name
