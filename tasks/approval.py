"""Tasks of province approval: roll the districts up, ask a person, record the decision."""

from __future__ import annotations

from typing import Literal

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import INPUTS, RUN_ID
from prefect.input import RunInput
from pydantic import Field

from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.approval_stage import Decision, ProvinceTables, build_province_tables, record_decision
from tasks.consolidation import markdown_table


class ApprovalInput(RunInput):
    """The form the Prefect UI shows the approver (and `rasoat approve` fills in)."""

    decision: Literal["approve", "reject"] = Field(
        title="Quyết định", description="approve = phê duyệt kết quả rà soát; reject = trả lại cấp huyện"
    )
    approver_name: str = Field(
        title="Người phê duyệt", description="Họ và tên người ký quyết định", min_length=2
    )
    approver_position: str = Field(
        title="Chức vụ", description="Ví dụ: Chủ tịch UBND tỉnh, Phó Chủ tịch UBND tỉnh", min_length=2
    )
    decision_number: str | None = Field(
        default=None, title="Số quyết định", description="Bắt buộc khi phê duyệt, ví dụ 123/QĐ-UBND"
    )
    reason: str | None = Field(default=None, title="Lý do", description="Bắt buộc khi trả lại")


def decision_errors(answer: ApprovalInput) -> list[str]:
    """What the form's schema cannot say; the flow asks again instead of failing (Prefect #12279)."""
    errors = []
    if answer.decision == "approve" and not (answer.decision_number or "").strip():
        errors.append("Phê duyệt cần số quyết định.")
    if answer.decision == "reject" and not (answer.reason or "").strip():
        errors.append("Trả lại cần ghi rõ lý do.")
    return errors


def as_decision(answer: ApprovalInput) -> Decision:
    return Decision(
        approve=answer.decision == "approve",
        approver_name=answer.approver_name.strip(),
        approver_position=answer.approver_position.strip(),
        decision_number=(answer.decision_number or "").strip() or None,
        reason=(answer.reason or "").strip() or None,
    )


# Persisted and keyed on the run: when a suspended run resumes, the flow runs again from the top
# and must see the tables it showed the approver, not rebuild them.
@task(name="prepare-province", persist_result=True, cache_policy=INPUTS + RUN_ID)
def prepare_province(year: int, province_code: str, actor: str) -> ProvinceTables:
    with session_scope(shared_engine()) as session:
        prepared = build_province_tables(session, year, province_code, actor)
    get_run_logger().info(
        "province %s %s: %s districts, data %s",
        province_code,
        year,
        len(prepared.district_rounds),
        prepared.data_sha256[:16],
    )
    return prepared


@task(name="current-data-fingerprint")
def current_fingerprint(year: int, province_code: str, actor: str) -> str:
    with session_scope(shared_engine()) as session:
        return build_province_tables(session, year, province_code, actor).data_sha256


@task(name="record-decision")
def record_decision_task(prepared: ProvinceTables, answer: ApprovalInput, actor: str) -> dict[str, object]:
    with session_scope(shared_engine()) as session:
        approval = record_decision(session, prepared, as_decision(answer), actor)
        return {
            "approval_id": approval.id,
            "decision": approval.decision,
            "round_id": prepared.round_id,
            "data_sha256": prepared.data_sha256,
        }


def approval_request_markdown(prepared: ProvinceTables, errors: list[str]) -> str:
    parts = [
        f"# Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm {prepared.year}",
        f"**{prepared.tables.unit.name}** — các huyện: {', '.join(sorted(prepared.district_rounds))}",
        "",
        f"Mã băm dữ liệu được phê duyệt: `{prepared.data_sha256}`. Nếu dữ liệu của bất kỳ xã nào thay "
        "đổi sau khi phê duyệt, quyết định hết hiệu lực và cần phê duyệt lại.",
    ]
    if errors:
        parts += ["", "**Lần nhập trước chưa hợp lệ:**", *(f"- {e}" for e in errors)]
    parts += ["", "## Tổng hợp kết quả", "", markdown_table(prepared.tables["r1"], "r1")]
    return "\n".join(parts)


@task(name="publish-approval-request")
def publish_approval_request(prepared: ProvinceTables) -> None:
    create_markdown_artifact(
        key=f"approval-{prepared.year}-{prepared.province_code}",
        markdown=approval_request_markdown(prepared, []),
        description="Bảng tổng hợp cấp tỉnh trình phê duyệt",
    )
