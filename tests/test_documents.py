"""The documents of a round on real files and real databases: text of the PDFs (pdftotext), counts
equal to the consolidated tables, numbers from the register, regeneration, the province decision."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from stages import accept

from rasoat.db import init_db, session_scope
from rasoat.db.models import AuditEntry, Document
from rasoat.db.register import NumberTakenError, register_document
from rasoat.documents.numbers import DocumentNumber
from rasoat.generate import generate_district
from rasoat.pipeline.approval_stage import Decision, build_province_tables, record_decision
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.documents_stage import (
    district_documents,
    prepare_commune_documents,
    province_documents,
    record_commune_documents,
    render_commune_documents,
)

YEAR = 2024  # a district round (three-level map)
NOTICE_DATE = dt.date(2026, 11, 20)  # a Friday; 24/11 is a day off
COMMUNE = "19600"

# The documents' content does not depend on the database: these run on SQLite only. PostgreSQL's path
# through the same stage (numbers from the register included) is covered by the two-tier demo round
# and the register's own tests, which run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def camlo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("camlo-docs")
    generate_district("468", YEAR, out, seed=5, households=240)
    return out


def _consolidate(engine: Engine, camlo: Path) -> int:
    with session_scope(engine) as s:
        import_baseline(s, camlo / "history.csv", "468", "huyen")
    round_id = accept(engine, sorted(camlo.glob("*.xlsx")), YEAR)
    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "huyen")
    assert outcome.passed
    return outcome.consolidation_id


@pytest.fixture(scope="module")
def consolidated_sqlite(camlo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Cam Lộ taken in, validated and consolidated once for the module's SQLite tests (checking eight
    communes is most of such a test's time); each test works on its own copy of the file."""
    out = tmp_path_factory.mktemp("consolidated")
    database = out / "rasoat.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RASOAT_HOME", str(out / "home"))
        env.delenv("RASOAT_DATABASE_URL", raising=False)
        engine = init_db(f"sqlite:///{database}")
        try:
            consolidation_id = _consolidate(engine, camlo)
        finally:
            engine.dispose()  # the file is whole: no connection, nothing left in a journal
    return database, consolidation_id


@pytest.fixture
def consolidation_id(
    consolidated_sqlite: tuple[Path, int], database_url: str, request: pytest.FixtureRequest
) -> int:
    """The module's consolidated round in this test's SQLite database (copied before `engine` opens it)."""
    template, consolidation_id = consolidated_sqlite
    assert database_url.startswith("sqlite:///"), "the consolidated copy is for the SQLite-only tests"
    shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
    request.getfixturevalue("engine")
    return consolidation_id


