"""Tasks of consolidation (a district's communes, or a two-tier province's): build the tables, check
them, show them to operators."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlalchemy.orm import Session

from rasoat.admin.scope import LEVEL_VI, scope
from rasoat.consolidation import TITLES_VI
from rasoat.consolidation.markdown import markdown_table, rates_markdown
from rasoat.db import shared_engine
from rasoat.pipeline.commune_partials import KeptPartial, keep_partial
from rasoat.pipeline.consolidation_stage import (
    ConsolidationOutcome,
    ConsolidationPlan,
    consolidate_plan,
    load_partials,
    plan_consolidation,
)
from rasoat.pipeline.overview import overview_path, write_overview
from rasoat.validation.findings import SEVERITY_LABELS_VI
from tasks.database_task import database_task
from tasks.retrying import TRANSIENT_RETRIES

SHOWN_TABLES = ("r1", "r2", "r3")  # the UI shows these as markdown; all tables go to the XLSX export


@database_task("plan-consolidation", task_run_name="plan-consolidation-round-{round_id}")
def plan_consolidation_task(
    session: Session, round_id: int, without_missing: bool, reason: str | None
) -> ConsolidationPlan:
    return plan_consolidation(session, round_id, without_missing=without_missing, reason=reason)


@database_task("commune-partials", task_run_name="commune-partials-round-{plan.round_id}")
def commune_partials_task(session: Session, plan: ConsolidationPlan) -> list[KeptPartial]:
    """The included communes' count rows: kept when their files were accepted (one query for all),
    counted now for those whose file, standard or last years' lists changed since."""
    kept = load_partials(session, plan)
    fresh = sorted(k.partial.commune_code for k in kept if k.counted_now)
    get_run_logger().info(
        "%s: counts of %s communes kept, %s counted now%s",
        scope(plan.year, plan.scope_code).run_label,
        len(kept) - len(fresh),
        len(fresh),
        f" ({', '.join(fresh)})" if fresh else "",
    )
    return kept


@task(name="keep-commune-partial", task_run_name="keep-commune-partial-{submission_id}", **TRANSIENT_RETRIES)
def keep_partial_task(submission_id: int) -> None:
    """After a verdict: an accepted file's count rows, kept for the consolidation."""
    keep_partial(shared_engine(), submission_id)


@database_task("consolidate", task_run_name="consolidate-{plan.year}-{plan.scope_code}")
def consolidate_task(
    session: Session, plan: ConsolidationPlan, data: list[KeptPartial], actor: str
) -> ConsolidationOutcome:
    outcome = consolidate_plan(session, plan, data, actor)
    get_run_logger().info(
        "%s: consolidation %s of %s communes (%s missing%s), checks %s",
        scope(plan.year, plan.scope_code).run_label,
        outcome.consolidation_id,
        len(outcome.included),
        len(outcome.missing),
        ", consolidated without them" if outcome.forced else "",
        "passed" if outcome.passed else "FAILED",
    )
    return outcome


def scope_limit_name(year: int, scope_code: str) -> str:
    return f"rasoat-consolidation-{scope(year, scope_code).run_label}"


@task(name="consolidation-lock")
def ensure_scope_limit(year: int, scope_code: str) -> str:
    """A global concurrency limit of one slot per consolidating unit (listed under Concurrency in the
    UI): two runs that consolidate the same district or province wait for each other instead of
    interleaving."""
    from prefect import get_client

    name = scope_limit_name(year, scope_code)
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(name, limit=1)
    return name


def cross_district_units(year: int, scope_code: str, communes: list[str]) -> dict[str, list[str]]:
    """Units of a two-tier province formed from communes of several former districts, with those
    districts (empty on the three-level map)."""
    unit = scope(year, scope_code)
    if unit.level != "province":
        return {}
    found = {code: unit.map.former_districts(code) for code in sorted(communes)}
    return {code: districts for code, districts in found.items() if len(districts) > 1}


@task(name="publish-consolidation")
def publish_consolidation(outcome: ConsolidationOutcome, year: int) -> None:
    """Operators see the checks, the missing communes and the main tables. Units only, no people."""
    unit = scope(year, outcome.scope_code)
    key = f"consolidation-{year}-{outcome.scope_code}"
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
        description=f"Kiểm tra bảng tổng hợp {unit.label_vi}, năm {year}",
    )
    parts = [f"# Tổng hợp {unit.label_vi} ({unit.name}), năm {year}", ""]
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
    across = cross_district_units(year, outcome.scope_code, list(outcome.included))
    if across:
        parts.append(
            "**Đơn vị hình thành từ xã của nhiều huyện cũ** "
            "(so sánh với các năm trước 2025 theo huyện cũ cần lưu ý):"
        )
        parts += [f"- {code}: huyện cũ {', '.join(districts)}" for code, districts in across.items()]
        parts.append("")
    kept = len(outcome.included) - len(outcome.counted_now)
    line = f"Số liệu các xã: {kept} xã dùng số liệu đã tính khi tiếp nhận tệp"
    if outcome.counted_now:  # a file taken in before, or last years' lists changed since
        line += f"; tính lại từ dữ liệu hộ: {', '.join(outcome.counted_now)}"
    parts += [line + ".", ""]
    for failure in outcome.failures:
        parts.append(f"- ⚠ {failure['message_vi']}")
    if outcome.chart is not None:
        parts += ["", "## Tỷ lệ hộ nghèo, cận nghèo so với năm trước (điểm %, ▲ tăng, ▼ giảm)", ""]
        parts.append(rates_markdown(outcome.chart))
    if outcome.tables is not None:
        for table_key in SHOWN_TABLES:
            parts += [
                "",
                f"## {TITLES_VI[table_key]}",
                "",
                markdown_table(outcome.tables[table_key], table_key),
            ]
    parts.append(f"\nMã băm dữ liệu: `{outcome.data_sha256[:16]}`")
    create_markdown_artifact(
        key=key, markdown="\n".join(parts), description=f"Bảng tổng hợp cấp {LEVEL_VI[unit.level]}"
    )


@database_task("round-overview", task_run_name="round-overview-{year}-{unit_code}")
def write_overview_task(session: Session, year: int, unit_code: str) -> str:
    """The round overview page of the province of `unit_code` (a district's 3 digits or the
    province's 2), written again and linked from the run: every commune's state, the rates chart, the
    approval. Written after each consolidation and after each documents run (fresh links)."""
    province = unit_code if len(unit_code) == 2 else scope(year, unit_code).province_code
    path = overview_path(year, province)
    write_overview(session, year, path, province)
    create_link_artifact(
        key=f"overview-{year}-{province}",
        link=f"file://{path}",
        link_text=f"Trang tổng quan rà soát năm {year}",
        description=f"Tổng quan: tình trạng các xã, biểu đồ tỷ lệ, phê duyệt (tỉnh {province})",
    )
    get_run_logger().info("overview page of %s for province %s: %s", year, province, path)
    return str(path)
