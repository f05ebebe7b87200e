"""Flow `district_consolidation`: the district's official tables from its accepted communes."""

from __future__ import annotations

from prefect import flow

from rasoat.pipeline.consolidation_stage import ConsolidationOutcome
from tasks.consolidation import consolidate_district_task, publish_consolidation


@flow(name="district_consolidation", flow_run_name="consolidation-{year}-district-{district_code}")
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
    outcome = consolidate_district_task(round_id, actor, without_missing, reason)
    publish_consolidation(outcome, year)
    if not outcome.passed:
        raise RuntimeError(
            f"bảng tổng hợp huyện {district_code} không đạt kiểm tra: "
            + ", ".join(c.check for c in outcome.checks if not c.success and c.severity.value == "blocking")
        )
    return outcome
