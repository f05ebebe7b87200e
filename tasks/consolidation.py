"""Tasks of district consolidation: build the tables, check them, show them to operators."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from rasoat.consolidation import TITLES_VI, headers_vi
from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.consolidation_stage import (
    CommuneData,
    CommuneRef,
    ConsolidationOutcome,
    ConsolidationPlan,
    consolidate_plan,
    load_commune,
    plan_consolidation,
)
from rasoat.validation.findings import SEVERITY_LABELS_VI
from tasks.cache_keys import commune_data_key
from tasks.retrying import RETRIES, RETRY_DELAYS, transient

SHOWN_TABLES = ("r1", "r2", "r3")  # the UI shows these as markdown; all tables go to the XLSX export


@task(
    name="plan-consolidation",
    task_run_name="plan-consolidation-round-{round_id}",
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=transient,
)
def plan_consolidation_task(round_id: int, without_missing: bool, reason: str | None) -> ConsolidationPlan:
    with session_scope(shared_engine()) as session:
        return plan_consolidation(session, round_id, without_missing=without_missing, reason=reason)


@task(
    name="commune-data",
    task_run_name="commune-data-{ref.commune_code}",
    cache_key_fn=commune_data_key,
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=transient,
)
def commune_data_task(ref: CommuneRef, standard_label: str) -> CommuneData:
    """One commune's accepted rows; cached while its file, the standard and the code are unchanged."""
    with session_scope(shared_engine()) as session:
        return load_commune(session, ref)


@task(
    name="consolidate-district",
    task_run_name="consolidate-district-{plan.district_code}",
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=transient,
)
def consolidate_district_task(
    plan: ConsolidationPlan, data: list[CommuneData], actor: str
) -> ConsolidationOutcome:
    with session_scope(shared_engine()) as session:
        outcome = consolidate_plan(session, plan, data, actor)
    get_run_logger().info(
        "district %s: consolidation %s of %s communes (%s missing%s), checks %s",
        outcome.district_code,
        outcome.consolidation_id,
        len(outcome.included),
        len(outcome.missing),
        ", consolidated without them" if outcome.forced else "",
        "passed" if outcome.passed else "FAILED",
    )
    return outcome


def district_limit_name(district_code: str) -> str:
    return f"rasoat-consolidation-{int(district_code):03d}"


@task(name="district-lock")
def ensure_district_limit(district_code: str) -> str:
    """A global concurrency limit of one slot per district (listed under Concurrency in the UI):
    two runs that consolidate the same district wait for each other instead of interleaving."""
    from prefect import get_client

    name = district_limit_name(district_code)
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(name, limit=1)
    return name


def markdown_table(frame: pd.DataFrame, key: str) -> str:
    headers = {"tt": "TT", "name": "Đơn vị", "unit": "", **headers_vi(key)}
    keep = [c for c in frame.columns if c in headers and c not in ("code", "level", "parent_code", "no_data")]
    shown = frame[keep].rename(columns=headers).fillna("")
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in shown.itertuples(index=False)]
    return "\n".join(lines)


@task(name="publish-consolidation")
def publish_consolidation(outcome: ConsolidationOutcome, year: int) -> None:
    """Operators see the checks, the missing communes and the main tables. Units only, no people."""
    key = f"consolidation-{year}-{outcome.district_code}"
    create_table_artifact(
        key=f"{key}-checks",
        table=[
            {
                "Kiểm tra": c.title_vi,
                "Mã kiểm tra": c.check,
                "Mức": SEVERITY_LABELS_VI[c.severity],
                "Số dòng": c.evaluated,
                "Lỗi": c.failed,
            }
            for c in outcome.checks
        ],
        description=f"Kiểm tra bảng tổng hợp huyện {outcome.district_code}, năm {year}",
    )
    parts = [f"# Tổng hợp huyện {outcome.district_code}, năm {year}", ""]
    if outcome.missing:
        parts.append(
            "**Xã chưa có dữ liệu được chấp nhận** (tổng hợp không có các xã này theo quyết định ghi lại):"
        )
        parts += [f"- {code}: {why}" for code, why in outcome.missing.items()]
        parts.append("")
    if not outcome.has_baseline:
        parts.append(
            "_Chưa có danh sách hộ nghèo, cận nghèo năm trước: diễn biến (R2, R3) tính như năm đầu._\n"
        )
    for failure in outcome.failures:
        parts.append(f"- ⚠ {failure['message_vi']}")
    if outcome.tables is not None:
        for table_key in SHOWN_TABLES:
            parts += [
                "",
                f"## {TITLES_VI[table_key]}",
                "",
                markdown_table(outcome.tables[table_key], table_key),
            ]
    parts.append(f"\nMã băm dữ liệu: `{outcome.data_sha256[:16]}`")
    create_markdown_artifact(key=key, markdown="\n".join(parts), description="Bảng tổng hợp cấp huyện")