def pdf_text(path: str | Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def fonts(path: str | Path) -> set[str]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return {line.split()[0].split("+")[-1] for line in out.splitlines()[2:]}


@pytest.mark.e2e
@SQLITE_ONLY
def test_district_documents_show_the_consolidated_counts_with_registered_numbers(
    consolidation_id: int, engine: Engine, rasoat_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasoat.documents import pool

    monkeypatch.setattr(pool, "POOL_MIN_SIZE", 0)  # a pool of two processes even for test-sized communes
    with session_scope(engine) as s:
        issued = district_documents(s, consolidation_id, issued_on=NOTICE_DATE, workers=2)
        from rasoat.consolidation.stored import tables_from_json
        from rasoat.db.models import Consolidation

        tables = tables_from_json(s.get(Consolidation, consolidation_id).tables)
    docs = {(d.kind, d.unit_code): d for d in issued}
    assert len([d for d in issued if d.kind == "certificates"]) == 8
    r1 = tables["r1"].set_index("code")
    r2 = tables["r2"].loc[tables["r2"]["unit"] == "households"].set_index("code")
    r3 = tables["r3"].loc[tables["r3"]["unit"] == "households"].set_index("code")
    r2p = tables["r2"].loc[tables["r2"]["unit"] == "persons"].set_index("code")

    # The commune's notice: motto, agency, number, italic place-and-date line, posting period, counts.
    notice = docs[("notice", COMMUNE)]
    text = flat(pdf_text(notice.path))
    assert notice.path == str(
        rasoat_home / "output" / "2024" / "45" / "468" / COMMUNE / f"thong-bao-niem-yet-{COMMUNE}-2024.pdf"
    )
    for heading in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN XÃ CAM TUYỀN",
        "Số: 01/TB-UBND",
        "Cam Tuyền, ngày 20 tháng 11 năm 2026",
        "THÔNG BÁO",
        "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021",
        "03 ngày làm việc, từ ngày 23/11/2026 đến hết ngày 26/11/2026",
        "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH",
        "Nơi nhận:",
        "DANH SÁCH HỘ NGHÈO NĂM 2024",
        "DANH SÁCH HỘ THOÁT CẬN NGHÈO NĂM 2024",
        "(Kèm theo Thông báo số 01/TB-UBND ngày 20/11/2026 của Ủy ban nhân dân xã Cam Tuyền)",
    ):
        assert heading in text, heading
    row = r1.loc[COMMUNE]
    assert f"- Hộ nghèo: {row['poor_households']} hộ, {row['poor_persons']} nhân khẩu" in text
    assert f"- Hộ cận nghèo: {row['near_poor_households']} hộ, {row['near_poor_persons']} nhân khẩu" in text
    escaped = r2.loc[COMMUNE, "c2"] + r2.loc[COMMUNE, "c3"]
    escaped_persons = r2p.loc[COMMUNE, "c2"] + r2p.loc[COMMUNE, "c3"]
    assert f"- Hộ thoát nghèo: {escaped} hộ, {escaped_persons} nhân khẩu" in text
    assert f"- Hộ thoát cận nghèo: {r3.loc[COMMUNE, 'c2']} hộ" in text

    # The decision: the chairman recognises the lists after the posting; numbers follow in the series.
    decision = docs[("decision", COMMUNE)]
    text = flat(pdf_text(decision.path))
    assert decision.symbol == "02/QĐ-UBND"
    for heading in (
        "Số: 02/QĐ-UBND",
        "Cam Tuyền, ngày 27 tháng 11 năm 2026",
        "QUYẾT ĐỊNH Về việc công nhận danh sách hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo "
        "năm 2024",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ CAM TUYỀN",
        "QUYẾT ĐỊNH:",
        f"Điều 1. Công nhận {row['poor_households']} hộ nghèo với {row['poor_persons']} nhân khẩu",
        "Điều 3.",
        "Phụ lục IV",
    ):
        assert heading in text, heading
    assert docs[("commune_report", COMMUNE)].symbol == "03/BC-UBND"

    # Certificates: one page per poor or near-poor household, each with its own number.
    for code in r1.index[r1["level"] == "commune"]:
        cert = docs[("certificates", code)]
        expected = int(r1.loc[code, "poor_households"] + r1.loc[code, "near_poor_households"])
        assert len(PdfReader(cert.path).pages) == expected
        assert cert.counts["certificates"] == expected
    cert_text = pdf_text(docs[("certificates", COMMUNE)].path)
    pages = cert_text.split("\f")[:-1]
    assert all("GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO" in p for p in pages)
    numbers = [re.search(r"Số: (\d+)/GCN-HN\.HCN", p).group(1) for p in pages]  # type: ignore[union-attr]
    assert numbers == [f"{i:02d}" for i in range(1, len(pages) + 1)]

    # District report: its summary equals R1's total; tables as appendices, landscape.
    report = docs[("district_report", "468")]
    text = flat(pdf_text(report.path))
    total = tables["r1"].iloc[0]
    assert report.symbol == "01/BC-UBND"
    assert f"Hộ nghèo: {total['poor_households']} hộ" in text
    assert "ỦY BAN NHÂN DÂN HUYỆN CAM LỘ" in text and "Phụ lục 07" in text and "Phụ lục 11" in text
    reader = PdfReader(report.path)
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # portrait body
    assert reader.pages[-1].mediabox.width > reader.pages[-1].mediabox.height  # landscape appendix

    # Files: the register holds each file's sha256; personal files are 0600; only Liberation Serif.
    with session_scope(engine) as s:
        for d in issued:
            if d.kind in ("notice", "decision", "commune_report", "district_report"):
                record = s.scalars(
                    select(Document).where(
                        Document.symbol == d.symbol, Document.issuing_agency == f"UBND-{d.unit_code}"
                    )
                ).one()
                assert record.sha256 == hashlib.sha256(Path(d.path).read_bytes()).hexdigest() == d.sha256
                assert record.data_sha256 == d.data_sha256 and record.path == d.path
        certificates = s.scalar(select(func.count()).select_from(Document).where(Document.doc_type == "GCN"))
        assert certificates == int(
            r1.loc[r1["level"] == "commune", ["poor_households", "near_poor_households"]].sum().sum()
        )
        registered = s.scalar(select(func.count()).select_from(Document))
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "document.issued")).all()
    # The audit log: each issued file once, by the stage, with its hashes; ids and counts only.
    assert len(logged) == sum(1 for d in issued if d.reused is False)
    assert {e.details["sha256"] for e in logged} <= {d.sha256 for d in issued}
    for kind in ("notice", "decision", "certificates"):
        assert Path(docs[(kind, COMMUNE)].path).stat().st_mode & 0o777 == 0o600
    assert Path(docs[("lists_xlsx", COMMUNE)].path).stat().st_mode & 0o777 == 0o600
    for path in (docs[("certificates", COMMUNE)].path, notice.path, report.path):  # no fallback font
        # WeasyPrint names it "Liberation-Serif…", reportlab by its PostScript name "LiberationSerif…".
        assert all(name.replace("-", "").startswith("LiberationSerif") for name in fonts(path)), fonts(path)
    sheet = openpyxl.load_workbook(docs[("lists_xlsx", COMMUNE)].path)["Ho ngheo"]
    assert sheet.max_row - 4 == row["poor_households"]

    # Regenerating unchanged data: the same numbers and dates, the same bytes, nothing new registered.
    with session_scope(engine) as s:
        again = district_documents(s, consolidation_id, issued_on=dt.date(2026, 12, 1), workers=1)
        assert s.scalar(select(func.count()).select_from(Document)) == registered
        again_logged = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "document.issued")
        )
        assert again_logged == len(logged)  # nothing new issued, nothing new logged
    again_docs = {(d.kind, d.unit_code): d for d in again}
    for key, d in docs.items():
        if d.symbol is not None:
            assert again_docs[key].symbol == d.symbol and again_docs[key].reused
        if key[0] in ("notice", "decision", "certificates", "district_report"):
            assert again_docs[key].sha256 == d.sha256, key
    assert "ngày 20 tháng 11 năm 2026" in pdf_text(again_docs[("notice", COMMUNE)].path)


