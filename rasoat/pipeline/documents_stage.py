"""The documents of a round: each district's communes and the district after consolidation, the
province after its approval. On the two-tier map (from the 2025 round) the province round
consolidates its communes directly: their documents name the province as the body they report to
(`round_documents` dispatches by the round's scope).

Numbers come from the register in the same transaction as the files' hashes; PDFs are rendered in
parallel processes, then every file is renamed into place.

Rendering: the commune's report is HTML → PDF (WeasyPrint); certificates are drawn with reportlab;
the notice and the decision have their body rendered by WeasyPrint and their four household lists
(Phụ lục I–IV) drawn with reportlab after it (`ListDocumentJob`), the district report and the
province decision likewise with their tables R1–R11 on landscape pages (`TableDocumentJob`), still
one PDF each.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from rasoat.admin.maps import admin_map
from rasoat.admin_units import province_of_district
from rasoat.applied_standard import round_standard
from rasoat.consolidation.export import write_tables_xlsx
from rasoat.consolidation.stored import tables_from_json
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.db.audit import audit
from rasoat.db.document_data import consolidation_households, household_members
from rasoat.db.models import Approval, Consolidation, ReviewRound
from rasoat.db.register import (
    record_certificates_file,
    record_file,
    register_certificates,
    register_document,
)
from rasoat.documents.agency import (
    Agency,
    commune_agency,
    district_agency,
    province_agency,
    signature_for_position,
)
from rasoat.documents.bases import legal_period
from rasoat.documents.certificate_pdf import CertificateJob
from rasoat.documents.certificates import certificate_pages, certificates_view
from rasoat.documents.commune import commune_report_draft, decision_draft, notice_draft
from rasoat.documents.dates import place_and_date, short_date
from rasoat.documents.drafts import Draft, data_fingerprint
from rasoat.documents.higher import district_report_draft, province_decision_draft
from rasoat.documents.list_pdf import ListDocumentJob
from rasoat.documents.lists import household_lists
from rasoat.documents.numbers import DECISION, DocumentNumber, parse_decision_number
from rasoat.documents.pool import Job, render_documents
from rasoat.documents.posting import posting_period
from rasoat.documents.render import render_html, write_temp
from rasoat.documents.table_pdf import TABLE_DOCUMENTS, TableDocumentJob
from rasoat.documents.xlsx import write_lists_xlsx
from rasoat.pipeline.approval_stage import build_province_tables
from rasoat.pipeline.chart_inputs import unit_chart
from rasoat.pipeline.outputs import (
    commune_output_dir,
    district_output_dir,
    province_output_dir,
)
from rasoat.standards import standard_for

CHUNK = 500  # certificate pages per job: a commune is mostly one job, no pypdf join (≈ 3 ms a page, serial)
DOC_LABELS_VI = {
    "notice": "Thông báo niêm yết",
    "decision": "Quyết định công nhận",
    "commune_report": "Báo cáo của xã",
    "certificates": "Giấy chứng nhận (Mẫu 03)",
    "district_report": "Báo cáo của huyện",
    "province_decision": "Quyết định phê duyệt của tỉnh",
    "lists_xlsx": "Danh sách (XLSX)",
    "tables_xlsx": "Bảng tổng hợp (XLSX)",
}


@dataclass(frozen=True)
class IssuedDocument:
    """One written file. Paths, numbers and counts only: this goes to logs and artifacts."""

    kind: str
    unit_code: str
    path: str
    sha256: str
    symbol: str | None = None
    data_sha256: str | None = None
    reused: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Job:
    draft: Draft | None
    html: str | list[Job]  # one document's HTML, or its jobs (certificates; body + appendices drawn)
    path: Path
    private: bool
    record_id: int | None
    symbol: str | None
    reused: bool
    kind: str
    unit_code: str
    counts: dict[str, int]
    cert_keys: list[str] | None = None
    agency_key: str | None = None
    year: int = 0


def _full_view(draft: Draft, symbol: str, date: dt.date, doc_name: str) -> dict[str, Any]:
    """The draft's view with its number, its date line and the appendices' "Kèm theo" lines."""
    view = dict(draft.view)
    view.update(
        agency=draft.agency,
        year=draft.year,
        number=f"Số: {symbol}",
        date_line=place_and_date(draft.agency.place, date),
    )
    if "appendices" in view:
        by = (
            "Chủ tịch Ủy ban nhân dân"
            if draft.doc_type == DECISION and draft.kind == "decision"
            else "Ủy ban nhân dân"
        )
        sub = f"(Kèm theo {doc_name} số {symbol} ngày {short_date(date)} của {by} {draft.agency.phrase})"
        view["appendices"] = [{**a, "subtitle": sub} for a in view["appendices"]]
        view["charts"] = [{**c, "subtitle": sub} for c in view.get("charts", [])]
    return view


def _prepare(
    session: Session,
    draft: Draft,
    out_dir: Path,
    issued_on: dt.date,
    round_id: int | None,
    doc_name: str,
    *,
    fixed: DocumentNumber | None = None,
    more: Callable[[dt.date], dict[str, Any]] | None = None,
) -> tuple[_Job, dt.date]:
    registered = register_document(
        session,
        agency=draft.agency.key,
        year=draft.year,
        doc_type=draft.doc_type,
        doc_key=draft.doc_key,
        data_sha256=draft.data_sha256,
        title=draft.title,
        issued_on=issued_on,
        round_id=round_id,
        fixed=fixed,
    )
    view = _full_view(draft, registered.symbol, registered.issued_on, doc_name)
    if more is not None:  # parts that follow from the registered date (the posting period)
        view.update(more(registered.issued_on))
    job = _Job(
        draft=draft,
        html=_document_jobs(draft, view),
        path=out_dir / f"{draft.file_stem}.pdf",
        private=draft.personal,
        record_id=registered.record_id,
        symbol=registered.symbol,
        reused=registered.reused,
        kind=draft.kind,
        unit_code=draft.agency.code,
        counts=draft.counts,
    )
    return job, registered.issued_on


LIST_DOCUMENTS = ("notice", "decision")  # their appendices are the household lists (list_pdf)


def _document_jobs(draft: Draft, view: dict[str, Any]) -> str | list[Job]:
    """The HTML of a document; for the notice and the decision, the body's HTML and the lists to
    draw after it; for the district report and the province decision, the body and the tables."""
    if draft.kind not in LIST_DOCUMENTS + TABLE_DOCUMENTS:
        return render_html(draft.template, view)
    body = render_html(draft.template, {**view, "appendices": []})
    job = ListDocumentJob if draft.kind in LIST_DOCUMENTS else TableDocumentJob
    return [job(body, view["appendices"])]


def _posting_view(notice_date: dt.date) -> dict[str, Any]:
    period = posting_period(notice_date)
    return {
        "posting": {
            "start": short_date(period.start),
            "end": short_date(period.end),
            "working_days": f"{period.working_days:02d}",
        }
    }


DOCUMENTS_ACTOR = "documents-stage"  # documents follow from recorded decisions; the stage issues them


def _write_jobs(session: Session, jobs: list[_Job], workers: int | None) -> list[IssuedDocument]:
    pdfs = render_documents([j.html if isinstance(j.html, list) else [j.html] for j in jobs], workers)
    staged: list[tuple[Path, Path]] = []
    issued: list[IssuedDocument] = []
    try:
        for job, pdf in zip(jobs, pdfs, strict=True):
            tmp, sha = write_temp(job.path, pdf, private=job.private)
            staged.append((tmp, job.path))
            if job.cert_keys is not None:
                record_certificates_file(
                    session, str(job.agency_key), job.year, job.cert_keys, str(job.path), sha
                )
            elif job.record_id is not None:
                record_file(session, job.record_id, str(job.path), sha)
            issued.append(
                IssuedDocument(
                    job.kind,
                    job.unit_code,
                    str(job.path),
                    sha,
                    job.symbol,
                    job.draft.data_sha256 if job.draft else None,
                    job.reused,
                    job.counts,
                )
            )
        for document in issued:
            if document.reused is False:  # a new number: the audit log says who issued what, and when
                audit(
                    session,
                    DOCUMENTS_ACTOR,
                    "document.issued",
                    "document",
                    document.symbol or document.kind,
                    {
                        "kind": document.kind,
                        "unit_code": document.unit_code,
                        "sha256": document.sha256,
                        "data_sha256": document.data_sha256,
                        "counts": document.counts,
                    },
                )
        session.flush()  # a register conflict fails here, before any file replaces an older one
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
    return issued


def _xlsx_temp_then_replace(path: Path, private: bool, write: Any) -> str:
    import hashlib
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, 0o600 if private else 0o644)
        write(Path(tmp))
        os.chmod(tmp, 0o600 if private else 0o644)
        data = Path(tmp).read_bytes()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return hashlib.sha256(data).hexdigest()


def _load(session: Session, consolidation_id: int) -> tuple[Consolidation, ReviewRound]:
    consolidation = session.get(Consolidation, consolidation_id)
    if consolidation is None:
        raise LookupError(f"no consolidation {consolidation_id}")
    review_round = session.get(ReviewRound, consolidation.round_id)
    assert review_round is not None
    return consolidation, review_round


def _communes_documents(
    session: Session,
    consolidation: Consolidation,
    review_round: ReviewRound,
    tables: ConsolidatedTables,
    agency_of: Callable[[str], Agency],
    superior: Agency,
    residence: tuple[str | None, str],
    today: dt.date,
    certificates: bool,
) -> tuple[list[_Job], list[IssuedDocument]]:
    """Each commune's notice, decision, report, certificates (unless `certificates` is off) and
    lists, as jobs to render and the XLSX files already written. `superior` is the body the
    communes report to (their district, or their province on the two-tier map); `residence` the
    (district, province) phrases after the commune on the certificates (no district: None)."""
    year = review_round.year
    standard = round_standard(review_round)
    households, history = consolidation_households(session, consolidation)
    submission_ids = [int(i) for i in consolidation.submissions.values()]
    jobs: list[_Job] = []
    extra_files: list[IssuedDocument] = []
    cert_households = households.loc[households["status"].isin(["poor", "near_poor"]), "household_id"]
    members = household_members(session, submission_ids, cert_households) if certificates else None
    for code in sorted(consolidation.submissions):
        agency = agency_of(code)
        out_dir = commune_output_dir(review_round.year, code)
        mine = households.loc[households["commune_code"] == code]
        lists = household_lists(mine)

        notice = notice_draft(agency, superior, year, standard, lists)
        notice_job, notice_date = _prepare(
            session, notice, out_dir, today, review_round.id, "Thông báo", more=_posting_view
        )
        period = posting_period(notice_date)
        jobs.append(notice_job)

        decision = decision_draft(agency, superior, year, standard, lists)
        decision_job, decision_date = _prepare(
            session, decision, out_dir, period.decision_date, review_round.id, "Quyết định"
        )
        jobs.append(decision_job)
        report = commune_report_draft(agency, superior, year, tables.tables, lists)
        jobs.append(_prepare(session, report, out_dir, period.decision_date, review_round.id, "Báo cáo")[0])

        if members is not None:
            jobs.append(
                _certificates_job(
                    session,
                    agency,
                    residence,
                    year,
                    standard,
                    mine,
                    members,
                    history,
                    decision_date,
                    review_round.id,
                    out_dir,
                )
            )

        lists_path = out_dir / f"danh-sach-{code}-{year}.xlsx"
        sha = _xlsx_temp_then_replace(
            lists_path,
            True,
            lambda p, lists=lists, agency=agency: write_lists_xlsx(lists, p, agency.unit_name, year),
        )
        extra_files.append(
            IssuedDocument(
                "lists_xlsx",
                code,
                str(lists_path),
                sha,
                None,
                data_fingerprint({k: v.to_dict("split")["data"] for k, v in lists.items()}),
                None,
                notice.counts,
            )
        )
    return jobs, extra_files


def district_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """Every commune's notice, decision, report, certificates (unless `certificates` is off) and
    lists, and the district's report with its tables, for one consolidation of a district round
    (the three-level map: units named as on it, whatever the year)."""
    consolidation, review_round = _load(session, consolidation_id)
    if review_round.scope_level != "district":
        raise LookupError(f"consolidation {consolidation_id} is not a district round's: use round_documents")
    year = review_round.year
    standard = round_standard(review_round)
    today = issued_on or dt.date.today()
    tables = tables_from_json(consolidation.tables)
    district = district_agency(review_round.scope_code)
    province = province_agency(province_of_district(district.code))
    jobs, extra_files = _communes_documents(
        session,
        consolidation,
        review_round,
        tables,
        commune_agency,
        district,
        (district.phrase, province.phrase),
        today,
        certificates,
    )

    district_dir = district_output_dir(year, district.code)
    report = district_report_draft(district, province, standard, tables, unit_chart(session, tables))
    jobs.append(_prepare(session, report, district_dir, today, review_round.id, "Báo cáo")[0])
    tables_path = district_dir / f"bang-tong-hop-huyen-{district.code}-{year}.xlsx"
    write_tables_xlsx(tables, tables_path)
    extra_files.append(IssuedDocument("tables_xlsx", district.code, str(tables_path), _sha(tables_path)))
    return _write_jobs(session, jobs, workers) + extra_files


def province_round_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """A province round's consolidation (two-tier map, from the 2025 round): each commune's notice,
    decision, report, certificates and lists with the province as the body it reports to, named
    as the round's map names them ("Xã Cam Lộ" of "Tỉnh Quảng Trị", 44), and the province's
    consolidated tables (XLSX). No district is named anywhere. The province's decision follows its
    approval (`province_documents`)."""
    consolidation, review_round = _load(session, consolidation_id)
    if review_round.scope_level != "province":
        raise LookupError(f"consolidation {consolidation_id} is not a province round's: use round_documents")
    year = review_round.year
    if not admin_map(year).is_two_tier:
        raise ValueError(f"năm {year}: tỉnh chỉ tổng hợp trực tiếp các xã trên danh mục hai cấp (từ 07/2025)")
    reporting = legal_period(year).reporting
    if reporting.superior_level != "province":
        raise ValueError(
            f"năm {year}: data/legal_bases.yaml cho xã báo cáo cấp {reporting.superior_level}, "
            "nhưng danh mục hai cấp không có cấp huyện"
        )
    province = province_agency(review_round.scope_code, year)
    today = issued_on or dt.date.today()
    tables = tables_from_json(consolidation.tables)
    jobs, extra_files = _communes_documents(
        session,
        consolidation,
        review_round,
        tables,
        lambda code: commune_agency(code, year),
        province,
        (None, province.phrase),
        today,
        certificates,
    )
    tables_path = province_output_dir(year, province.code) / f"bang-tong-hop-tinh-{province.code}-{year}.xlsx"
    write_tables_xlsx(tables, tables_path)
    extra_files.append(IssuedDocument("tables_xlsx", province.code, str(tables_path), _sha(tables_path)))
    return _write_jobs(session, jobs, workers) + extra_files


def round_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """The documents after a consolidation, whatever the round's scope: a district round's
    (`district_documents`, three-level map) or a province round's (`province_round_documents`,
    two-tier map). What the flows call after consolidating."""
    _, review_round = _load(session, consolidation_id)
    builders = {"district": district_documents, "province": province_round_documents}
    build = builders.get(review_round.scope_level)
    if build is None:
        raise LookupError(f"round {review_round.id}: no documents for a {review_round.scope_level} round")
    return build(session, consolidation_id, issued_on=issued_on, workers=workers, certificates=certificates)


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _certificates_job(
    session: Session,
    agency: Agency,
    residence: tuple[str | None, str],
    year: int,
    standard: Any,
    households: pd.DataFrame,
    members: pd.DataFrame,
    history: pd.DataFrame,
    issued_on: dt.date,
    round_id: int,
    out_dir: Path,
) -> _Job:
    pages, keys = certificate_pages(agency, *residence, year, standard, households, members, history)
    numbers = register_certificates(
        session,
        agency=agency.key,
        year=year,
        keys=keys,
        title=f"Giấy chứng nhận hộ nghèo, hộ cận nghèo năm {year}",
        issued_on=issued_on,
        round_id=round_id,
    )
    for page, symbol, date in zip(pages, numbers["symbol"], numbers["issued_on"], strict=True):
        page["number"] = f"Số: {symbol}"
        page["date_line"] = place_and_date(agency.place, pd.Timestamp(date).date())
    years = list(range(standard.period_first_year, min(standard.period_last_year, year) + 1))
    html: list[Job] = [
        CertificateJob(certificates_view(agency, year, standard, pages[i : i + CHUNK], years))
        for i in range(0, max(len(pages), 1), CHUNK)
    ]
    return _Job(
        draft=None,
        html=html,
        path=out_dir / f"giay-chung-nhan-{agency.code}-{year}.pdf",
        private=True,
        record_id=None,
        symbol=None,
        reused=bool(numbers["reused"].all()) if len(numbers) else True,
        kind="certificates",
        unit_code=agency.code,
        counts={"certificates": len(pages), "new_numbers": int((~numbers["reused"]).sum())},
        cert_keys=list(keys["doc_key"]),
        agency_key=agency.key,
        year=year,
    )


def province_documents(
    session: Session,
    year: int,
    province_code: str,
    approval_id: int,
    actor: str,
    *,
    issued_on: dt.date | None = None,
) -> list[IssuedDocument]:
    """The province's decision approving the results, signed by the recorded approver. On the
    two-tier map its tables are the province round's own passed consolidation (one row per commune)
    and the province is named as that map names it; otherwise the districts' tables rolled up."""
    approval = session.get(Approval, approval_id)
    if approval is None or approval.decision != "approved":
        raise LookupError(f"approval {approval_id} is not an approval")
    standard = standard_for(year, province_code)
    prepared = build_province_tables(session, year, province_code, actor)
    agency = province_agency(province_code, year) if prepared.direct else province_agency(province_code)
    signature = signature_for_position(approval.approver_position, approval.approver_name)
    chart = unit_chart(session, prepared.tables)
    draft = province_decision_draft(agency, standard, prepared.tables, signature, chart)
    draft = replace(draft, data={**draft.data, "approval_sha256": approval.data_sha256})
    out_dir = province_output_dir(year, province_code)
    date = issued_on or (approval.decided_at.date() if approval.decided_at else dt.date.today())
    job, _ = _prepare(
        session,
        draft,
        out_dir,
        date,
        prepared.round_id,
        "Quyết định",
        fixed=parse_decision_number(approval.decision_number),
    )
    tables_path = out_dir / f"bang-tong-hop-tinh-{province_code}-{year}.xlsx"
    write_tables_xlsx(prepared.tables, tables_path)
    return [
        *_write_jobs(session, [job], 1),
        IssuedDocument("tables_xlsx", province_code, str(tables_path), _sha(tables_path)),
    ]


__all__ = [
    "CHUNK",
    "DOC_LABELS_VI",
    "IssuedDocument",
    "district_documents",
    "province_documents",
    "province_round_documents",
    "round_documents",
]
