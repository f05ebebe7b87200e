"""The documents of a round: each commune's and the consolidating unit's after consolidation (a
district's on the three-level map, a province's on the two-tier map, from the 2025 round: then the
communes name the province as the body they report to), the province's decision after its approval.

A commune is the unit of work: `commune_documents` reads only that commune's rows, drafts its
notice, decision, report, certificates and lists, renders them and records them, all or nothing
for the commune; `unit_documents` writes the unit's own files; `round_documents` does both for a
whole consolidation, one commune after another, so no step holds the whole province. A task can
split a commune in three (`prepare_commune_documents`, `render_commune_documents`,
`record_commune_documents`) to render outside any transaction: the numbers are taken on trial
while preparing (rolled back), then taken for good when recording, and the PDFs are drawn again
only if another run numbered the same commune in between.

Numbers come from the register in the same transaction as the files' hashes; a commune's files are
written beside their places, then renamed into them once the register has accepted them all.

Rendering: the commune's report is HTML → PDF (WeasyPrint); certificates are drawn with reportlab;
the notice and the decision have their body rendered by WeasyPrint and their four household lists
(Phụ lục I–IV) drawn with reportlab after it (`ListDocumentJob`), the district report and the
province decision likewise with their tables R1–R11 on landscape pages (`TableDocumentJob`), still
one PDF each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, defer

from rasoat.admin.maps import admin_map
from rasoat.admin_units import province_of_district
from rasoat.applied_standard import round_standard
from rasoat.consolidation.export import write_tables_xlsx
from rasoat.consolidation.stored import tables_from_json
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.db.audit import audit
from rasoat.db.document_data import commune_households, household_members
from rasoat.db.models import Approval, Consolidation, ReviewRound
from rasoat.db.register import (
    Registered,
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
from rasoat.standards import Standard, standard_for

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
XLSX_KINDS = ("lists_xlsx", "tables_xlsx")


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


def _register(
    session: Session,
    draft: Draft,
    issued_on: dt.date,
    round_id: int | None,
    *,
    fixed: DocumentNumber | None = None,
) -> Registered:
    return register_document(
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


def _job(
    draft: Draft,
    registered: Registered,
    out_dir: Path,
    doc_name: str,
    *,
    more: Callable[[dt.date], dict[str, Any]] | None = None,
) -> _Job:
    """The document to render with its registered number and date."""
    view = _full_view(draft, registered.symbol, registered.issued_on, doc_name)
    if more is not None:  # parts that follow from the registered date (the posting period)
        view.update(more(registered.issued_on))
    return _Job(
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
    registered = _register(session, draft, issued_on, round_id, fixed=fixed)
    return _job(draft, registered, out_dir, doc_name, more=more), registered.issued_on


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


def _chunks(job: _Job) -> list[Job]:
    return job.html if isinstance(job.html, list) else [job.html]


def _write_jobs(
    session: Session,
    jobs: list[_Job],
    workers: int | None,
    *,
    pdfs: list[bytes] | None = None,
    also: Sequence[tuple[Path, Path]] = (),
) -> list[IssuedDocument]:
    """Render the jobs (unless `pdfs` holds them already), record each file's hash, then rename the
    files into place, and `also` (temporary file, place) with them, once the register accepted all."""
    if pdfs is None:
        pdfs = render_documents([_chunks(j) for j in jobs], workers)
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
        for tmp, path in [*staged, *also]:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
    return issued


def _stage_xlsx(path: Path, private: bool, write: Callable[[Path], Any]) -> tuple[Path, str]:
    """An XLSX file written beside `path` (renamed into place by the caller); its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o600 if private else 0o644)
        write(tmp)
        os.chmod(tmp, 0o600 if private else 0o644)  # the writer may have replaced the file
        return tmp, hashlib.sha256(tmp.read_bytes()).hexdigest()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _load(session: Session, consolidation_id: int) -> tuple[Consolidation, ReviewRound]:
    """The consolidation (its tables loaded only if asked for: `_tables`) and its round."""
    consolidation = session.get(Consolidation, consolidation_id, options=[defer(Consolidation.tables)])
    if consolidation is None:
        raise LookupError(f"no consolidation {consolidation_id}")
    review_round = session.get(ReviewRound, consolidation.round_id)
    assert review_round is not None
    return consolidation, review_round


