"""Golden layout of the PDFs rasoat draws with reportlab: the certificate (Mẫu 03), the household
lists (Phụ lục I–IV of the notice and the decision) and the consolidated tables (the appendices of
the district report and the province decision).

reportlab's drawing code is the only source of these layouts (there is no HTML template of them),
so this test pins what it draws: for a small fixed input, each PDF's page count and page sizes, the
text and box of every word (pdftotext -bbox, rounded to 0.1 pt) and every rule and rectangle the
content streams paint (path operators, rounded to 0.01), against `tests/golden/*.txt`.

A layout change fails here with a diff. When the change is deliberate, regenerate the files, read
the diff and commit them with the change:

    RASOAT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -p no:cacheprovider tests/test_layout_golden.py

(the test then rewrites the files and reports itself as skipped).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from rasoat.documents.agency import commune_agency
from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.certificate_pdf import CertificateJob, certificates_pdf
from rasoat.documents.certificates import certificates_view
from rasoat.documents.grid import Cell, Grid, Row, list_grid
from rasoat.standards import standard_for_year

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RASOAT_UPDATE_GOLDEN") == "1"
PATH_OPERATORS = {"cm", "w", "m", "l", "c", "re", "h", "S", "s", "f", "f*", "B", "n"}


# --- the fixed inputs ------------------------------------------------------------------------------


def _certificate_page(number: int, members: int) -> dict[str, object]:
    return {
        "household_id": f"19597-01-{number:05d}",
        "head_name": "Nguyễn Thị Ưởng",
        "head_id_number": "045123456789",
        "ethnicity": "Vân Kiều",
        "residence": "Khu phố 1, thị trấn Cam Lộ, huyện Cam Lộ, tỉnh Quảng Trị",
        "status": "HỘ NGHÈO" if number % 2 else "HỘ CẬN NGHÈO",
        "members": [
            [
                str(k),
                f"Trần Văn Đức {k}",
                "Kinh",
                "Chủ hộ" if k == 1 else "Con",
                "1990" if k % 2 else "",  # year of birth: men's column, women's column
                "" if k % 2 else "1992",
            ]
            for k in range(1, members + 1)
        ],
        "marks": ["N", "CN", "", "CN", "N"],
        "deprived": "1, 4, 7",
        "number": f"Số: {number:02d}/GCN-HN.HCN",
        "date_line": "Cam Lộ, ngày 01 tháng 12 năm 2026",
    }


def certificate() -> bytes:
    """Two certificates: an ordinary household, and one of 20 members (its page squeezed, scaled)."""
    pages = [_certificate_page(1, 4), _certificate_page(2, 20)]
    view = certificates_view(
        commune_agency("19597"), 2026, standard_for_year(2026), pages, [2022, 2023, 2024, 2025, 2026]
    )
    return certificates_pdf(CertificateJob(view))


def _household_frame(rows: int) -> pd.DataFrame:
    family = ("Nguyễn", "Trần", "Lê", "Phạm", "Hồ Thị", "Đặng Văn")
    given = ("Ưởng", "Đức", "Thảo", "Hiêng", "Ngọc Ánh", "Xuân Trường")
    names = [f"{family[i % 6]} {given[i % 5]}" for i in range(rows)]
    if rows > 7:
        names[7] = " ".join(f"Phương{k:02d}" for k in range(1, 16))  # wraps inside its cell
    return pd.DataFrame(
        {
            "stt": range(1, rows + 1),
            "household_id": [f"19597-{i // 20 + 1:02d}-{i:05d}" for i in range(rows)],
            "head_name": names,
            "village": [f"Thôn {i // 20 + 1}" for i in range(rows)],
            "ethnicity": ["Vân Kiều" if i % 7 == 0 else "Kinh" for i in range(rows)],
            "members": [1 + i % 6 for i in range(rows)],
        }
    )


def household_list() -> bytes:
    """Phụ lục I over two pages (header repeated, a wrapped name), then an empty Phụ lục II."""
    subtitle = "(Kèm theo Thông báo số 01/TB-UBND ngày 20/11/2026 của Ủy ban nhân dân thị trấn Cam Lộ)"
    appendices = [
        {
            "heading": f"Phụ lục {roman}",
            "title": f"DANH SÁCH {title} NĂM 2026",
            "subtitle": subtitle,
            "unit": "thị trấn Cam Lộ",
            "table": list_grid(frame),
        }
        for roman, title, frame in (
            ("I", "HỘ NGHÈO", _household_frame(40)),
            ("II", "HỘ CẬN NGHÈO", _household_frame(0)),
        )
    ]
    return draw_appendices(appendices, first_page=3)[0]


def _table(rows: int) -> Grid:
    """R1's shape: cells spanning two header rows and two columns, the column-number row, the total
    row first; one commune's name long enough to wrap."""
    header = [
        [
            Cell("TT", rowspan=2),
            Cell("Phường/Xã", rowspan=2),
            Cell("Tổng số hộ dân cư (tại thời điểm rà soát)", colspan=2),
            Cell("Hộ nghèo", colspan=2),
            Cell("Ghi chú", rowspan=2),
        ],
        [Cell("Số hộ"), Cell("Nhân khẩu"), Cell("Số hộ"), Cell("Tỷ lệ (%)")],
        [Cell(t) for t in ("A", "B", "1", "2", "3", "4=3/1*100", "5")],
    ]

    def cells(tt: str, name: str, i: int) -> list[Cell]:
        return [
            Cell(tt, cls="c"),
            Cell(name),
            Cell(f"{1000 + i:,}".replace(",", "."), cls="n"),
            Cell(str(3000 + i), cls="n"),
            Cell(str(50 + i), cls="n"),
            Cell(f"{i % 100},{i % 7:02d}", cls="n"),
            Cell(""),
        ]

    body = [Row(cells("", "Huyện Cam Lộ", 0), total=True)]
    for i in range(1, rows + 1):
        name = "Xã " + " ".join(f"Vĩnh{k:02d}" for k in range(12)) if i == 3 else f"Xã Số {i:02d}"
        body.append(Row(cells(str(i), name, i)))
    return Grid(header, body)


