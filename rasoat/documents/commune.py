"""What a commune issues after the review (brief §7.6): the posting notice (TB), the recognition
decision (QĐ) with the four lists as appendices, and the report (BC) to the body it reports to. The
certificates (Mẫu 03) are in `certificates`.

The superior is an `Agency`: the district on the three-level map, the province on the two-tier map
(from the 2025 round); nothing here names a district itself, so a two-tier document never mentions
one. The bases follow the period of the agency's map (`bases.period_year`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rasoat.documents.agency import Agency, chairman_signature, collective_signature
from rasoat.documents.bases import document_bases, legal_period, period_year
from rasoat.documents.drafts import Draft
from rasoat.documents.grid import decimal2, list_grid, thousands
from rasoat.documents.lists import LIST_KEYS, LIST_LABELS_VI, LIST_TITLES_VI, ListCount, list_counts
from rasoat.documents.numbers import DECISION, NOTICE, REPORT
from rasoat.standards import Standard

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _count_line(count: ListCount) -> str:
    return f"{thousands(count.households)} hộ, {thousands(count.persons)} nhân khẩu"


def _list_data(lists: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return {k: lists[k].to_dict("split")["data"] for k in LIST_KEYS}


def list_appendices(lists: dict[str, pd.DataFrame], year: int, agency: Agency) -> list[dict[str, Any]]:
    """Phụ lục I–IV: the lists; the subtitle naming the document is filled in once it has a number."""
    return [
        {
            "heading": f"Phụ lục {ROMAN[i]}",
            "title": f"{LIST_TITLES_VI[key]} NĂM {year}",
            "unit": agency.phrase,
            "table": list_grid(lists[key]),
        }
        for i, key in enumerate(LIST_KEYS)
    ]


def counts_view(lists: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    counts = list_counts(lists)
    return [{"label": LIST_LABELS_VI[k], "text": _count_line(counts[k])} for k in LIST_KEYS]


def artifact_counts(lists: dict[str, pd.DataFrame]) -> dict[str, int]:
    counts = list_counts(lists)
    out: dict[str, int] = {}
    for key in LIST_KEYS:
        out[f"{key}_households"] = counts[key].households
        out[f"{key}_persons"] = counts[key].persons
    return out


def notice_draft(
    agency: Agency, superior: Agency, year: int, standard: Standard, lists: dict[str, pd.DataFrame]
) -> Draft:
    subject = (
        f"niêm yết công khai danh sách hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo năm {year}"
    )
    view = {
        "title": "THÔNG BÁO",
        "summary": f"Về việc {subject}",
        "bases": document_bases("notice", standard, period_year(agency, year)),
        "unit": agency.phrase,
        "counts": counts_view(lists),
        "recipients": [
            "Ban Chỉ đạo rà soát xã",
            "Các thôn, tổ dân phố (để niêm yết)",
            f"Ủy ban nhân dân {superior.phrase} (để báo cáo)",
            "Lưu: VT",
        ],
        "signature": collective_signature(),
        "appendices": list_appendices(lists, year, agency),
    }
    return Draft(
        kind="notice",
        template="thong_bao_niem_yet.html.j2",
        doc_type=NOTICE,
        doc_key=f"notice:{agency.code}:{year}",
        title=f"Thông báo về việc {subject}",
        agency=agency,
        year=year,
        file_stem=f"thong-bao-niem-yet-{agency.code}-{year}",
        data={"lists": _list_data(lists)},
        view=view,
        personal=True,
        counts=artifact_counts(lists),
    )


def decision_draft(
    agency: Agency, superior: Agency, year: int, standard: Standard, lists: dict[str, pd.DataFrame]
) -> Draft:
    counts = list_counts(lists)
    subject = f"công nhận danh sách hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo năm {year}"
    articles = [
        (
            "Điều 1.",
            f"Công nhận {thousands(counts['poor'].households)} hộ nghèo với {thousands(counts['poor'].persons)} "
            f"nhân khẩu và {thousands(counts['near_poor'].households)} hộ cận nghèo với "
            f"{thousands(counts['near_poor'].persons)} nhân khẩu trên địa bàn {agency.phrase} năm {year} "
            "(danh sách tại Phụ lục I và Phụ lục II kèm theo).",
        ),
        (
            "Điều 2.",
            f"Công nhận {thousands(counts['escaped_poor'].households)} hộ thoát nghèo với "
            f"{thousands(counts['escaped_poor'].persons)} nhân khẩu và "
            f"{thousands(counts['escaped_near_poor'].households)} hộ thoát cận nghèo với "
            f"{thousands(counts['escaped_near_poor'].persons)} nhân khẩu (danh sách tại Phụ lục III và Phụ lục IV "
            "kèm theo). Quyết định này có hiệu lực kể từ ngày ký.",
        ),
        (
            "Điều 3.",
            "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân, Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo, "
            "Trưởng các thôn, tổ dân phố và các hộ gia đình có tên tại Điều 1, Điều 2 chịu trách nhiệm thi "
            "hành Quyết định này./.",
        ),
    ]
    view = {
        "title": "QUYẾT ĐỊNH",
        "summary": f"Về việc {subject}",
        "authority": f"CHỦ TỊCH {agency.name_upper}",
        "bases": document_bases("decision", standard, period_year(agency, year)),
        "articles": articles,
        "recipients": ["Như Điều 3", f"Ủy ban nhân dân {superior.phrase} (để báo cáo)", "Lưu: VT"],
        "signature": chairman_signature(),
        "appendices": list_appendices(lists, year, agency),
    }
    return Draft(
        kind="decision",
        template="quyet_dinh_cong_nhan.html.j2",
        doc_type=DECISION,
        doc_key=f"decision:{agency.code}:{year}",
        title=f"Quyết định về việc {subject}",
        agency=agency,
        year=year,
        file_stem=f"quyet-dinh-cong-nhan-{agency.code}-{year}",
        data={"lists": _list_data(lists)},
        view=view,
        personal=True,
        counts=artifact_counts(lists),
    )


def _row(frame: pd.DataFrame, code: str) -> dict[str, Any]:
    return frame.loc[frame["code"] == code].iloc[0].to_dict()


def _movement_rows(frame: pd.DataFrame, code: str) -> list[dict[str, Any]]:
    rows = frame.loc[frame["code"] == code].sort_values("unit")
    return [
        {
            "unit": "Hộ" if r["unit"] == "households" else "Nhân khẩu",
            **{f"c{i}": thousands(r[f"c{i}"]) for i in range(1, 10)},
        }
        for r in rows.to_dict("records")
    ]


def commune_report_draft(
    agency: Agency,
    superior: Agency,
    year: int,
    tables: dict[str, pd.DataFrame],
    lists: dict[str, pd.DataFrame],
) -> Draft:
    """The commune's report to its superior (district, or province on the two-tier map): its row of
    R1 and its movements (R2, R3). Where the period configures it, the report asks the opinion of
    the superior's chairman (QĐ 24/2021 Điều 4 bước 5; the provincial chairman since July 2025 [R])."""
    r1 = _row(tables["r1"], agency.code)
    result = [
        ("Tổng số hộ dân cư", f"{thousands(r1['households'])} hộ, {thousands(r1['persons'])} nhân khẩu"),
        (
            "Hộ nghèo",
            f"{thousands(r1['poor_households'])} hộ (tỷ lệ {decimal2(r1['poor_households_rate'])}%), "
            f"{thousands(r1['poor_persons'])} nhân khẩu",
        ),
        (
            "Hộ cận nghèo",
            f"{thousands(r1['near_poor_households'])} hộ (tỷ lệ {decimal2(r1['near_poor_households_rate'])}%), "
            f"{thousands(r1['near_poor_persons'])} nhân khẩu",
        ),
        (
            "Hộ làm nông, lâm, ngư nghiệp có mức sống trung bình",
            f"{thousands(r1['mstb_households'])} hộ, {thousands(r1['mstb_persons'])} nhân khẩu",
        ),
    ]
    view = {
        "title": "BÁO CÁO",
        "summary": f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        "addressee": f"Ủy ban nhân dân {superior.phrase}",
        "unit": agency.phrase,
        "result": result,
        "counts": counts_view(lists),
        "r2": _movement_rows(tables["r2"], agency.code),
        "r3": _movement_rows(tables["r3"], agency.code),
        "recipients": [f"Ủy ban nhân dân {superior.phrase}", "Lưu: VT"],
        "signature": collective_signature(),
        "opinion_of": legal_period(period_year(agency, year)).reporting.opinion_phrase(superior),
    }
    data = {"result": result, "r2": view["r2"], "r3": view["r3"], "counts": view["counts"]}
    if view["opinion_of"] is not None:  # the legacy report's data (and so its number) stay as they were
        data["opinion_of"] = view["opinion_of"]
    return Draft(
        kind="commune_report",
        template="bao_cao_xa.html.j2",
        doc_type=REPORT,
        doc_key=f"report:{agency.code}:{year}",
        title=f"Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        agency=agency,
        year=year,
        file_stem=f"bao-cao-ket-qua-{agency.code}-{year}",
        data=data,
        view=view,
        counts={"households": int(r1["households"]), "poor_households": int(r1["poor_households"])},
    )
