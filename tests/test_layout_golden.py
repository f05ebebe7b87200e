"""Golden layout of the PDFs rasoat draws with reportlab: the certificate (Mẫu 03), the household
lists (Phụ lục I–IV of the notice and the decision), the consolidated tables R1–R11 and the
charts before them (the appendices of the district report and the province decision).

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

from rasoat.consolidation.chart_data import ChartData, UnitMovements, UnitRates
from rasoat.consolidation.inputs import Unit
from rasoat.consolidation.spec import TABLES
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.documents.agency import commune_agency
from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.certificate_pdf import CertificateJob, certificates_pdf
from rasoat.documents.certificates import certificates_view
from rasoat.documents.grid import list_grid
from rasoat.documents.higher import chart_pages, table_appendices
from rasoat.standards import standard_for_year

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RASOAT_UPDATE_GOLDEN") == "1"
PATH_OPERATORS = {"cm", "w", "m", "l", "c", "re", "h", "S", "s", "f", "f*", "B", "n"}
LIST_COLUMNS = ["stt", "household_id", "head_name", "village", "ethnicity", "members"]


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
    """`rows` households of thị trấn Cam Lộ, 20 to a village; the eighth head's name wraps."""
    family = ("Nguyễn", "Trần", "Lê", "Phạm", "Hồ Thị", "Đặng Văn")
    given = ("Ưởng", "Đức", "Thảo", "Hiêng", "Ngọc Ánh", "Xuân Trường")
    long_name = " ".join(f"Phương{k:02d}" for k in range(1, 16))
    records = [
        (
            i + 1,
            f"19597-{i // 20 + 1:02d}-{i:05d}",
            long_name if i == 7 else f"{family[i % 6]} {given[i % 5]}",
            f"Thôn {i // 20 + 1}",
            "Vân Kiều" if i % 7 == 0 else "Kinh",
            1 + i % 6,
        )
        for i in range(rows)
    ]
    return pd.DataFrame.from_records(records, columns=LIST_COLUMNS)


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


def _consolidated(communes: int) -> ConsolidatedTables:
    """R1 and R4 of a district, the total row first: made-up but fixed counts and rates; the third
    commune's name long enough to wrap."""
    frames = {}
    for key in ("r1", "r4"):
        rows = [("district", "", "Huyện Cam Lộ")] + [
            (
                "commune",
                str(i),
                "Xã " + " ".join(f"Vĩnh{k:02d}" for k in range(12)) if i == 3 else f"Xã Số {i:02d}",
            )
            for i in range(1, communes + 1)
        ]
        records = []
        for i, (level, tt, name) in enumerate(rows):
            record: dict[str, object] = {"level": level, "tt": tt, "name": name}
            for j, column in enumerate(TABLES[key].columns):
                record[column.key] = (
                    (i * 7 + j) % 100 + 0.25 if column.rate is not None else 1000 + i * 13 + j
                )
            records.append(record)
        frames[key] = pd.DataFrame.from_records(records)
    return ConsolidatedTables(Unit("468", "Huyện Cam Lộ"), 2026, 3, frames)


def table_appendix() -> bytes:
    """R1 on the normal grid over two landscape pages, R4 (12 indicator columns) on the compact grid,
    as `table_appendices` prepares them for the district report."""
    subtitle = "(Kèm theo Báo cáo số 05/BC-UBND ngày 10/12/2026 của Ủy ban nhân dân huyện Cam Lộ)"
    appendices = [{**a, "subtitle": subtitle} for a in table_appendices(_consolidated(20), ("r1", "r4"))]
    assert [a["compact"] for a in appendices] == [False, True]
    return draw_appendices(appendices, first_page=2, landscape=True)[0]


def _chart() -> ChartData:
    """16 communes of a province (two pages of each chart): made-up but fixed rates and movements,
    one commune without last year's rates, the longest name of the two-tier map's kind."""
    names = [f"Xã Số {i:02d}" for i in range(1, 17)]
    names[4] = "Phường Thủ Dầu Một"
    rates = [
        UnitRates(f"{i:05d}", name, 14.5 - i * 0.8, 3.0 + (i * 7) % 9 * 0.5, 15.0 - i * 0.7, 4.0 + i % 5)
        for i, name in enumerate(names)
    ]
    rates[7] = UnitRates(rates[7].code, rates[7].name, rates[7].poor, rates[7].near_poor, None, None)
    moves = [
        UnitMovements(f"{i:05d}", name, 160 - i * 9, (i * 5) % 13, (i * 11) % 40)
        for i, name in enumerate(names)
    ]
    return ChartData(
        unit_code="44",
        unit_name="Tỉnh Quảng Trị",
        unit_level="province",
        child_level="commune",
        year=2026,
        total=UnitRates("44", "Tỉnh Quảng Trị", 6.92, 4.87, 7.41, 5.02),
        rates=tuple(rates),
        movements=tuple(moves),
        total_movements=UnitMovements("44", "Tỉnh Quảng Trị", 1320, 94, 311),
        has_previous=True,
    )


def chart_annex() -> bytes:
    """The rates chart and the movements chart over two landscape pages each, as `chart_pages`
    prepares them for the province decision."""
    subtitle = "(Kèm theo Quyết định số 14/QĐ-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Quảng Trị)"
    appendices = [{**a, "subtitle": subtitle} for a in chart_pages(_chart(), two_tier=True)]
    assert len(appendices) == 4
    return draw_appendices(appendices, first_page=3, landscape=True)[0]


DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "certificate": certificate,
    "chart_annex": chart_annex,
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