def test_register_keeps_unchanged_numbers_and_never_reuses_one(engine: Engine) -> None:
    def reg(key: str, data: str, fixed: DocumentNumber | None = None):  # type: ignore[no-untyped-def]
        with session_scope(engine) as s:
            return register_document(
                s,
                agency="UBND-19597",
                year=YEAR,
                doc_type="QĐ",
                doc_key=key,
                data_sha256=data,
                title="t",
                issued_on=dt.date(2026, 11, 20),
                round_id=None,
                fixed=fixed,
            )

    first = reg("decision:19597:2026", "a" * 64)
    assert (first.symbol, first.reused) == ("01/QĐ-UBND", False)
    assert reg("decision:19597:2026", "a" * 64).symbol == "01/QĐ-UBND"
    changed = reg("decision:19597:2026", "b" * 64)
    assert (changed.symbol, changed.reused) == ("02/QĐ-UBND", False)
    other = reg("notice:19597:2026", "c" * 64)
    assert other.number == 3  # one series for the agency's documents
    back = reg("decision:19597:2026", "a" * 64)  # the first data again: a new number, 01 stays used
    assert back.symbol == "04/QĐ-UBND"
    with pytest.raises(NumberTakenError):
        reg("decision:19597:other", "d" * 64, DocumentNumber(3, "03/QĐ-UBND"))
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 4


