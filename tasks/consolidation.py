"""Tasks of district consolidation: build the tables, check them, show them to operators."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from rasoat.consolidation import TITLES_VI, headers_vi
from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.consolidation_stage import ConsolidationOutcome, consolidate_round
from rasoat.validation.findings import SEVERITY_LABELS_VI

SHOWN_TABLES = ("r1", "r2", "r3")  # the UI shows these as markdown; all tables go to the XLSX export


@task(name="consolidate-district", retries=2, retry_delay_seconds=3)
def consolidate_district_task(
    round_id: int, actor: str, without_missing: bool, reason: str | None
) -> ConsolidationOutcome:
    with session_scope(shared_engine()) as session:
        outcome = consolidate_round(session, round_id, actor, without_missing=without_missing, reason=reason)
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
