"""Tasks of the documents stage: write each consolidated unit's (a district's, or a two-tier
province's) and the province's documents, show them.

Artifacts and logs carry paths, document numbers and counts only: names and CCCD numbers exist
only inside the documents themselves.
"""

from __future__ import annotations

from collections import Counter

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlalchemy.orm import Session

from rasoat.pipeline.documents_stage import (
    DOC_LABELS_VI,
    IssuedDocument,
    province_documents,
    round_documents,
)
from tasks.database_task import database_task


# Retried like any database task: issuing again keeps every number and rewrites the same bytes.
@database_task("round-documents")
def round_documents_task(
    session: Session, consolidation_id: int, certificates: bool = True
) -> list[IssuedDocument]:
    issued = round_documents(session, consolidation_id, certificates=certificates)
    kinds = Counter(d.kind for d in issued)
    get_run_logger().info(
        "consolidation %s: %s files (%s), %s new numbers",
        consolidation_id,
        len(issued),
        ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        sum(1 for d in issued if d.reused is False),
    )
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