_PARSED: dict[tuple[str, int, str, str], ConsolidatedTables] = {}


def _tables(session: Session, consolidation: Consolidation) -> ConsolidatedTables:
    """A consolidation's tables, read and parsed once per process. A stored consolidation is never
    rewritten (consolidating again adds a row), and a province's tables are megabytes of JSON that
    each of its communes' documents would otherwise read and parse again. Only the latest is kept."""
    key = (
        str(session.get_bind().url),
        consolidation.id,
        consolidation.data_sha256,
        consolidation.created_at.isoformat(),
    )
    found = _PARSED.get(key)
    if found is None:
        _PARSED.clear()
        found = _PARSED[key] = tables_from_json(consolidation.tables)
    return found


@dataclass(frozen=True)
class _Scope:
    """Who issues what for a consolidation: the communes' agencies, the body they report to (their
    district, or their province on the two-tier map) and the (district, province) phrases after
    the commune on the certificates (no district: None)."""

    consolidation: Consolidation
    review_round: ReviewRound
    tables: ConsolidatedTables
    agency_of: Callable[[str], Agency]
    superior: Agency
    province: Agency
    residence: tuple[str | None, str]


def _scope(session: Session, consolidation_id: int) -> _Scope:
    consolidation, review_round = _load(session, consolidation_id)
    year = review_round.year
    tables = _tables(session, consolidation)
    if review_round.scope_level == "district":  # the three-level map: units named as on it, whatever the year
        district = district_agency(review_round.scope_code)
        province = province_agency(province_of_district(district.code))
        return _Scope(
            consolidation,
            review_round,
            tables,
            commune_agency,
            district,
            province,
            (district.phrase, province.phrase),
        )
    if review_round.scope_level != "province":
        raise LookupError(f"round {review_round.id}: no documents for a {review_round.scope_level} round")
    if not admin_map(year).is_two_tier:
        raise ValueError(f"năm {year}: tỉnh chỉ tổng hợp trực tiếp các xã trên danh mục hai cấp (từ 07/2025)")
    reporting = legal_period(year).reporting
    if reporting.superior_level != "province":
        raise ValueError(
            f"năm {year}: data/legal_bases.yaml cho xã báo cáo cấp {reporting.superior_level}, "
            "nhưng danh mục hai cấp không có cấp huyện"
        )
    province = province_agency(review_round.scope_code, year)
    return _Scope(
        consolidation,
        review_round,
        tables,
        lambda code: commune_agency(code, year),
        province,
        province,
        (None, province.phrase),
    )


@dataclass(frozen=True)
class DocumentsPlan:
    """What a consolidation's documents are split into: one piece of work per commune, then the
    unit's own files, all dated from one day."""

    consolidation_id: int
    communes: tuple[str, ...]
    issued_on: dt.date


def documents_plan(
    session: Session, consolidation_id: int, *, issued_on: dt.date | None = None
) -> DocumentsPlan:
    """The communes of a consolidation, in report order. A round whose documents cannot be written
    (a province round on the three-level map, a misconfigured period) fails here, before any commune."""
    scope = _scope(session, consolidation_id)
    return DocumentsPlan(
        consolidation_id, tuple(sorted(scope.consolidation.submissions)), issued_on or dt.date.today()
    )


@dataclass(frozen=True, eq=False)  # compared by `shown`, never as a whole (a frame is no value)
class _Numbers:
    """One commune's numbers, as the register gave them."""

    notice: Registered
    decision: Registered
    report: Registered
    certificates: pd.DataFrame | None

    def shown(self) -> tuple[object, ...]:
        """The numbers and dates the commune's PDFs print: equal for two numberings, equal PDFs."""
        documents = tuple((r.symbol, r.issued_on) for r in (self.notice, self.decision, self.report))
        if self.certificates is None:
            return documents
        certificates = tuple(
            zip(
                self.certificates["symbol"],
                (pd.Timestamp(d).date() for d in self.certificates["issued_on"]),
                strict=True,
            )
        )
        return (*documents, certificates)


