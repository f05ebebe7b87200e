"""Flow `consolidation`: the official tables of a district's communes (three-level map, rounds up to
2024) or of a province's communes (two-tier map, from 2025), from their accepted data. One flow for
both maps; its run name says which (`consolidation-2024-district-468`, `consolidation-2026-province-44`)."""

from __future__ import annotations

from prefect import flow
from prefect.concurrency.sync import concurrency
from prefect.runtime import flow_run

from rasoat.admin.scope import scope
from rasoat.pipeline.consolidation_stage import ConsolidationOutcome
from tasks.consolidation import (
    commune_partials_task,
    consolidate_task,
    ensure_scope_limit,
    plan_consolidation_task,
    publish_consolidation,
    write_overview_task,
)

LOCK_TIMEOUT_SECONDS = 30 * 60  # a consolidation takes seconds; waiting longer means a stuck run


def consolidation_run_name() -> str:
    p = flow_run.parameters
    return f"consolidation-{p['year']}-{scope(p['year'], p['scope_code']).run_label}"


@flow(
    name="consolidation",
    flow_run_name=consolidation_run_name,
)
def consolidation(
    round_id: int,
    year: int,
    scope_code: str,
    actor: str = "cli",
    without_missing: bool = False,
    reason: str | None = None,
) -> ConsolidationOutcome:
    """Build tables R1–R11 with commune rows and the total of the district (or province), and check
    their invariants.

    Args:
        round_id: the round that consolidates (the district's, or the two-tier province's).
        year: review year.
        scope_code: the district (3 digits, rounds up to 2024) or province (2 digits, from 2025).
        actor: who runs the consolidation.
        without_missing: consolidate even though some communes have no accepted data.
        reason: why consolidating without them (required with without_missing; recorded).
    """
    limit = ensure_scope_limit(year, scope_code)
    # Plan, read and record under the unit's one slot: a second rerun of the same unit waits
    # here, then plans again from the data the first one left.
    with concurrency(limit, occupy=1, timeout_seconds=LOCK_TIMEOUT_SECONDS, strict=True):
        plan = plan_consolidation_task(round_id, without_missing, reason)
        outcome = consolidate_task(plan, commune_partials_task(plan), actor)
    publish_consolidation(outcome, year)
    write_overview_task(year, scope_code)
    if not outcome.passed:
        raise RuntimeError(
            f"bảng tổng hợp {scope(year, scope_code).label_vi} không đạt kiểm tra: "
            + ", ".join(c.check for c in outcome.checks if not c.success and c.severity.value == "blocking")
        )
    return outcome