def table_appendix() -> bytes:
    """Phụ lục 01 on the normal grid over two landscape pages, Phụ lục 02 on the compact grid."""
    subtitle = "(Kèm theo Báo cáo số 05/BC-UBND ngày 10/12/2026 của Ủy ban nhân dân huyện Cam Lộ)"
    appendices = [
        {
            "heading": f"Phụ lục {k:02d}",
            "title": "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026",
            "subtitle": subtitle,
            "unit": "huyện Cam Lộ",
            "table": _table(rows),
            "compact": compact,
        }
        for k, rows, compact in ((1, 30, False), (2, 8, True))
    ]
    return draw_appendices(appendices, first_page=2, landscape=True)[0]


DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "certificate": certificate,
    "household_list": household_list,
    "table_appendix": table_appendix,
}


# --- what is compared ------------------------------------------------------------------------------


def _number(value: Any, digits: int) -> str:
    return f"{float(value):.{digits}f}"


def _words(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "drawn.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        [" ".join(_number(v, 1) for v in box[:4]) + " " + box[4] for box in re.findall(pattern, page)]
        for page in out.split("<page ")[1:]
    ]


def layout(pdf: bytes, tmp_path: Path) -> list[str]:
    """One line per page, word and painted path operator, in drawing order."""
    reader = PdfReader(io.BytesIO(pdf))
    words = _words(pdf, tmp_path)
    assert len(words) == len(reader.pages)
    lines: list[str] = []
    for number, (page, page_words) in enumerate(zip(reader.pages, words, strict=True), start=1):
        box = page.mediabox
        lines.append(f"page {number} {_number(box.width, 2)} x {_number(box.height, 2)}")
        lines += [f"word {w}" for w in page_words]
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            op = operator.decode()
            if op in PATH_OPERATORS:
                lines.append(" ".join(["path", op, *(_number(v, 2) for v in operands)]))
    return lines


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_drawn_layout_matches_the_golden_file(name: str, tmp_path: Path) -> None:
    pdf = DOCUMENTS[name]()
    assert DOCUMENTS[name]() == pdf  # deterministic: the same input gives the same bytes
    found = layout(pdf, tmp_path)
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text("\n".join(found) + "\n", encoding="utf-8")
        pytest.skip(f"RASOAT_UPDATE_GOLDEN=1: rewrote tests/golden/{golden.name}; review its diff")
    assert golden.exists(), f"{golden} is missing: run with RASOAT_UPDATE_GOLDEN=1 to create it"
    expected = golden.read_text(encoding="utf-8").splitlines()
    assert found == expected, f"{name}: the drawn layout differs from {golden.name} (see the docstring)"
