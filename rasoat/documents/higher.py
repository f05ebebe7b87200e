"""What the district and the province issue (brief §7.6): the district's report to the province with
tables R1–R7 and the breakdowns R8–R11 as landscape appendices, and the province's decision
approving the results, signed by the approver recorded in the approval, with its tables annexed.

On the two-tier map (from the 2025 round) there is no district: the province's tables list its
communes directly, and its decision's bases, proposal and executors are those of the period
(`data/legal_bases.yaml`), with communes, wards and special zones in place of districts.
"""

from __future__ import annotations

from typing import Any

from rasoat.consolidation.chart_data import ChartData
from rasoat.consolidation.spec import TABLE_KEYS, TITLES_VI
from rasoat.consolidation.stored import tables_to_json
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.documents.agency import Agency, Signature, collective_signature
from rasoat.documents.bases import document_bases, legal_period, period_year
from rasoat.documents.chart_pdf import chart_appendices
from rasoat.documents.drafts import Draft
from rasoat.documents.grid import decimal2, table_grid, thousands
from rasoat.documents.numbers import DECISION, REPORT
from rasoat.standards import Standard

MAIN_TABLES = ("r1", "r2", "r3", "r4", "r5", "r6", "r7")
BREAKDOWNS = ("r8", "r9", "r10", "r11")
WIDE = {"r4", "r5", "r6", "r7", "r12"}  # 12 indicator columns: the smaller type


def _total(tables: ConsolidatedTables, key: str, unit: str | None = None) -> dict[str, Any]:
    frame = tables[key]
    rows = frame.loc[frame["tt"] == ""]
    if unit is not None:
        rows = rows.loc[rows["unit"] == unit]
    return rows.iloc[0].to_dict()


def summary_lines(tables: ConsolidatedTables) -> list[tuple[str, str]]:
    r1 = _total(tables, "r1")
    return [
        ("Tổng số hộ dân cư", f"{thousands(r1['households'])} hộ, {thousands(r1['persons'])} nhân khẩu"),
        (
            "Hộ nghèo",
            f"{thousands(r1['poor_households'])} hộ, tỷ lệ {decimal2(r1['poor_households_rate'])}%; "
            f"{thousands(r1['poor_persons'])} nhân khẩu",
        ),
        (
            "Hộ cận nghèo",
            f"{thousands(r1['near_poor_households'])} hộ, tỷ lệ {decimal2(r1['near_poor_households_rate'])}%; "
            f"{thousands(r1['near_poor_persons'])} nhân khẩu",
        ),
        (
            "Hộ làm nông, lâm, ngư nghiệp có mức sống trung bình",
            f"{thousands(r1['mstb_households'])} hộ, tỷ lệ {decimal2(r1['mstb_households_rate'])}%",
        ),
    ]


def movement_lines(tables: ConsolidatedTables) -> list[tuple[str, str]]:
    r2 = _total(tables, "r2", "households")
    r3 = _total(tables, "r3", "households")
    return [
        (
            "Hộ nghèo",
            f"đầu kỳ {thousands(r2['c1'])} hộ; thoát nghèo {thousands(r2['c2'] + r2['c3'])} hộ; "
            f"tái nghèo {thousands(r2['c6'])} hộ; phát sinh mới {thousands(r2['c7'])} hộ; cuối kỳ {thousands(r2['c9'])} hộ",
        ),
        (
            "Hộ cận nghèo",
            f"đầu kỳ {thousands(r3['c1'])} hộ; thoát cận nghèo {thousands(r3['c2'])} hộ; "
            f"tái cận nghèo {thousands(r3['c6'])} hộ; phát sinh mới {thousands(r3['c7'])} hộ; cuối kỳ {thousands(r3['c9'])} hộ",
        ),
    ]


def table_appendices(
    tables: ConsolidatedTables, keys: tuple[str, ...], first: int = 1
) -> list[dict[str, Any]]:
    return [
        {
            "heading": f"Phụ lục {first + i:02d}",
            "title": f"{TITLES_VI[key]} NĂM {tables.year}".upper(),
            "unit": tables.unit.name,
            "table": table_grid(tables, key),
            "compact": key in WIDE or len(table_grid(tables, key).header_rows[-1]) > 16,
        }
        for i, key in enumerate(keys)
    ]


# The commune-level unit types of each map, as a heading lists them: no thị trấn after 07/2025,
# the special zones (đặc khu) instead.
COMMUNE_KINDS_VI = {False: "xã, phường, thị trấn", True: "xã, phường, đặc khu"}


def chart_pages(chart: ChartData | None, two_tier: bool = False) -> list[dict[str, Any]]:
    """The pages that open the annex, before the tables: the rates chart and the movements chart
    of the unit's communes (drawn with reportlab on landscape pages like the tables, `chart_pdf`;
    a province's communes continue over several pages)."""
    if chart is None:
        return []
    compared = f" SO VỚI NĂM {chart.year - 1}" if chart.has_previous else ""
    kinds = COMMUNE_KINDS_VI[two_tier].upper()
    return chart_appendices(
        chart,
        (
            f"TỶ LỆ HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {chart.year}{compared} THEO {kinds}",
            f"DIỄN BIẾN HỘ NGHÈO NĂM {chart.year} THEO {kinds}",
        ),
    )


