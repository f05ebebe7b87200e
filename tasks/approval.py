"""Tasks of province approval: roll the districts up, show them, record the person's decision."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import INPUTS, RUN_ID
from sqlalchemy.orm import Session

from rasoat.operations.approval_form import ApprovalInput, approval_request_markdown, as_decision
from rasoat.pipeline.approval_stage import ProvinceTables, build_province_tables, record_decision
from tasks.database_task import database_task


# Persisted and keyed on the run: when a suspended run resumes, the flow runs again from the top
# and must see the tables it showed the approver, not rebuild them.
@database_task("prepare-province", persist_result=True, cache_policy=INPUTS + RUN_ID)
def prepare_province(session: Session, year: int, province_code: str, actor: str) -> ProvinceTables:
    prepared = build_province_tables(session, year, province_code, actor)
    get_run_logger().info(
        "province %s %s: %s consolidating units, data %s",
        province_code,
        year,
        len(prepared.district_consolidations),
        prepared.data_sha256[:16],
    )
    return prepared


@database_task("current-data-fingerprint")
def current_fingerprint(session: Session, year: int, province_code: str, actor: str) -> str:
    return build_province_tables(session, year, province_code, actor).data_sha256


# Not retried: a decision is recorded once; a failure is shown to the operator, not repeated.
@database_task("record-decision", retry=False)
def record_decision_task(
    session: Session, prepared: ProvinceTables, answer: ApprovalInput, actor: str
) -> dict[str, object]:
    approval = record_decision(session, prepared, as_decision(answer), actor)
    return {
        "approval_id": approval.id,
        "decision": approval.decision,
        "round_id": prepared.round_id,
        "data_sha256": prepared.data_sha256,
    }


@task(name="publish-approval-request")
def publish_approval_request(prepared: ProvinceTables) -> None:
    create_markdown_artifact(
        key=f"approval-{prepared.year}-{prepared.province_code}",
        markdown=approval_request_markdown(prepared, []),
        description="Bảng tổng hợp cấp tỉnh trình phê duyệt",
    )