@dataclass
class CommuneDocuments:
    """One commune's documents, drafted from its own rows and numbered on trial (nothing written):
    `jobs` are what to render, `shown` the numbers and dates they print."""

    commune_code: str
    year: int
    round_id: int
    issued_on: dt.date
    agency: Agency
    standard: Standard
    out_dir: Path
    notice: Draft
    decision: Draft
    report: Draft
    lists: dict[str, pd.DataFrame] = field(repr=False)
    certificates: tuple[list[dict[str, Any]], pd.DataFrame] | None = field(repr=False)  # pages, keys
    jobs: list[_Job] = field(default_factory=list, repr=False)
    shown: tuple[object, ...] = ()


def _register_commune(session: Session, commune: CommuneDocuments) -> _Numbers:
    """The commune's numbers in the order they have always been taken: notice, decision, report
    (one series), then the certificates (their book), each date following from the one before."""
    notice = _register(session, commune.notice, commune.issued_on, commune.round_id)
    period = posting_period(notice.issued_on)
    decision = _register(session, commune.decision, period.decision_date, commune.round_id)
    report = _register(session, commune.report, period.decision_date, commune.round_id)
    certificates = None
    if commune.certificates is not None:
        certificates = register_certificates(
            session,
            agency=commune.agency.key,
            year=commune.year,
            keys=commune.certificates[1],
            title=f"Giấy chứng nhận hộ nghèo, hộ cận nghèo năm {commune.year}",
            issued_on=decision.issued_on,
            round_id=commune.round_id,
        )
    return _Numbers(notice, decision, report, certificates)


def _commune_jobs(commune: CommuneDocuments, numbers: _Numbers) -> list[_Job]:
    out_dir = commune.out_dir
    jobs = [
        _job(commune.notice, numbers.notice, out_dir, "Thông báo", more=_posting_view),
        _job(commune.decision, numbers.decision, out_dir, "Quyết định"),
        _job(commune.report, numbers.report, out_dir, "Báo cáo"),
    ]
    if commune.certificates is not None and numbers.certificates is not None:
        pages, keys = commune.certificates
        jobs.append(
            _certificates_job(
                commune.agency, commune.year, commune.standard, pages, keys, numbers.certificates, out_dir
            )
        )
    return jobs


def prepare_commune_documents(
    session: Session,
    consolidation_id: int,
    commune_code: str,
    *,
    issued_on: dt.date,
    certificates: bool = True,
) -> CommuneDocuments:
    """One commune's notice, decision, report, certificates (unless `certificates` is off) and
    lists, drafted from the commune's own households, members and history, and numbered on trial:
    the register's rows are rolled back, so this writes nothing."""
    scope = _scope(session, consolidation_id)
    review_round = scope.review_round
    year = review_round.year
    standard = round_standard(review_round)
    agency = scope.agency_of(commune_code)
    households, history = commune_households(session, scope.consolidation, commune_code)
    lists = household_lists(households)
    pages = None
    if certificates:
        recognised = households.loc[households["status"].isin(["poor", "near_poor"]), "household_id"]
        submission_id = int(scope.consolidation.submissions[commune_code])
        members = household_members(session, [submission_id], recognised)
        pages = certificate_pages(agency, *scope.residence, year, standard, households, members, history)
    commune = CommuneDocuments(
        commune_code=commune_code,
        year=year,
        round_id=review_round.id,
        issued_on=issued_on,
        agency=agency,
        standard=standard,
        out_dir=commune_output_dir(year, commune_code),
        notice=notice_draft(agency, scope.superior, year, standard, lists),
        decision=decision_draft(agency, scope.superior, year, standard, lists),
        report=commune_report_draft(agency, scope.superior, year, scope.tables.tables, lists),
        lists=lists,
        certificates=pages,
    )
    trial = session.begin_nested()
    try:
        numbers = _register_commune(session, commune)
    finally:
        trial.rollback()
    commune.jobs = _commune_jobs(commune, numbers)
    commune.shown = numbers.shown()
    return commune


def render_commune_documents(commune: CommuneDocuments, workers: int | None = None) -> list[bytes]:
    """The commune's PDFs, in the order of its jobs (no database: run it outside any transaction)."""
    return render_documents([_chunks(j) for j in commune.jobs], workers)


