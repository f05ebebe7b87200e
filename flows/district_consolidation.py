"""Flow `district_consolidation`: the district's official tables from its accepted communes."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.concurrency.sync import concurrency
from prefect.task_runners import ThreadPoolTaskRunner

from rasoat.pipeline.consolidation_stage import ConsolidationOutcome
from tasks.consolidation import (
    commune_data_task,
    consolidate_district_task,
    ensure_district_limit,
    plan_consolidation_task,
    publish_consolidation,
    write_overview_task,
)

LOCK_TIMEOUT_SECONDS = 30 * 60  # a district's consolidation takes seconds; waiting longer means a stuck run


@flow(
    name="district_consolidation",
    flow_run_name="consolidation-{year}-district-{district_code}",
    # The per-commune reads return their frames to this process anyway: threads here read the
    # shared database directly (on Dask they would queue behind a round's commune validations and
    # travel back pickled).
    task_runner=ThreadPoolTaskRunner(max_workers=4),
)
def district_consolidation(
    round_id: int,
    year: int,
    district_code: str,
    actor: str = "cli",
    without_missing: bool = False,
    reason: str | None = None,
) -> ConsolidationOutcome:
    """Build tables R1–R11 with commune rows and the district total, and check their invariants.

    Args:
        round_id: the district's review round.
        year: review year (shown in the run name).
        district_code: the district (shown in the run name).
        actor: who runs the consolidation.
        without_missing: consolidate even though some communes have no accepted data.
        reason: why consolidating without them (required with without_missing; recorded).
    """
    limit = ensure_district_limit(district_code)
    # Plan, read and record under the district's one slot: a second rerun of the same district waits
    # here, then plans again from the data the first one left.
    with concurrency(limit, occupy=1, timeout_seconds=LOCK_TIMEOUT_SECONDS, strict=True):
        plan = plan_consolidation_task(round_id, without_missing, reason)
        futures = commune_data_task.map(plan.included, standard_label=unmapped(plan.standard_label))
        outcome = consolidate_district_task(plan, futures.result(), actor)
    publish_consolidation(outcome, year)
    write_overview_task(year, district_code)
    if not outcome.passed:
        raise RuntimeError(
            f"bảng tổng hợp huyện {district_code} không đạt kiểm tra: "
            + ", ".join(c.check for c in outcome.checks if not c.success and c.severity.value == "blocking")
        )
    return outcome
