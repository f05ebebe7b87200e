"""The approval form: what the Prefect UI shows the province's approver, and what it accepts.

`rasoat approve` fills in the same form from the command line. A paused run that receives input its
schema refuses fails for good (Prefect #12279), so what the schema cannot say is checked by
`decision_errors` and the flow asks again.
"""

from __future__ import annotations

from typing import Literal

from prefect.input import RunInput
from pydantic import Field

from rasoat.consolidation.markdown import markdown_table
from rasoat.pipeline.approval_stage import Decision, ProvinceTables


class ApprovalInput(RunInput):
    """The form the Prefect UI shows the approver (and `rasoat approve` fills in)."""

    decision: Literal["approve", "reject"] = Field(
        title="Quyết định",
        description="approve = phê duyệt kết quả rà soát; reject = trả lại, kèm lý do",
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
    """What the form's schema cannot say: a number to approve, a reason to send back."""
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


def approval_request_markdown(prepared: ProvinceTables, errors: list[str]) -> str:
    """The form's description: what is being approved, bound to which data, and the last errors."""
    r1 = prepared.tables["r1"]
    # Two-tier map: the province consolidated its communes itself, there is no district to list;
    # the approver sees how many took part when some were left out by a recorded decision.
    communes = r1["level"] == "commune"
    with_data = int((communes & ~r1["no_data"].astype(bool)).sum())
    scope = (
        f"{int(communes.sum())} xã, phường, đặc khu"
        + (
            f" ({with_data} có dữ liệu, các đơn vị còn lại vắng theo quyết định đã ghi)"
            if with_data < communes.sum()
            else ""
        )
        if prepared.direct
        else f"các huyện: {', '.join(sorted(prepared.district_rounds))}"
    )
    parts = [
        f"# Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm {prepared.year}",
        f"**{prepared.tables.unit.name}** — {scope}",
        "",
        f"Mã băm dữ liệu được phê duyệt: `{prepared.data_sha256}`. Nếu dữ liệu của bất kỳ xã nào thay "
        "đổi sau khi phê duyệt, quyết định hết hiệu lực và cần phê duyệt lại.",
    ]
    if errors:
        parts += ["", "**Lần nhập trước chưa hợp lệ:**", *(f"- {e}" for e in errors)]
    parts += ["", "## Tổng hợp kết quả", "", markdown_table(prepared.tables["r1"], "r1")]
    return "\n".join(parts)