def record_commune_documents(
    session: Session, commune: CommuneDocuments, pdfs: list[bytes], *, workers: int | None = None
) -> list[IssuedDocument]:
    """Take the commune's numbers for good, record every file's hash and write the files (the PDFs,
    then the lists as XLSX), all or nothing. If the register no longer gives the numbers the PDFs
    print (another run numbered this commune meanwhile), they are drawn again with those it gives."""
    numbers = _register_commune(session, commune)
    jobs = _commune_jobs(commune, numbers)
    rendered: list[bytes] | None = pdfs if numbers.shown() == commune.shown else None
    code, year = commune.commune_code, commune.year
    lists_path = commune.out_dir / f"danh-sach-{code}-{year}.xlsx"
    unit_name = commune.agency.unit_name
    tmp, sha = _stage_xlsx(lists_path, True, lambda p: write_lists_xlsx(commune.lists, p, unit_name, year))
    try:
        issued = _write_jobs(session, jobs, workers, pdfs=rendered, also=[(tmp, lists_path)])
    finally:
        tmp.unlink(missing_ok=True)
    lists_xlsx = IssuedDocument(
        "lists_xlsx",
        code,
        str(lists_path),
        sha,
        None,
        data_fingerprint({k: v.to_dict("split")["data"] for k, v in commune.lists.items()}),
        None,
        commune.notice.counts,
    )
    return [*issued, lists_xlsx]


def commune_documents(
    session: Session,
    consolidation_id: int,
    commune_code: str,
    *,
    issued_on: dt.date | None = None,
    certificates: bool = True,
    workers: int | None = None,
) -> list[IssuedDocument]:
    """One commune's notice, decision, report, certificates (unless `certificates` is off) and
    lists, rendered in `workers` processes and recorded in the caller's transaction."""
    commune = prepare_commune_documents(
        session,
        consolidation_id,
        commune_code,
        issued_on=issued_on or dt.date.today(),
        certificates=certificates,
    )
    pdfs = render_commune_documents(commune, workers)
    return record_commune_documents(session, commune, pdfs, workers=workers)


def unit_documents(
    session: Session, consolidation_id: int, *, issued_on: dt.date | None = None, workers: int | None = None
) -> list[IssuedDocument]:
    """The consolidating unit's own files: a district's report with its tables R1–R11 and the tables
    as XLSX; a two-tier province's tables as XLSX (its decision follows its approval,
    `province_documents`)."""
    scope = _scope(session, consolidation_id)
    review_round, tables = scope.review_round, scope.tables
    year = review_round.year
    unit = scope.superior
    if review_round.scope_level == "province":
        tables_path = province_output_dir(year, unit.code) / f"bang-tong-hop-tinh-{unit.code}-{year}.xlsx"
        write_tables_xlsx(tables, tables_path)
        return [IssuedDocument("tables_xlsx", unit.code, str(tables_path), _sha(tables_path))]
    district_dir = district_output_dir(year, unit.code)
    standard = round_standard(review_round)
    report = district_report_draft(
        unit, scope.province, standard, tables, unit_chart(session, tables, [scope.consolidation])
    )
    job, _ = _prepare(session, report, district_dir, issued_on or dt.date.today(), review_round.id, "Báo cáo")
    tables_path = district_dir / f"bang-tong-hop-huyen-{unit.code}-{year}.xlsx"
    write_tables_xlsx(tables, tables_path)
    return [
        *_write_jobs(session, [job], workers),
        IssuedDocument("tables_xlsx", unit.code, str(tables_path), _sha(tables_path)),
    ]


def in_issue_order(parts: Sequence[Sequence[IssuedDocument]]) -> list[IssuedDocument]:
    """Each commune's files and then the unit's as one list, the way the stage has always listed
    them: the rendered documents in unit order, then the XLSX files in unit order."""
    flat = [d for part in parts for d in part]
    return [d for d in flat if d.kind not in XLSX_KINDS] + [d for d in flat if d.kind in XLSX_KINDS]


RENDER_AHEAD = 2  # communes rendering while the next is prepared: a commune alone leaves the pool idle


