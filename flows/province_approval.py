"""Flow `province_approval`: the province's tables, then a person's decision in the Prefect UI."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run, suspend_flow_run

from flows.documents import province_documents_flow
from rasoat.operations.approval_form import ApprovalInput, approval_request_markdown, decision_errors
from rasoat.prefect_settings import subflows_beat_with_parent
from rasoat.task_runner import task_runner_from_config
from tasks.approval import (
    current_fingerprint,
    prepare_province,
    publish_approval_request,
    record_decision_task,
)

HOUR = 3600


class DataChangedError(RuntimeError):
    """A commune's data changed while the decision was pending: the decision would not match it."""


def _ask(markdown: str, key: str, timeout: int) -> ApprovalInput:
    form = ApprovalInput.with_initial_data(description=markdown)
    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None and context.flow_run.deployment_id:
        # Deployed: the process exits while the run waits, so restarts of the server or the worker
        # lose nothing; on resume the run starts again and its persisted tasks are not redone.
        return suspend_flow_run(wait_for_input=form, timeout=timeout, key=key)
    # Local (CLI, demo, tests): this process waits; `rasoat approve` resumes it from another one.
    return pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=2, key=key)


@flow(
    name="province_approval",
    flow_run_name="approval-{year}-province-{province_code}",
    persist_result=True,
    task_runner=task_runner_from_config(),
)
def province_approval(
    year: int, province_code: str, actor: str = "cli", timeout_hours: float = 24 * 30
) -> dict[str, object]:
    """The province's tables (its own consolidation of its communes from 2025; up to 2024 its
    districts rolled up), then wait for the approver's decision.

    Args:
        year: review year.
        province_code: the province (2 digits), e.g. 44 for Quảng Trị (45 up to 2024).
        actor: who started the approval.
        timeout_hours: how long the decision may wait before the run fails.
    """
    prepared = prepare_province(year, province_code, actor)
    publish_approval_request(prepared)
    errors: list[str] = []
    attempt = 1
    while True:
        answer = _ask(
            approval_request_markdown(prepared, errors), f"approval-{attempt}", int(timeout_hours * HOUR)
        )
        errors = decision_errors(answer)
        if not errors:
            break
        get_run_logger().warning("decision %s incomplete (%s); asking again", attempt, "; ".join(errors))
        attempt += 1
    if current_fingerprint(year, province_code, actor) != prepared.data_sha256:
        raise DataChangedError(
            "dữ liệu của tỉnh đã thay đổi sau khi trình phê duyệt; quyết định không được ghi. "
            "Chạy lại bước phê duyệt để trình số liệu mới."
        )
    decision = record_decision_task(prepared, answer, actor)
    if decision.get("decision") == "approved":
        # The province's decision document, signed by the approver just recorded: written here so
        # a deployed approval (its own run, resumed days later) produces it too.
        with subflows_beat_with_parent():
            issued = province_documents_flow(year, province_code, int(decision["approval_id"]), actor)
        decision = {**decision, "documents": len(issued)}
    return decision
