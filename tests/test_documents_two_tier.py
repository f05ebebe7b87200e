"""Documents of a two-tier round (from July 2025): a province round that consolidates its communes
directly. The communes name their unit as the two-tier map does ("Xã Cam Lộ"), report to the
province, cite the Law No. 72/2025/QH15, and never mention a district; the province decision takes
its tables from the province round's own consolidation.

The consolidation stage's province rounds are another branch's work: the province round's
consolidation is built here from accepted files, as that stage will store it (one row per commune
and the province total, the `ConsolidatedTables` of a district)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from stages import accept
from test_documents import flat, pdf_text

from rasoat.db import session_scope
from rasoat.documents.agency import commune_agency, province_agency, superior_agency
from rasoat.documents.bases import document_bases, legal_period, provisional_items, review_bases
from rasoat.documents.certificates import certificate_pages, certificates_view
from rasoat.generate import generate_communes
from rasoat.operations.approval_form import approval_request_markdown
from rasoat.pipeline.approval_stage import Decision, build_province_tables, record_decision
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.documents_stage import province_documents, round_documents
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.standards import standard_for_year

YEAR = 2026
NOTICE_DATE = dt.date(2026, 11, 20)
PROVINCE = "44"  # Quảng Trị since July 2025 (45 before)
COMMUNES = {"19597": "Xã Cam Lộ", "19603": "Xã Hiếu Giang"}  # their codes kept from TT Cam Lộ, Thanh An
LAW_2015 = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"
LAW_2025 = "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15 ngày 16 tháng 6 năm 2025"

# The documents' content does not depend on the database: these run on SQLite only. PostgreSQL's path
# through the same stage (numbers from the register included) is covered by the two-tier demo round
# and the register's own tests, which run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


# --- agencies and bases ---------------------------------------------------------------------------


def test_agencies_are_named_as_the_rounds_map_names_them() -> None:
    camlo = commune_agency("19597", YEAR)
    assert camlo.block_lines == ("ỦY BAN NHÂN DÂN", "XÃ CAM LỘ")
    assert (camlo.place, camlo.phrase, camlo.two_tier) == ("Cam Lộ", "xã Cam Lộ", True)
    assert commune_agency("18073", 2025).unit_name == "Phường Thành Sen"
    zone = commune_agency("06994", YEAR)
    assert (zone.unit_name, zone.phrase, zone.place) == ("Đặc khu Vân Đồn", "đặc khu Vân Đồn", "Vân Đồn")
    # The province's code changed with the reform; the superior of a two-tier commune is its province.
    assert province_agency(PROVINCE, YEAR).unit_name == "Tỉnh Quảng Trị"
    assert superior_agency(camlo, YEAR) == province_agency(PROVINCE, YEAR)
    # Without a year (and up to 2024): the three-level map, as the legacy callers had it.
    assert commune_agency("19597").unit_name == commune_agency("19597", 2024).unit_name == "Thị trấn Cam Lộ"
    assert superior_agency(commune_agency("19597"), 2024).unit_name == "Huyện Cam Lộ"
    assert province_agency("45").unit_name == "Tỉnh Quảng Trị" and not province_agency("45").two_tier


def test_legal_bases_follow_the_review_year() -> None:
    standard = standard_for_year(YEAR)
    assert review_bases(standard, 2024)[0].startswith(LAW_2015)
    assert review_bases(standard, 2025)[0] == review_bases(standard, 2026)[0] == LAW_2025
    assert review_bases(standard) == review_bases(standard, 2024)  # no year: the legacy period
    assert not any("2015" in b for b in document_bases("certificate", standard, 2026))
    # The standard's own basis stays the standard's (Nghị định 07/2021 for 2022–2026).
    assert any("07/2021/NĐ-CP" in b for b in document_bases("notice", standard, 2026))
    # Unconfirmed configuration is marked: the 2025 law's number and the provincial chairman's step.
    assert "luat_tccqdp_2025" in provisional_items(2026) and "reporting" in provisional_items(2026)
    assert provisional_items(2024) == []
    assert legal_period(2024).reporting.superior_level == "district"
    assert legal_period(2026).reporting.superior_level == "province"


def test_a_two_tier_certificate_names_no_district() -> None:
    standard = standard_for_year(YEAR)
    agency = commune_agency("19597", YEAR)
    province = province_agency(PROVINCE, YEAR)
    households = pd.DataFrame(
        {
            "household_id": ["19597-01-00001"],
            "head_name": ["Nguyễn Văn An"],
            "head_id_number": ["045123456789"],
            "ethnicity": ["Kinh"],
            "village": ["Thôn 1"],
            "status": ["poor"],
            "poor_movement": ["stayed"],
            "near_poor_movement": ["none"],
            "members": [1],
            **{c: [0] for c in INDICATOR_COLUMNS},
        }
    )
    members = pd.DataFrame(
        {
            "household_id": ["19597-01-00001"],
            "full_name": ["Nguyễn Văn An"],
            "relation": ["Chủ hộ"],
            "birth_year": [1980],
            "birth_date": [None],
            "sex": ["Nam"],
        }
    )
    history = pd.DataFrame(columns=["household_id", "year", "status"])
    pages, _ = certificate_pages(agency, None, province.phrase, YEAR, standard, households, members, history)
    assert pages[0]["residence"] == "Thôn 1, xã Cam Lộ, tỉnh Quảng Trị"
    view = certificates_view(agency, YEAR, standard, pages, [2022, 2023, 2024, 2025, 2026])
    assert view["bases"][0] == LAW_2025 and view["authority"] == "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ CAM LỘ"


# --- a province round's documents -----------------------------------------------------------------


@pytest.fixture(scope="module")
def camlo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("camlo-two-tier")
    generate_communes(PROVINCE, YEAR, list(COMMUNES), out, seed=11, households=160)
    return out


def _province_consolidation(engine: Engine, camlo: Path) -> int:
    """The province round of 2026 consolidated by the stage itself: Xã Cam Lộ and Xã Hiếu Giang took
    part, the province's other communes are left out by a recorded decision."""
    round_id = accept(engine, [camlo / f"{code}.xlsx" for code in COMMUNES], YEAR)
    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "tinh", without_missing=True, reason="kiểm thử: hai xã")
        assert outcome.passed and outcome.scope_code == PROVINCE
        return outcome.consolidation_id


