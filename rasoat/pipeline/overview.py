"""The round overview page from the database: `round_overview` gathers a year's rounds (optionally one
province's) into `rasoat.overview_page` dataclasses, `write_overview` renders and writes the page.

Links are relative to the page, so the page and RASOAT_HOME/output can be copied together; a link is
listed only when its file exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rasoat.admin.maps import admin_map
from rasoat.admin.scope import scope, scope_level
from rasoat.consolidation.stored import tables_from_json
from rasoat.db.models import ReviewRound, Submission, ValidationResult
from rasoat.db.round_data import latest_approval, latest_consolidation, latest_submissions
from rasoat.documents.render import write_atomic
from rasoat.overview_page import (
    ApprovalLine,
    CommuneLine,
    DistrictSection,
    Link,
    Overview,
    chart_svgs,
    figure_rows,
    render_overview,
)
from rasoat.pipeline.chart_inputs import unit_chart
from rasoat.pipeline.outputs import (
    commune_output_dir,
    feedback_dir,
    province_output_dir,
    scope_output_dir,
)

DOCUMENT_LABELS_VI = {  # file-name prefix → what the link says
    "thong-bao-niem-yet": "Thông báo niêm yết",
    "quyet-dinh-cong-nhan": "Quyết định công nhận",
    "bao-cao-ket-qua-huyen": "Báo cáo của huyện",
    "bao-cao-ket-qua": "Báo cáo kết quả",
    "giay-chung-nhan": "Giấy chứng nhận",
    "danh-sach": "Danh sách (XLSX)",
    "bang-tong-hop": "Bảng tổng hợp (XLSX)",
    "quyet-dinh-phe-duyet": "Quyết định phê duyệt",
}
TIME = "%d/%m/%Y %H:%M"  # as stored (UTC)
DECISIONS_VI = {"approved": "Đã phê duyệt", "rejected": "Bị trả lại"}


def overview_path(year: int, province_code: str) -> Path:
    """Where a consolidation writes the page: beside the province's documents."""
    return province_output_dir(year, province_code) / f"tong-quan-{province_code}-{year}.html"


def _href(target: Path, page_dir: Path) -> str:
    return Path(os.path.relpath(target, page_dir)).as_posix()


def _documents(folder: Path, page_dir: Path) -> tuple[Link, ...]:
    if not folder.is_dir():
        return ()
    links = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".xlsx") and p.is_file()):
        label = next((v for k, v in DOCUMENT_LABELS_VI.items() if path.name.startswith(k)), path.name)
        links.append(Link(label, _href(path, page_dir)))
    return tuple(links)


def _feedback(year: int, code: str, version: int | None, page_dir: Path) -> tuple[Link, ...]:
    if version is None:
        return ()
    folder = feedback_dir(year, code)
    names = (f"phan-hoi-{code}-v{version}.html", f"phan-hoi-{code}-v{version}.xlsx")
    found = [n for n in names if (folder / n).is_file()]
    return tuple(Link(Path(n).suffix[1:].upper(), _href(folder / n, page_dir)) for n in found)


def _blocking(session: Session, submission_ids: list[int]) -> dict[int, int]:
    """Blocking problems per submission: the failing rows of its blocking checks, at least one per
    failed check (a check of the whole file has no row count)."""
    if not submission_ids:
        return {}
    rows = session.execute(
        select(
            ValidationResult.submission_id,
            func.sum(ValidationResult.unexpected_count),
            func.count(),
        )
        .where(
            ValidationResult.submission_id.in_(submission_ids),
            ValidationResult.severity == "blocking",
            ValidationResult.success.is_(False),
        )
        .group_by(ValidationResult.submission_id)
    ).all()
    return {int(sid): max(int(total or 0), int(checks)) for sid, total, checks in rows}


def _communes(session: Session, review_round: ReviewRound, page_dir: Path) -> tuple[CommuneLine, ...]:
    latest = latest_submissions(session, review_round.id)
    rejected = [s.id for s in latest.values() if s.status != "accepted"]
    blocking = _blocking(session, rejected)
    lines = []
    for c in scope(review_round.year, review_round.scope_code).communes:
        s: Submission | None = latest.get(c.code)
        version = None if s is None else s.version
        lines.append(
            CommuneLine(
                code=c.code,
                name=c.name,
                state="missing" if s is None else s.status,
                blocking=None if s is None or s.status == "accepted" else blocking.get(s.id, 0),
                version=version,
                received_at=None if s is None or s.received_at is None else s.received_at.strftime(TIME),
                feedback=_feedback(review_round.year, c.code, version, page_dir),
                documents=_documents(commune_output_dir(review_round.year, c.code), page_dir),
            )
        )
    return tuple(lines)