def round_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """The documents after a consolidation, whatever the round's scope (a district round's on the
    three-level map, a province round's on the two-tier map): each commune's, then the unit's, in
    the caller's transaction. The flows map `commune_documents` over the communes instead.

    Communes are prepared and recorded one after another; while one is prepared the previous ones
    render (at most `RENDER_AHEAD` of them), so the pool's processes stay busy and only a few
    communes are held at once."""
    plan = documents_plan(session, consolidation_id, issued_on=issued_on)
    parts: list[list[IssuedDocument]] = []
    rendering: deque[tuple[CommuneDocuments, Future[list[bytes]]]] = deque()

    def record_oldest() -> None:
        commune, pdfs = rendering.popleft()
        parts.append(record_commune_documents(session, commune, pdfs.result(), workers=workers))

    with ThreadPoolExecutor(max_workers=RENDER_AHEAD, thread_name_prefix="documents-render") as renderer:
        try:
            for code in plan.communes:
                commune = prepare_commune_documents(
                    session, consolidation_id, code, issued_on=plan.issued_on, certificates=certificates
                )
                rendering.append((commune, renderer.submit(render_commune_documents, commune, workers)))
                if len(rendering) > RENDER_AHEAD:
                    record_oldest()
            while rendering:
                record_oldest()
        finally:
            for _, pdfs in rendering:  # an error: nothing more is recorded, nothing waits to render
                pdfs.cancel()
    parts.append(unit_documents(session, consolidation_id, issued_on=plan.issued_on, workers=workers))
    return in_issue_order(parts)


def district_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """`round_documents` of a district round (the three-level map: units named as on it, whatever
    the year): every commune's notice, decision, report, certificates and lists, and the
    district's report with its tables."""
    _, review_round = _load(session, consolidation_id)
    if review_round.scope_level != "district":
        raise LookupError(f"consolidation {consolidation_id} is not a district round's: use round_documents")
    return round_documents(
        session, consolidation_id, issued_on=issued_on, workers=workers, certificates=certificates
    )


def province_round_documents(
    session: Session,
    consolidation_id: int,
    *,
    issued_on: dt.date | None = None,
    workers: int | None = None,
    certificates: bool = True,
) -> list[IssuedDocument]:
    """`round_documents` of a province round (two-tier map, from the 2025 round): each commune's
    notice, decision, report, certificates and lists with the province as the body it reports to,
    named as the round's map names them ("Xã Cam Lộ" of "Tỉnh Quảng Trị", 44), and the province's
    consolidated tables (XLSX). No district is named anywhere. The province's decision follows its
    approval (`province_documents`)."""
    _, review_round = _load(session, consolidation_id)
    if review_round.scope_level != "province":
        raise LookupError(f"consolidation {consolidation_id} is not a province round's: use round_documents")
    return round_documents(
        session, consolidation_id, issued_on=issued_on, workers=workers, certificates=certificates
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _certificates_job(
    agency: Agency,
    year: int,
    standard: Standard,
    pages: list[dict[str, Any]],
    keys: pd.DataFrame,
    numbers: pd.DataFrame,
    out_dir: Path,
) -> _Job:
    numbered = [
        {
            **page,
            "number": f"Số: {symbol}",
            "date_line": place_and_date(agency.place, pd.Timestamp(date).date()),
        }
        for page, symbol, date in zip(pages, numbers["symbol"], numbers["issued_on"], strict=True)
    ]
    years = list(range(standard.period_first_year, min(standard.period_last_year, year) + 1))
    html: list[Job] = [
        CertificateJob(certificates_view(agency, year, standard, numbered[i : i + CHUNK], years))
        for i in range(0, max(len(numbered), 1), CHUNK)
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
        counts={"certificates": len(numbered), "new_numbers": int((~numbers["reused"]).sum())},
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
    parts = [session.get(Consolidation, i) for i in prepared.district_consolidations.values()]
    chart = unit_chart(session, prepared.tables, [c for c in parts if c is not None])
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
    "CommuneDocuments",
    "DocumentsPlan",
    "IssuedDocument",
    "commune_documents",
    "district_documents",
    "documents_plan",
    "in_issue_order",
    "prepare_commune_documents",
    "province_documents",
    "province_round_documents",
    "record_commune_documents",
    "render_commune_documents",
    "round_documents",
    "unit_documents",
]