def _no_district(text: str) -> None:
    lowered = text.lower()
    for word in ("huyện", "cấp huyện", "thị trấn"):
        assert word not in lowered, word


@pytest.mark.e2e
@SQLITE_ONLY
def test_a_province_rounds_commune_documents_report_to_the_province(
    engine: Engine, camlo: Path, rasoat_home: Path
) -> None:
    consolidation_id = _province_consolidation(engine, camlo)
    with session_scope(engine) as s:
        issued = round_documents(s, consolidation_id, issued_on=NOTICE_DATE, workers=2)
    docs = {(d.kind, d.unit_code): d for d in issued}
    kinds = ("notice", "decision", "commune_report", "certificates", "lists_xlsx")
    assert set(docs) == {(k, c) for k in kinds for c in COMMUNES} | {("tables_xlsx", PROVINCE)}
    out = rasoat_home / "output" / "2026" / PROVINCE
    assert docs[("notice", "19597")].path == str(out / "19597" / "thong-bao-niem-yet-19597-2026.pdf")
    assert docs[("tables_xlsx", PROVINCE)].path == str(out / "bang-tong-hop-tinh-44-2026.xlsx")

    notice = flat(pdf_text(docs[("notice", "19597")].path))
    for part in (
        "ỦY BAN NHÂN DÂN XÃ CAM LỘ",
        "Cam Lộ, ngày 20 tháng 11 năm 2026",
        "Ủy ban nhân dân tỉnh Quảng Trị (để báo cáo)",
    ):
        assert part in notice, part
    decision = flat(pdf_text(docs[("decision", "19597")].path))
    for part in ("CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ CAM LỘ", LAW_2025, "trên địa bàn xã Cam Lộ năm 2026"):
        assert part in decision, part
    assert "2015" not in decision
    report = flat(pdf_text(docs[("commune_report", "19603")].path))
    for part in (
        "ỦY BAN NHÂN DÂN XÃ HIẾU GIANG",
        "Kính gửi: Ủy ban nhân dân tỉnh Quảng Trị.",
        "kính báo cáo, xin ý kiến Chủ tịch Ủy ban nhân dân tỉnh Quảng Trị",
    ):
        assert part in report, part
    certificates = flat(pdf_text(docs[("certificates", "19597")].path))
    assert "ỦY BAN NHÂN DÂN XÃ CAM LỘ" in certificates and LAW_2025 in certificates
    assert "xã Cam Lộ, tỉnh Quảng Trị" in certificates
    for kind in ("notice", "decision", "commune_report", "certificates"):
        for code in COMMUNES:
            _no_district(flat(pdf_text(docs[(kind, code)].path)))

    # Approval: the province round's own tables, taken as they are; the decision of the two-tier map.
    with session_scope(engine) as s:
        prepared = build_province_tables(s, YEAR, PROVINCE, "tinh")
        assert prepared.direct and prepared.district_rounds == {}
        r1 = prepared.tables["r1"]
        assert list(r1.loc[~r1["no_data"].astype(bool), "code"]) == [PROVINCE, *COMMUNES]
        form = approval_request_markdown(prepared, [])
        assert "78 xã, phường, đặc khu (2 có dữ liệu" in form and "huyện" not in form
        approval = record_decision(
            s, prepared, Decision(True, "Lê Văn Bình", "Chủ tịch UBND tỉnh", "14/QĐ-UBND"), "tinh"
        )
        s.flush()
        approval_id = approval.id
    with session_scope(engine) as s:
        decided = province_documents(s, YEAR, PROVINCE, approval_id, "tinh", issued_on=dt.date(2027, 1, 5))
    province_decision = next(d for d in decided if d.kind == "province_decision")
    assert province_decision.path == str(out / "quyet-dinh-phe-duyet-44-2026.pdf")
    text = flat(pdf_text(province_decision.path))
    total = prepared.tables["r1"].iloc[0]
    for part in (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ",
        "Quảng Trị, ngày 05 tháng 01 năm 2027",
        LAW_2025,
        "Theo đề nghị của Giám đốc Sở Nông nghiệp và Môi trường",
        "Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu",
        f"a) Tổng số hộ nghèo: {total['poor_households']} hộ",
        "THEO XÃ, PHƯỜNG, ĐẶC KHU",
        "Xã Hiếu Giang",
    ):
        assert part in text, part
    _no_district(text)
