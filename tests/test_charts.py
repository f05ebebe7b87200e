"""The charts' figures against the consolidated tables, the overview page's SVG drawing (determinism,
words as text in letters Liberation Serif has, hatching, greys), the documents' chart pages drawn
with reportlab (a province's communes over pages, text as text in Liberation Serif, the same bytes
twice), the district report opening its annex with the charts, and the Prefect artifact's compact
table."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata
from dataclasses import replace
from xml.etree import ElementTree

import pandas as pd
import pytest
from fontTools.ttLib import TTFont as FontTables
from pypdf import PdfReader

from rasoat.consolidation import consolidate, consolidate_province, roster_poor_rates
from rasoat.consolidation.chart_data import (
    ChartData,
    UnitMovements,
    UnitRates,
    chart_data,
    previous_counts,
    previous_counts_by_status,
)
from rasoat.consolidation.inputs import Unit
from rasoat.consolidation.markdown import rates_markdown
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.documents.agency import district_agency, province_agency
from rasoat.documents.appendix_pdf import draw_appendices
from rasoat.documents.certificate_pdf import font_path
from rasoat.documents.chart_spec import MOVE_ROWS, MOVE_TITLE
from rasoat.documents.charts import RATE_ROWS, movements_chart_svgs, rates_chart_svgs
from rasoat.documents.higher import chart_pages as annex_charts
from rasoat.documents.higher import district_report_draft
from rasoat.documents.table_pdf import table_document_pdf
from rasoat.generate.review import generated_review
from rasoat.pipeline.documents_stage import _document_jobs, _full_view
from rasoat.standards import standard_for_year

YEAR = 2024  # a district round (three-level map)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def camlo() -> tuple[ConsolidatedTables, ChartData, object]:
    g = generated_review("468", YEAR, seed=3, households=1500)
    tables = consolidate(g.input)
    return tables, chart_data(tables, previous_counts(g.previous)), g.previous


def _row(tables: ConsolidatedTables, key: str, code: str, unit: str | None = None):
    frame = tables[key]
    if unit is not None:
        frame = frame.loc[frame["unit"] == unit]
    return frame.loc[frame["code"].astype(str) == code].iloc[0]


def test_chart_data_is_the_tables_cells(camlo) -> None:
    tables, chart, previous = camlo
    r1 = tables["r1"]
    communes = r1.loc[r1["level"] == "commune", "code"].astype(str)
    assert sorted(u.code for u in chart.rates) == sorted(communes)
    assert [u.poor for u in chart.rates] == sorted((u.poor for u in chart.rates), reverse=True)
    last_year = roster_poor_rates(previous, "468")
    for unit in (*chart.rates, chart.total):
        row = _row(tables, "r1", unit.code)
        assert unit.poor == row["poor_households_rate"]
        assert unit.near_poor == row["near_poor_households_rate"]
        assert unit.poor_before == pytest.approx(last_year[unit.code])
    for m in (*chart.movements, chart.total_movements):
        r2 = _row(tables, "r2", m.code, "households")
        assert (m.escaped, m.re_poor, m.newly_poor) == (r2["c2"] + r2["c3"], r2["c6"], r2["c7"])
    assert [m.escaped for m in chart.movements] == sorted((m.escaped for m in chart.movements), reverse=True)
    # last year's poor households of the roster are R2's opening column, commune by commune
    counts = previous_counts(previous)
    assert counts is not None
    # The same from the roster counted by commune and status, as the database counts it.
    by_status = previous.groupby(["commune_code", "status"]).size().rename("households").reset_index()
    pd.testing.assert_frame_equal(previous_counts_by_status(by_status), counts)
    for code in communes:
        assert counts.loc[code, "poor"] == _row(tables, "r2", code, "households")["c1"]
        assert counts.loc[code, "near_poor"] == _row(tables, "r3", code, "households")["c1"]


def test_without_a_whole_roster_there_is_no_last_year(camlo) -> None:
    tables, _, previous = camlo
    only_listed = previous.loc[previous["status"] != "non_poor"]
    chart = chart_data(tables, previous_counts(only_listed))
    assert not chart.has_previous
    assert all(u.poor_before is None and u.poor_change is None for u in chart.rates)
    assert "–" in rates_markdown(chart)


def test_a_province_charts_its_communes_over_pages(camlo) -> None:
    tables, _, previous = camlo
    province = consolidate_province([tables, tables], Unit("45", "Tỉnh Quảng Trị", "province"))
    chart = chart_data(province, previous_counts(previous))
    r1 = province["r1"]
    communes = r1.loc[r1["level"] == "commune"]
    assert chart.child_level == "commune" and len(chart.rates) == len(communes) == 16
    for unit in chart.rates:
        assert unit.poor in set(communes.loc[communes["code"] == unit.code, "poor_households_rate"])
    assert chart.total.poor == _row(province, "r1", "45")["poor_households_rate"]
    assert len(rates_chart_svgs(chart)) == -(-len(chart.rates) // RATE_ROWS) == 2


def _pdf_pages(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    return text.split("\f")[:-1]


def _fonts(pdf: bytes) -> set[str]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
    return {line.split()[0].split("+")[-1] for line in out.splitlines()[2:]}


def _province(chart: ChartData, units: int) -> ChartData:
    """`chart`'s communes repeated under new names up to `units` of them: a province's worth."""
    rates = [
        replace(chart.rates[i % len(chart.rates)], code=f"{i:05d}", name=f"Phường Thử Nghiệm {i:03d}")
        for i in range(units)
    ]
    rates.sort(key=lambda u: (-(u.poor or 0.0), u.code))
    moves = [
        replace(chart.movements[i % len(chart.movements)], code=f"{i:05d}", name=f"Phường Thử Nghiệm {i:03d}")
        for i in range(units)
    ]
    moves.sort(key=lambda m: (-m.escaped, m.code))
    return replace(
        chart, unit_level="province", unit_name="Tỉnh Hà Tĩnh", rates=tuple(rates), movements=tuple(moves)
    )


def test_a_provinces_chart_pages_split_its_communes_as_text_in_liberation_serif(camlo) -> None:
    _, district, _ = camlo
    chart = _province(district, 69)
    subtitle = "(Kèm theo Quyết định số 14/QĐ-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Hà Tĩnh)"
    pages = [{**p, "subtitle": subtitle} for p in annex_charts(chart, two_tier=True)]
    rate_pages, move_pages = -(-69 // RATE_ROWS), -(-69 // MOVE_ROWS)
    assert [p["heading"] for p in pages] == [
        *["Biểu đồ 1"] + ["Biểu đồ 1 (tiếp theo)"] * (rate_pages - 1),
        *["Biểu đồ 2"] + ["Biểu đồ 2 (tiếp theo)"] * (move_pages - 1),
    ]
    pdf, starts = draw_appendices(pages, first_page=3, landscape=True)
    assert draw_appendices(pages, first_page=3, landscape=True)[0] == pdf  # the same bytes
    assert starts == list(range(len(pages)))  # a page each
    reader = PdfReader(io.BytesIO(pdf))
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)  # landscape
    assert _fonts(pdf) == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}
    texts = _pdf_pages(pdf)
    assert len(texts) == len(pages) == rate_pages + move_pages
    chunks = [chart.rates[i : i + RATE_ROWS] for i in range(0, 69, RATE_ROWS)]
    chunks += [chart.movements[i : i + MOVE_ROWS] for i in range(0, 69, MOVE_ROWS)]
    unit = "toàn tỉnh"
    for number, (text, rows, page) in enumerate(zip(texts, chunks, pages, strict=True), start=3):
        flat = re.sub(r"\s+", " ", text)
        assert text.split()[0] == str(number)  # numbered on from the body
        for part in (page["heading"], page["title"], "Tỉnh Hà Tĩnh", subtitle):
            assert part in flat, part
        # exactly this page's communes, legible Vietnamese (text, not outlines)
        shown = set(re.findall(r"Phường Thử Nghiệm \d{3}", flat))
        assert shown == {r.name for r in rows}
        if page["chart"].kind == "rates":
            assert "Tỷ lệ hộ nghèo" in flat and "Tỷ lệ hộ cận nghèo" in flat
            assert "Năm 2024" in flat and "Năm 2023" in flat and "Toàn tỉnh năm 2024:" in flat
            for r in rows:
                assert f"{r.poor:.2f}".replace(".", ",") in flat
        else:
            assert f"Thoát nghèo ({unit}: {chart.total_movements.escaped} hộ)" in flat
            assert "Tái nghèo" in flat and "Phát sinh mới" in flat
    assert "THEO XÃ, PHƯỜNG, ĐẶC KHU" in pages[0]["title"]


def test_chart_pages_without_last_year_or_with_one_commune_draw(camlo) -> None:
    """No roster last year: this year's bars only, no dotted line; a commune alone on its page."""
    _, district, _ = camlo
    alone = UnitRates("19999", "Xã Đơn Lẻ", None, 2.5, None, None)
    chart = replace(
        district,
        has_previous=False,
        total=replace(district.total, poor_before=None, near_poor_before=None),
        rates=(*(replace(r, poor_before=None, near_poor_before=None) for r in district.rates), alone),
        movements=(UnitMovements("19999", "Xã Đơn Lẻ", 0, 0, 0),),
    )
    pages = [{**p, "subtitle": "(Kèm theo)"} for p in annex_charts(chart)]
    assert "SO VỚI" not in pages[0]["title"]
    pdf, _ = draw_appendices(pages, first_page=2, landscape=True)
    texts = [re.sub(r"\s+", " ", t) for t in _pdf_pages(pdf)]
    assert len(texts) == 2
    assert "Năm 2024" in texts[0] and "Năm 2023" not in texts[0] and "năm 2023" not in texts[0]
    assert "Xã Đơn Lẻ" in texts[0] and "–" in texts[0]  # a commune without a poor rate: a dash
    assert "Xã Đơn Lẻ" in texts[1]