def _district(session: Session, review_round: ReviewRound, page_dir: Path) -> DistrictSection:
    consolidation = latest_consolidation(session, review_round.id)
    communes = _communes(session, review_round, page_dir)
    folder = scope_output_dir(review_round.year, review_round.scope_code)
    documents = _documents(folder, page_dir)
    if consolidation is None:
        return DistrictSection(
            review_round.scope_code,
            scope(review_round.year, review_round.scope_code).name,
            review_round.id,
            review_round.state,
            communes,
            None,
            None,
            documents=documents,
        )
    tables = tables_from_json(consolidation.tables)
    chart = unit_chart(session, tables, [consolidation])
    rates_svgs, movements_svgs = chart_svgs(chart)
    text = f"#{consolidation.id}, {'đạt' if consolidation.checks_passed else 'KHÔNG ĐẠT'} kiểm tra"
    if consolidation.forced:
        text += f", thiếu {len(consolidation.missing)} xã (có quyết định)"
    return DistrictSection(
        code=review_round.scope_code,
        name=tables.unit.name,
        round_id=review_round.id,
        round_state=review_round.state,
        communes=communes,
        consolidation=text,
        fingerprint=consolidation.data_sha256,
        figures=figure_rows(tables, chart),
        rates_svgs=rates_svgs,
        movements_svgs=movements_svgs,
        documents=documents,
    )


def _approval(session: Session, review_round: ReviewRound, page_dir: Path) -> ApprovalLine:
    approval = latest_approval(session, review_round.id)
    province = admin_map(review_round.year).province_name(review_round.scope_code)
    folder = province_output_dir(review_round.year, review_round.scope_code)
    if approval is None:
        text, fingerprint, decision = "Chưa có quyết định", None, None
    else:
        # The approver's position, not their name: the page lists states, not people.
        decided = DECISIONS_VI.get(approval.decision, approval.decision)
        text = f"{decided}: {approval.approver_position}, {approval.decided_at.strftime(TIME)}"
        if approval.decision_number:
            text += f", số {approval.decision_number}"
        if approval.lapsed_at is not None:
            text += " — HẾT HIỆU LỰC (dữ liệu đã thay đổi sau khi phê duyệt)"
        fingerprint, decision = approval.data_sha256, approval.decision
    return ApprovalLine(
        scope=province,
        round_id=review_round.id,
        round_state=review_round.state,
        decision=decision,
        text=text,
        fingerprint=fingerprint,
        documents=_documents(folder, page_dir),
    )


def round_overview(session: Session, year: int, page: Path, province: str | None = None) -> Overview:
    """A year's rounds (one province's when `province` is given) as the page at `page` shows them."""
    page_dir = page.resolve().parent
    rounds = session.scalars(
        select(ReviewRound)
        .where(ReviewRound.year == year)
        .order_by(ReviewRound.scope_level, ReviewRound.scope_code)
    ).all()

    def in_scope(r: ReviewRound) -> bool:
        code = r.scope_code if r.scope_level == "province" else scope(year, r.scope_code).province_code
        return province is None or code == province

    # The units that consolidate communes: districts on the three-level map; on the two-tier map the
    # province, whose round is also the one it approves.
    consolidating = scope_level(year)
    districts = tuple(
        _district(session, r, page_dir) for r in rounds if r.scope_level == consolidating and in_scope(r)
    )
    approvals = tuple(
        _approval(session, r, page_dir) for r in rounds if r.scope_level == "province" and in_scope(r)
    )
    where = admin_map(year).province_name(province) if province else "các đơn vị"
    return Overview(
        year=year,
        title=f"Tổng quan rà soát hộ nghèo, hộ cận nghèo năm {year} — {where}",
        districts=districts,
        approvals=approvals,
    )


def write_overview(session: Session, year: int, page: Path, province: str | None = None) -> str:
    """Render and write the page (whole, then renamed); its sha256."""
    html = render_overview(round_overview(session, year, page, province))
    return write_atomic(page, html.encode("utf-8"), private=False)