def _with_chart(data: dict[str, Any], chart: ChartData | None) -> dict[str, Any]:
    """A document's data with what its charts show (last year's rates are not in the tables)."""
    return data if chart is None else {**data, "chart": chart.to_json()}


def district_report_draft(
    agency: Agency,
    province: Agency,
    standard: Standard,
    tables: ConsolidatedTables,
    chart: ChartData | None = None,
) -> Draft:
    year = tables.year
    view = {
        "title": "BÁO CÁO",
        "summary": f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} trên địa bàn {agency.phrase}",
        "addressee": f"Ủy ban nhân dân {province.phrase}",
        "unit": agency.phrase,
        "result": summary_lines(tables),
        "movements": movement_lines(tables),
        "communes": int((tables["r1"]["level"] == "commune").sum()),
        "recipients": [f"Ủy ban nhân dân {province.phrase}", "Lưu: VT"],
        "signature": collective_signature(),
        "appendices": [
            *chart_pages(chart, agency.two_tier),
            *table_appendices(tables, MAIN_TABLES + BREAKDOWNS),
        ],
        "appendix_count": len(MAIN_TABLES + BREAKDOWNS),  # the body names them; they are drawn apart
    }
    r1 = _total(tables, "r1")
    return Draft(
        kind="district_report",
        template="bao_cao_huyen.html.j2",
        doc_type=REPORT,
        doc_key=f"report:{agency.code}:{year}",
        title=f"Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        agency=agency,
        year=year,
        file_stem=f"bao-cao-ket-qua-huyen-{agency.code}-{year}",
        data=_with_chart(tables_to_json(tables), chart),
        view=view,
        counts={
            "households": int(r1["households"]),
            "poor_households": int(r1["poor_households"]),
            "near_poor_households": int(r1["near_poor_households"]),
        },
    )


def province_decision_draft(
    agency: Agency,
    standard: Standard,
    tables: ConsolidatedTables,
    signature: Signature,
    chart: ChartData | None = None,
) -> Draft:
    year = tables.year
    legal_year = period_year(agency, year)
    reporting = legal_period(legal_year).reporting
    r1 = _total(tables, "r1")
    subject = f"phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} trên địa bàn {agency.phrase}"
    articles = [
        (
            "Điều 1.",
            f"Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} trên địa bàn {agency.phrase} như sau:",
        ),
    ]
    points = [
        f"1. Hộ nghèo: a) Tổng số hộ nghèo: {thousands(r1['poor_households'])} hộ, "
        f"{thousands(r1['poor_persons'])} nhân khẩu; b) Tỷ lệ hộ nghèo: {decimal2(r1['poor_households_rate'])}%.",
        f"2. Hộ cận nghèo: a) Tổng số hộ cận nghèo: {thousands(r1['near_poor_households'])} hộ, "
        f"{thousands(r1['near_poor_persons'])} nhân khẩu; b) Tỷ lệ hộ cận nghèo: "
        f"{decimal2(r1['near_poor_households_rate'])}%.",
        f"3. Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình: "
        f"{thousands(r1['mstb_households'])} hộ.",
        "(Chi tiết tại các Phụ lục kèm theo.)",
    ]
    view = {
        "title": "QUYẾT ĐỊNH",
        "summary": f"Về việc {subject}",
        "authority": agency.name_upper,
        "bases": [*document_bases("province_decision", standard, legal_year), reporting.province_proposal],
        "articles": articles,
        "points": points,
        "after": [
            (
                "Điều 2.",
                f"Kết quả rà soát tại Điều 1 là cơ sở để thực hiện các chính sách giảm nghèo, an sinh xã hội năm "
                f"{year + 1}. Quyết định này có hiệu lực kể từ ngày ký.",
            ),
            (
                "Điều 3.",
                "Chánh Văn phòng Ủy ban nhân dân tỉnh, Thủ trưởng các sở, ngành liên quan, "
                f"{reporting.province_executors} và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi "
                "hành Quyết định này./.",
            ),
        ],
        "recipients": ["Như Điều 3", "Bộ Nông nghiệp và Môi trường (để báo cáo)", "Lưu: VT"],
        "signature": signature,
        "appendices": [*chart_pages(chart, agency.two_tier), *table_appendices(tables, TABLE_KEYS[:11])],
    }
    return Draft(
        kind="province_decision",
        template="quyet_dinh_tinh.html.j2",
        doc_type=DECISION,
        doc_key=f"decision:{agency.code}:{year}",
        title=f"Quyết định về việc {subject}",
        agency=agency,
        year=year,
        file_stem=f"quyet-dinh-phe-duyet-{agency.code}-{year}",
        data=_with_chart(
            {
                "tables": tables_to_json(tables),
                "signer": [signature.authority, signature.position, signature.name],
            },
            chart,
        ),
        view=view,
        counts={
            "poor_households": int(r1["poor_households"]),
            "near_poor_households": int(r1["near_poor_households"]),
        },
    )