@pytest.mark.e2e
@SQLITE_ONLY
def test_province_decision_is_signed_by_the_recorded_approver(consolidation_id: int, engine: Engine) -> None:
    assert consolidation_id
    with session_scope(engine) as s:
        prepared = build_province_tables(s, YEAR, "45", "tinh")
        approval = record_decision(
            s,
            prepared,
            Decision(True, "Hoàng Nam Phương", "Phó Chủ tịch UBND tỉnh", decision_number="14/QĐ-UBND"),
            "tinh",
        )
        s.flush()
        approval_id = approval.id
    with session_scope(engine) as s:
        issued = province_documents(s, YEAR, "45", approval_id, "tinh", issued_on=dt.date(2027, 1, 5))
    decision = next(d for d in issued if d.kind == "province_decision")
    text = flat(pdf_text(decision.path))
    total = prepared.tables["r1"].iloc[0]
    for heading in (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ",
        "Số: 14/QĐ-UBND",
        "Quảng Trị, ngày 05 tháng 01 năm 2027",
        "Về việc phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024 trên địa bàn tỉnh Quảng Trị",
        f"a) Tổng số hộ nghèo: {total['poor_households']} hộ",
        f"a) Tổng số hộ cận nghèo: {total['near_poor_households']} hộ",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
        "Hoàng Nam Phương",
        "(Kèm theo Quyết định số 14/QĐ-UBND ngày 05/01/2027 của Ủy ban nhân dân tỉnh Quảng Trị)",
    ):
        assert heading in text, heading
    assert decision.path.endswith("/output/2024/45/quyet-dinh-phe-duyet-45-2024.pdf")


@pytest.mark.e2e
@SQLITE_ONLY
def test_documents_without_certificates_then_with_them(
    consolidation_id: int, engine: Engine, rasoat_home: Path
) -> None:
    """A round may write its documents without the certificates (`certificates=False`, as the scale
    benchmark does); a later run issues them, and the other documents keep their numbers."""
    with session_scope(engine) as s:
        first = district_documents(s, consolidation_id, issued_on=NOTICE_DATE, workers=1, certificates=False)
    assert [d for d in first if d.kind == "certificates"] == []
    assert {d.kind for d in first} >= {
        "notice",
        "decision",
        "commune_report",
        "lists_xlsx",
        "district_report",
    }
    assert not list(rasoat_home.rglob("giay-chung-nhan-*.pdf"))
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == len(
            [d for d in first if d.symbol is not None]
        )
        later = district_documents(s, consolidation_id, issued_on=NOTICE_DATE, workers=1)
    assert len([d for d in later if d.kind == "certificates"]) == 8
    numbers = {(d.kind, d.unit_code): d.symbol for d in first if d.symbol}
    assert {
        (d.kind, d.unit_code): d.symbol for d in later if d.symbol and d.kind != "certificates"
    } == numbers


@pytest.mark.e2e
@SQLITE_ONLY
def test_a_commune_numbered_meanwhile_is_drawn_again_with_the_numbers_recorded(
    consolidation_id: int, engine: Engine
) -> None:
    """A task prepares a commune and numbers it on trial, renders outside any transaction, then takes
    the numbers for good. If another document of the commune took a number in between, the PDFs
    print the numbers the register gave at last, and the series stays without gaps."""
    with session_scope(engine) as s:
        commune = prepare_commune_documents(
            s, consolidation_id, COMMUNE, issued_on=NOTICE_DATE, certificates=False
        )
        assert s.scalar(select(func.count()).select_from(Document)) == 0  # the trial wrote nothing
    pdfs = render_commune_documents(commune, 1)
    with session_scope(engine) as s:
        other = register_document(
            s,
            agency=f"UBND-{COMMUNE}",
            year=YEAR,
            doc_type="TB",
            doc_key=f"other:{COMMUNE}",
            data_sha256="e" * 64,
            title="t",
            issued_on=NOTICE_DATE,
            round_id=None,
        )
        assert other.symbol == "01/TB-UBND"  # the number the trial had given the notice
    with session_scope(engine) as s:
        issued = record_commune_documents(s, commune, pdfs, workers=1)
        numbers = sorted(
            s.scalars(select(Document.number).where(Document.issuing_agency == f"UBND-{COMMUNE}"))
        )
    assert numbers == [1, 2, 3, 4]
    docs = {d.kind: d for d in issued}
    assert [docs[k].symbol for k in ("notice", "decision", "commune_report")] == [
        "02/TB-UBND",
        "03/QĐ-UBND",
        "04/BC-UBND",
    ]
    assert "Số: 02/TB-UBND" in pdf_text(docs["notice"].path)
    assert "(Kèm theo Quyết định số 03/QĐ-UBND" in flat(pdf_text(docs["decision"].path))
    with session_scope(engine) as s:
        for d in issued:
            if d.symbol:
                record = s.scalars(select(Document).where(Document.symbol == d.symbol)).one()
                assert record.sha256 == hashlib.sha256(Path(d.path).read_bytes()).hexdigest()


