"""Flow `review_round`: a whole review round, stage after stage: for a district or a province on the
three-level map (rounds up to 2024), for a province on the two-tier map (from 2025)."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.futures import PrefectFutureList
from prefect.runtime import deployment, flow_run

from flows.consolidation import consolidation
from flows.documents import documents_flow
from flows.province_approval import province_approval
from rasoat.admin.scope import scope_from_options
from rasoat.pipeline.validation_stage import Validated
from rasoat.prefect_settings import subflows_beat_with_parent
from rasoat.task_runner import task_runner_from_config
from rasoat.unit_codes import province_code as normalised_province
from tasks.approval_request import request_approval
from tasks.commune_files import inbox_by_commune, take_in_commune
from tasks.rounds import open_round, scopes_in_round


def review_run_name() -> str:
    p = flow_run.parameters
    if p.get("district_code"):
        return f"review-{p['year']}-district-{p['district_code']}"
    return f"review-{p['year']}-province-{p.get('province_code')}"


@flow(name="review_round", flow_run_name=review_run_name, task_runner=task_runner_from_config())
def review_round(
    year: int,
    district_code: str | None = None,
    province_code: str | None = None,
    actor: str = "cli",
    without_missing: bool = False,
    reason: str | None = None,
    approve: bool = True,
    certificates: bool = True,
) -> dict[str, object]:
    """Take in every file of the round's inbox, validate, consolidate (each district on the
    three-level map, the province's communes directly on the two-tier map) and write the documents,
    then ask the province for approval and, when approved, write its decision.

    Args:
        year: review year; its map says whether communes report to a district or the province.
        district_code: a district round (3 digits), e.g. 468 for Cam Lộ; rounds up to 2024 only.
        province_code: a province round (2 digits), e.g. 44 for Quảng Trị: from 2025 its communes,
            up to 2024 every district with files in the inbox.
        actor: who starts the round (account or role).
        without_missing: consolidate even if some communes have no accepted data.
        reason: why consolidating without them (required with without_missing; recorded).
        approve: ask for the province's approval at the end.
        certificates: issue the households' certificates with the communes' documents.
    """
    unit = scope_from_options(year, district_code, province_code)  # a district of 2025 on: refused
    province = unit.province_code if unit else normalised_province(str(province_code))
    units = [unit.code] if unit else scopes_in_round(year, province)
    verdicts: dict[str, str] = {}
    consolidations: dict[str, int] = {}
    documents: dict[str, int] = {}  # unit code → files written
    # Every commune of the round is handed to the task runner at once (side by side on Dask's
    # workers); each consolidating unit consolidates, in this process, as soon as its own communes
    # are done, while the workers go on with the next units' communes; its documents are one task
    # per commune on the same runner.
    communes: dict[str, PrefectFutureList[Validated]] = {}
    round_ids: dict[str, int] = {}
    for code in units:
        round_ids[code] = open_round(year, code, actor)  # the database is ready first
        grouped = inbox_by_commune(year, code)
        communes[code] = take_in_commune.map(
            list(grouped),
            list(grouped.values()),
            year=unmapped(year),
            scope_code=unmapped(code),
            received_by=unmapped(actor),
        )
    for code in units:
        for validated in communes[code].result():
            verdicts[validated.commune_code] = validated.verdict
        with subflows_beat_with_parent():
            outcome = consolidation(round_ids[code], year, code, actor, without_missing, reason)
            issued = documents_flow(outcome.consolidation_id, year, code, certificates)
        consolidations[code] = outcome.consolidation_id
        documents[code] = len(issued)
    decision = None
    if approve and deployment.id:
        decision = request_approval(year, province, actor)  # its own run, suspended while it waits
    elif approve:
        with subflows_beat_with_parent():
            decision = province_approval(year, province, actor)  # local: this process waits
    if decision is not None and "documents" in decision:
        documents[province] = int(decision["documents"])  # the approval run writes the province's
    return {
        "verdicts": verdicts,
        "consolidations": consolidations,
        "approval": decision,
        "documents": documents,
    }
