"""The documents' pure parts: dates, the posting calendar, numbers, signatures, templates, XLSX."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from rasoat.documents.agency import commune_agency, district_agency, province_agency, signature_for_position
from rasoat.documents.dates import day_month_year, place_and_date
from rasoat.documents.lists import household_lists
from rasoat.documents.numbers import CERTIFICATE, DECISION, NOTICE, parse_decision_number, symbol
from rasoat.documents.posting import posting_period
from rasoat.documents.render import TemplateRenderError, render_html, write_atomic
from rasoat.documents.xlsx import write_lists_xlsx


def test_dates_take_leading_zeros_for_days_and_january_february_only() -> None:
    assert place_and_date("Quảng Trị", dt.date(2025, 1, 5)) == "Quảng Trị, ngày 05 tháng 01 năm 2025"
    assert day_month_year(dt.date(2023, 8, 28)) == "ngày 28 tháng 8 năm 2023"
    assert day_month_year(dt.date(2024, 2, 9)) == "ngày 09 tháng 02 năm 2024"
    assert day_month_year(dt.date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


def test_posting_lasts_three_working_days_on_the_vietnamese_calendar() -> None:
    # Friday 20/11/2026: the weekend and Vietnam Cultural Day (24/11, a day off from 2026) are skipped.
    period = posting_period(dt.date(2026, 11, 20))
    assert (period.start, period.end) == (dt.date(2026, 11, 23), dt.date(2026, 11, 26))
    assert period.decision_date == dt.date(2026, 11, 27)
    # Across the lunar New Year 2026 (16–20/02): posting resumes on Monday 23/02.
    period = posting_period(dt.date(2026, 2, 12))
    assert (period.start, period.end) == (dt.date(2026, 2, 13), dt.date(2026, 2, 24))
    # Across 31/12 → 01/01.
    period = posting_period(dt.date(2026, 12, 30))
    assert (period.start, period.end) == (dt.date(2026, 12, 31), dt.date(2027, 1, 5))


def test_numbers_and_symbols() -> None:
    assert symbol(5, DECISION) == "05/QĐ-UBND"
    assert symbol(123, NOTICE) == "123/TB-UBND"
    assert symbol(7, CERTIFICATE) == "07/GCN-HN.HCN"
    parsed = parse_decision_number("01/QĐ-UBND (demo)")
    assert parsed is not None and (parsed.number, parsed.symbol) == (1, "01/QĐ-UBND")
    parsed = parse_decision_number(" 654 / QĐ-UBND")
    assert parsed is not None and parsed.symbol == "654/QĐ-UBND"
    assert parse_decision_number("QĐ phê duyệt") is None


def test_agencies_and_signatures() -> None:
    town = commune_agency("19597")
    assert town.block_lines == ("ỦY BAN NHÂN DÂN", "THỊ TRẤN CAM LỘ")
    assert (town.place, town.phrase) == ("Cam Lộ", "thị trấn Cam Lộ")
    assert district_agency("468").name_upper == "ỦY BAN NHÂN DÂN HUYỆN CAM LỘ"
    assert province_agency("45").place == "Quảng Trị"
    deputy = signature_for_position("Phó Chủ tịch UBND tỉnh", "Lê Văn A")
    assert (deputy.authority, deputy.position) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    chair = signature_for_position("Chủ tịch Ủy ban nhân dân tỉnh (demo)", "Lê Văn B")
    assert (chair.authority, chair.position) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")


def test_a_missing_value_fails_the_render_loudly() -> None:
    with pytest.raises(TemplateRenderError, match=r"thong_bao_niem_yet\.html\.j2: UndefinedError"):
        render_html("thong_bao_niem_yet.html.j2", {"title": "THÔNG BÁO"})


def _households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": ["X-1", "X-2", "X-3", "X-4", "X-5"],
            "head_name": ['=HYPERLINK("http://x")', "+84 Nguyễn Văn Ấn", "-Trần Thị Bé", "@Lê Ư", "Phạm Đức"],
            "village": ["Thôn 1", "Thôn 2", "Thôn 1", "Thôn 1", "Thôn 2"],
            "ethnicity": ["Kinh", "Vân Kiều", "Kinh", "Pa Kô", "Kinh"],
            "members": [3, 4, 2, 5, 1],
            "status": ["poor", "near_poor", "non_poor", "near_poor", "poor"],
            "poor_movement": ["stayed", "to_sibling", "escaped", "none", "new"],
            "near_poor_movement": ["none", "from_sibling", "none", "escaped", "none"],
        }
    )


def test_four_lists_follow_status_and_movements() -> None:
    lists = household_lists(_households())
    assert list(lists["poor"]["household_id"]) == ["X-1", "X-5"]
    assert list(lists["near_poor"]["household_id"]) == ["X-4", "X-2"]  # village, then id
    assert list(lists["escaped_poor"]["household_id"]) == ["X-3", "X-2"]
    assert list(lists["escaped_near_poor"]["household_id"]) == ["X-4"]
    assert list(lists["near_poor"]["stt"]) == [1, 2]


def test_list_cells_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "ds.xlsx"
    write_lists_xlsx(household_lists(_households()), path, "Xã Cam Thành", 2026)
    book = openpyxl.load_workbook(path)
    sheet = book["Ho ngheo"]
    assert sheet["A1"].value == "DANH SÁCH HỘ NGHÈO NĂM 2026"
    names = {sheet.cell(row=r, column=3).value: sheet.cell(row=r, column=3).data_type for r in (5, 6)}
    assert names == {'=HYPERLINK("http://x")': "s", "Phạm Đức": "s"}
    near = book["Ho can ngheo"]
    assert {near.cell(row=r, column=3).value for r in (5, 6)} == {"+84 Nguyễn Văn Ấn", "@Lê Ư"}
    assert all(near.cell(row=r, column=3).data_type == "s" for r in (5, 6))
    escaped = book["Thoat ngheo"]
    assert (
        escaped.cell(row=5, column=3).value == "-Trần Thị Bé"
        and escaped.cell(row=5, column=3).data_type == "s"
    )


def test_private_files_are_written_whole_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "a" / "gcn.pdf"
    sha = write_atomic(path, b"%PDF-1.7 test", private=True)
    assert path.read_bytes() == b"%PDF-1.7 test" and len(sha) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["gcn.pdf"]  # no temporary file left


def _certificate_page(household_id: str, members: int) -> dict[str, object]:
    return {
        "household_id": household_id,
        "head_name": "Nguyễn Thị Ưởng",
        "head_id_number": "045123456789",
        "ethnicity": "Kinh",
        "residence": "Thôn Tân Mỹ, xã Cam Thành, huyện Cam Lộ, tỉnh Quảng Trị",
        "status": "HỘ CẬN NGHÈO",
        "members": [[str(k), f"Trần Văn Đức {k}", "Kinh", "Con", "1990", ""] for k in range(1, members + 1)],
        "marks": ["N", "CN", "", "CN", "CN"],
        "deprived": "1, 4",
        "number": f"Số: {household_id[-2:]}/GCN-HN.HCN",
        "date_line": "Cam Thành, ngày 01 tháng 12 năm 2026",
    }


def test_certificates_drawn_with_reportlab_keep_the_form_and_vietnamese_text() -> None:
    from pypdf import PdfReader

    from rasoat.documents.certificate_pdf import CertificateJob, certificates_pdf
    from rasoat.documents.certificates import certificates_view
    from rasoat.standards import standard_for_year

    standard = standard_for_year(2026)
    # The third household is very large: its certificate still takes one page (squeezed, scaled).
    pages = [_certificate_page(f"19597-01-0{k}", n) for k, n in ((1, 4), (2, 2), (3, 20))]
    job = CertificateJob(
        certificates_view(commune_agency("19597"), 2026, standard, pages, [2022, 2023, 2024, 2025, 2026])
    )
    pdf = certificates_pdf(job)
    assert certificates_pdf(job) == pdf  # deterministic: unchanged data keeps its bytes
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO",
        "Số: 01/GCN-HN.HCN",
        "Nguyễn Thị Ưởng",
        "Trần Văn Đức 4",
        "HỘ CẬN NGHÈO",
        "TM. ỦY BAN NHÂN DÂN",
    ):
        assert text in first, text
    assert "Trần Văn Đức 4" not in reader.pages[1].extract_text()
    last = reader.pages[2].extract_text()
    assert "Số: 03/GCN-HN.HCN" in last and "Trần Văn Đức 20" in last and "CHỦ TỊCH" in last


def test_weasyprint_pdfs_keep_their_bytes_from_one_second_to_the_next() -> None:
    import os
    import time

    from rasoat.documents.render import html_to_pdf

    html = (
        "<html><body style=\"font-family: 'Liberation Serif'\"><b>Phụ lục</b> Nguyễn Thị Ưởng</body></html>"
    )
    before = os.environ.get("SOURCE_DATE_EPOCH")
    first = html_to_pdf(html)
    time.sleep(1.1)  # fontTools stamps font subsets with the current second unless SOURCE_DATE_EPOCH is set
    assert html_to_pdf(html) == first
    assert os.environ.get("SOURCE_DATE_EPOCH") == before  # set only while rendering


def test_weasyprint_renders_share_one_font_configuration_with_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process's shared font configuration gives the bytes a fresh one gives."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from rasoat.documents.render import FONT_EPOCH, TEMPLATE_DIR, _font_config, html_to_pdf

    html = "<html><body style=\"font-family: 'Liberation Serif'\"><p>Hộ cận nghèo: 12 hộ</p></body></html>"
    shared = html_to_pdf(html)
    assert _font_config() is _font_config()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FONT_EPOCH)
    fresh = weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR)).write_pdf(
        font_config=FontConfiguration()
    )
    assert shared == fresh


def test_a_small_batch_is_drawn_in_process_until_a_pool_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pool is started for a batch below POOL_MIN_SIZE (its start would cost more than it
    saves); a batch above it starts one, which then draws every batch, with the same bytes."""
    from rasoat.documents import pool

    html = "<html><body style=\"font-family: 'Liberation Serif'\"><p>Hộ nghèo: {} hộ</p></body></html>"
    jobs = [html.format(n) for n in range(3)]
    monkeypatch.setattr(pool, "_pools", {})  # this process's pools are not the test's to stop
    started: list[int] = []
    monkeypatch.setattr(pool, "_pool", lambda workers: started.append(workers) or _SerialPool())

    here = pool.render_pdfs(jobs, 2)
    assert started == []  # far below the threshold: drawn in this process
    monkeypatch.setattr(pool, "POOL_MIN_SIZE", 1)
    assert pool.render_pdfs(jobs, 2) == here and started == [2]
    pool._pools[2] = _SerialPool()  # a running pool draws a small batch too
    monkeypatch.setattr(pool, "POOL_MIN_SIZE", 10**9)
    assert pool.render_pdfs(jobs, 2) == here and started == [2, 2]


class _SerialPool:
    """A pool's `map` in this process: what the choice of pool is tested on, not the processes."""

    def map(self, fn, items):  # type: ignore[no-untyped-def]
        return [fn(item) for item in items]