def test_a_commune_without_certificates_registers_none(engine: Engine) -> None:
    """No poor or near-poor household: no keys, no numbers, and no error on the empty column."""
    from rasoat.db.register import register_certificates

    empty = pd.DataFrame(
        {"doc_key": pd.Series([], dtype="float64"), "data_sha256": pd.Series([], dtype=object)}
    )
    for keys in (empty, pd.DataFrame(columns=["doc_key", "data_sha256"])):
        with session_scope(engine) as s:
            numbers = register_certificates(
                s,
                agency="UBND-19597",
                year=YEAR,
                keys=keys,
                title="GCN",
                issued_on=NOTICE_DATE,
                round_id=None,
            )
        assert numbers.empty


def test_documents_read_only_the_households_on_a_list(
    engine: Engine, camlo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents read a commune's listed households (poor or near-poor now, or last year and
    still in the roster), in file order, and the lists they make count what the tables count.
    Ids go to the database in chunks (last years' lists, the certificates' members): a chunk of two
    gives the same rows."""
    from rasoat.consolidation.stored import tables_from_json
    from rasoat.db import document_data
    from rasoat.db.models import Consolidation, Household, Member
    from rasoat.documents.lists import household_lists, list_counts

    consolidation_id = _consolidate(engine, camlo)
    with session_scope(engine) as s:
        consolidation = s.get(Consolidation, consolidation_id)
        assert consolidation is not None
        tables = tables_from_json(consolidation.tables)
        r2 = tables["r2"].set_index(["code", "unit"])
        r3 = tables["r3"].set_index(["code", "unit"])
        # The commune where most households left the lists: the escaped lists read them by id.
        left = r2.xs("households", level="unit")["c3"] + r3.xs("households", level="unit")["c2"]
        commune = str(left.drop(index=list(left.index.difference(list(consolidation.submissions)))).idxmax())
        households, _ = document_data.commune_households(s, consolidation, commune)
        submission_id = int(consolidation.submissions[commune])
        file_order = s.scalars(
            select(Household.household_id)
            .where(Household.submission_id == submission_id)
            .order_by(Household.id)
        ).all()
        recognised = households.loc[households["status"].isin(["poor", "near_poor"]), "household_id"]
        members = document_data.household_members(s, [submission_id], recognised)
        every_member = s.execute(
            select(Member.household_id, Member.full_name)
            .where(Member.submission_id == submission_id)
            .order_by(Member.id)
        ).all()
        monkeypatch.setattr(document_data, "ID_CHUNK", 2)
        chunked, _ = document_data.commune_households(s, consolidation, commune)
        chunked_members = document_data.household_members(s, [submission_id], recognised)
    pd.testing.assert_frame_equal(chunked, households)
    pd.testing.assert_frame_equal(chunked_members, members)
    wanted = set(recognised)
    assert list(zip(members["household_id"], members["full_name"], strict=True)) == [
        (h, n) for h, n in every_member if h in wanted
    ]
    assert members["birth_date"].dtype.kind == "M"

    lists = household_lists(households)
    counts = list_counts(lists)
    shown = set().union(*(set(frame["household_id"]) for frame in lists.values()))
    assert set(households["household_id"]) == shown
    assert len(households) < len(file_order)
    position = {h: i for i, h in enumerate(file_order)}
    assert list(households["household_id"]) == sorted(households["household_id"], key=position.__getitem__)
    escaped = pd.concat([lists["escaped_poor"], lists["escaped_near_poor"]])["household_id"]
    left_the_lists = households.loc[
        households["household_id"].isin(escaped) & (households["status"] == "non_poor")
    ]
    assert len(left_the_lists) > 0

    r1 = tables["r1"].set_index("code").loc[commune]
    assert (counts["poor"].households, counts["poor"].persons) == (r1["poor_households"], r1["poor_persons"])
    assert (counts["near_poor"].households, counts["near_poor"].persons) == (
        r1["near_poor_households"],
        r1["near_poor_persons"],
    )
    for unit, got in (
        ("households", counts["escaped_poor"].households),
        ("persons", counts["escaped_poor"].persons),
    ):
        assert got == r2.loc[(commune, unit), "c2"] + r2.loc[(commune, unit), "c3"]
    assert counts["escaped_near_poor"].households == r3.loc[(commune, "households"), "c2"]
    assert counts["escaped_near_poor"].persons == r3.loc[(commune, "persons"), "c2"]