def test_overview_charts_are_deterministic_svg_with_vietnamese_words_in_liberation_serif(camlo) -> None:
    _, chart, _ = camlo
    [rates], [moves] = rates_chart_svgs(chart), movements_chart_svgs(chart)
    assert [rates] == rates_chart_svgs(chart) and [moves] == movements_chart_svgs(chart)
    covered: dict[str, set[int]] = {}
    for style in ("R", "B"):
        with FontTables(font_path(style), lazy=True) as font:  # closed: an open one warns when collected
            covered[style] = set(font.getBestCmap())
    for svg, title in ((rates, "Tỷ lệ hộ nghèo"), (moves, MOVE_TITLE)):
        root = ElementTree.fromstring(svg)  # well-formed: names and labels escaped
        assert "Liberation Serif" in root.get("font-family", "") and "DejaVu" not in svg
        assert "<metadata" not in svg and "<image" not in svg
        assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"]  # its namespace only
        # the words are text, with their diacritics, in letters Liberation Serif has
        words = [(t.text or "", t.get("font-weight") == "bold") for t in root.iter(f"{SVG}text")]
        shown = {w for w, _ in words}
        assert title in shown and all(u.name in shown for u in chart.rates)
        for word, bold in words:
            assert word == unicodedata.normalize("NFC", word)
            assert not {ord(ch) for ch in word} - covered["B" if bold else "R"], word
        # readable in black and white: the hatched bars are hatched through their clipping path
        ids = [c.get("id") for c in root.iter(f"{SVG}clipPath")]
        assert ids and len(ids) == len(set(ids))
        assert set(re.findall(r'clip-path="url\(#([^)]+)\)"', svg)) == set(ids)
    colours = set(re.findall(r"#([0-9a-f]{6})\b", (rates + moves).lower()))
    assert colours and all(c[0:2] == c[2:4] == c[4:6] for c in colours)  # greys only


