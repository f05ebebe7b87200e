"""Finding and answering a waiting approval from outside the flow (the CLI, the demo, tests).

The province approves every round: from 2025 its own round (it consolidates its communes directly),
up to 2024 its districts' rounds rolled up. The approval run is `approval-<year>-province-<code>`
on both maps."""

from __future__ import annotations

import re
import time

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.flow_runs import resume_flow_run

from rasoat.admin.scope import scope_from_options
from rasoat.admin_units import province_of_district


class NoWaitingApprovalError(LookupError):
    """No approval run of that round (year and province) is waiting for a decision."""


def approval_run_name(year: int, province_code: str) -> str:
    """`approval-2026-province-44` (a two-tier year), `approval-2024-province-45` (up to 2024)."""
    return f"approval-{year}-province-{int(province_code):02d}"


def parse_round(text: str) -> tuple[int, str]:
    """The year and the province whose approval is meant: `2026-44`, `2026/44`,
    `approval-2026-province-44`, `review-2026-province-44` → (2026, "44"). A 3-digit code is a
    district of the three-level map, for rounds up to 2024: `2024-468`, `review-2024-district-468`
    → (2024, "45")."""
    found = re.search(r"(20\d\d)\D+(?:[a-z]+\D+)?(\d{2,3})$", text.strip())
    if not found:
        raise ValueError(
            f"không hiểu đợt rà soát '{text}'; ví dụ: 2026-44 (năm-mã tỉnh); "
            "đợt đến năm 2024 cũng ghi được năm-mã huyện, ví dụ 2024-468"
        )
    year, code = int(found.group(1)), found.group(2)
    if len(code) == 3:
        scope_from_options(year, code, None)  # a district of a two-tier year: refused in one sentence
        return year, province_of_district(code)
    return year, code


def _paused_approval(client: SyncPrefectClient, year: int, province_code: str) -> FlowRun | None:
    runs = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[approval_run_name(year, province_code)]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
        )
    )
    return runs[0] if runs else None


def waiting_approval(year: int, province_code: str) -> FlowRun | None:
    with get_client(sync_client=True) as client:
        return _paused_approval(client, year, province_code)


def wait_for_approval_request(year: int, province_code: str, timeout_s: float = 300) -> FlowRun:
    """Poll every second with ONE client: a client per poll built a new TLS context each time
    (≈ 0.1 s of CPU a poll, ≈ 15 % of a core taken from the round it waits for)."""
    deadline = time.monotonic() + timeout_s
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = _paused_approval(client, year, province_code)
            if run is not None:
                return run
            time.sleep(1)
    raise NoWaitingApprovalError(
        f"không có yêu cầu phê duyệt nào của tỉnh {province_code}, đợt năm {year}, "
        f"sau {timeout_s:.0f} giây ({approval_run_name(year, province_code)})"
    )


def answer_approval(year: int, province_code: str, answer: dict[str, object]) -> FlowRun:
    run = waiting_approval(year, province_code)
    if run is None:
        raise NoWaitingApprovalError(
            f"không có đợt phê duyệt nào đang chờ ({approval_run_name(year, province_code)}); "
            "kiểm tra bằng `rasoat round status`"
        )
    resume_flow_run(run.id, run_input=answer)
    return run
