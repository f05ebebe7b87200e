"""Tasks of the documents stage: write each consolidated unit's (a district's, or a two-tier
province's) and the province's documents, show them.

A consolidation's documents are one task per commune (`commune-documents-<code>`), mapped on the
flow's task runner, then one task for the unit's own files. Artifacts and logs carry paths,
document numbers and counts only: names and CCCD numbers exist only inside the documents themselves.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlalchemy.orm import Session

from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.documents_stage import (
    DOC_LABELS_VI,
    DocumentsPlan,
    IssuedDocument,
    documents_plan,
    prepare_commune_documents,
    province_documents,
    record_commune_documents,
    render_commune_documents,
    unit_documents,
)
from tasks.database_task import database_task
from tasks.retrying import TRANSIENT_RETRIES


def render_workers() -> int | None:
    """Processes to render a task's PDFs in: on a Dask worker none but the worker itself (its
    processes are daemonic and cannot start a pool; the cluster is the parallelism), elsewhere the
    process pool of `rasoat.documents.pool`, shared by the tasks' threads."""
    distributed = sys.modules.get("distributed")  # a Dask worker has imported it; no import otherwise
    if distributed is None:
        return None
    try:
        distributed.get_worker()
    except ValueError:
        return None
    return 1


def _log_issued(what: str, issued: list[IssuedDocument]) -> None:
    kinds = Counter(d.kind for d in issued)
    get_run_logger().info(
        "%s: %s files (%s), %s new numbers",
        what,
        len(issued),
        ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        sum(1 for d in issued if d.reused is False),
    )


@database_task("documents-plan", task_run_name="documents-plan-{consolidation_id}")
def documents_plan_task(session: Session, consolidation_id: int) -> DocumentsPlan:
    return documents_plan(session, consolidation_id)


# Retried like any database task: issuing again keeps every number and rewrites the same bytes.
@task(name="commune-documents", task_run_name="commune-documents-{commune_code}", **TRANSIENT_RETRIES)
def commune_documents_task(
    consolidation_id: int, commune_code: str, issued_on: dt.date, certificates: bool = True
) -> list[IssuedDocument]:
    """One commune's documents in two transactions with the rendering between them, so that no
    transaction is open while PDFs are drawn: on SQLite, whose every transaction holds the one
    write lock, the other communes record theirs meanwhile. The numbers are taken for good in the
    second transaction (`record_commune_documents`), all or nothing for the commune."""
    workers = render_workers()
    with session_scope(shared_engine()) as session:
        commune = prepare_commune_documents(
            session, consolidation_id, commune_code, issued_on=issued_on, certificates=certificates
        )
    pdfs = render_commune_documents(commune, workers)
    with session_scope(shared_engine()) as session:
        issued = record_commune_documents(session, commune, pdfs, workers=workers)
    _log_issued(f"commune {commune_code}", issued)
    return issued


@database_task("unit-documents", task_run_name="unit-documents-{consolidation_id}")
def unit_documents_task(session: Session, consolidation_id: int, issued_on: dt.date) -> list[IssuedDocument]:
    issued = unit_documents(session, consolidation_id, issued_on=issued_on, workers=render_workers())
    _log_issued(f"consolidation {consolidation_id}, the unit's own files", issued)
    return issued


@database_task("province-documents")
def province_documents_task(
    session: Session, year: int, province_code: str, approval_id: int, actor: str
) -> list[IssuedDocument]:
    issued = province_documents(session, year, province_code, approval_id, actor)
    get_run_logger().info(
        "province %s %s: decision %s", province_code, year, next((d.symbol for d in issued if d.symbol), None)
    )
    return issued


def _count_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in counts.items())


@task(name="publish-documents")
def publish_documents(issued: list[IssuedDocument], key: str, description: str) -> None:
    """One table of every file (type, unit, number, path, counts) and a link to each main document."""
    create_table_artifact(
        key=f"{key}-files",
        table=[
            {
                "Loại": DOC_LABELS_VI.get(d.kind, d.kind),
                "Đơn vị": d.unit_code,
                "Số": d.symbol or "",
                "Giữ số cũ": "" if d.reused is None else ("có" if d.reused else "không"),
                "Tệp": d.path,
                "sha256": d.sha256[:16],
                "Số liệu": _count_text(d.counts),
            }
            for d in issued
        ],
        description=description,
    )
    lines = [f"# {description}", ""]
    lines += [
        f"- {DOC_LABELS_VI.get(d.kind, d.kind)} {d.unit_code} {d.symbol or ''}: [{d.path}](file://{d.path})"
        for d in issued
    ]
    create_markdown_artifact(key=key, markdown="\n".join(lines), description=description)
    for d in issued:
        if d.kind in ("district_report", "province_decision"):
            create_link_artifact(
                key=f"{key}-{d.kind.replace('_', '-')}",
                link=f"file://{d.path}",
                link_text=f"{DOC_LABELS_VI[d.kind]} {d.symbol}",
                description=description,
            )