def test_rates_markdown_marks_each_change(camlo) -> None:
    _, chart, _ = camlo
    text = rates_markdown(chart)
    lines = text.splitlines()
    assert len(lines) == 2 + 1 + len(chart.rates)
    assert lines[2].startswith(f"| **{chart.total.name}**")
    for unit, line in zip(chart.rates, lines[3:], strict=True):
        assert line.startswith(f"| {unit.name} |")
        change = unit.poor_change
        assert change is not None
        assert ("▲" if change > 0 else "▼" if change < 0 else "=") in line.split("|")[4]


def test_district_report_opens_its_annex_with_the_charts_and_keeps_its_bytes(camlo) -> None:
    tables, chart, _ = camlo
    draft = district_report_draft(
        district_agency("468"), province_agency("45"), standard_for_year(YEAR), tables, chart
    )
    assert draft.data["chart"] == chart.to_json()  # what the charts show decides the document's number
    view = _full_view(draft, "12/BC-UBND", dt.date(2026, 12, 1), "Báo cáo")
    job = _document_jobs(draft, view)[0]
    pdf = table_document_pdf(job)
    assert pdf == table_document_pdf(job)
    reader = PdfReader(io.BytesIO(pdf))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    pages = text.split("\f")
    chart_pages = [i for i, p in enumerate(pages) if "Biểu đồ" in p]
    first_table = next(i for i, p in enumerate(pages) if "TỔNG HỢP KẾT QUẢ CHÍNH THỨC" in p)
    assert len(chart_pages) == 2 and chart_pages[-1] < first_table
    title = "TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024 SO VỚI NĂM 2023 THEO XÃ, PHƯỜNG, THỊ TRẤN"
    assert title in pages[chart_pages[0]]
    for i in chart_pages:
        box = reader.pages[i].mediabox
        assert box.width > box.height  # landscape, like the tables after them
    # the charts' words are text: every commune's name on both charts
    for unit in chart.rates:
        assert all(unit.name in pages[i] for i in chart_pages), unit.name
    outline = [o.title for o in reader.outline[1]]
    assert outline[:4] == [
        "Biểu đồ 1",
        title,
        "Biểu đồ 2",
        "DIỄN BIẾN HỘ NGHÈO NĂM 2024 THEO XÃ, PHƯỜNG, THỊ TRẤN",
    ]
