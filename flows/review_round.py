"""Flow `review_round`: a whole review round for a district or a province, stage after stage."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.futures import PrefectFutureList
from prefect.runtime import deployment, flow_run

from flows.district_consolidation import district_consolidation
from flows.documents import district_documents_flow
from flows.province_approval import province_approval
from rasoat.admin_units import province_of_district
from rasoat.pipeline.validation_stage import Validated
from rasoat.task_runner import task_runner_from_config
from tasks.approval_request import request_approval
from tasks.commune_files import inbox_by_commune, take_in_commune
from tasks.rounds import districts_in_round, open_district_round


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
    """Take in every file of the round's inbox, validate, consolidate each district and write its
    documents, then ask the province for approval and, when approved, write its decision.

    Args:
        year: review year.
        district_code: a district round (3 digits), e.g. 468 for Cam Lộ.
        province_code: a province round (2 digits): every district with files in the inbox.
        actor: who starts the round (account or role).
        without_missing: consolidate districts even if some communes have no accepted data.
        reason: why consolidating without them (required with without_missing; recorded).
        approve: ask for the province's approval at the end.
        certificates: issue the households' certificates with the districts' documents.
    """
    if bool(district_code) == bool(province_code):
        raise ValueError("chọn đúng một phạm vi: district_code hoặc province_code")
    province = province_code or province_of_district(str(district_code))
    district_list = [str(district_code)] if district_code else districts_in_round(year, province)
    verdicts: dict[str, str] = {}
    consolidations: dict[str, int] = {}
    documents: dict[str, int] = {}  # unit code → files written
    # Every commune of the round is handed to the task runner at once (side by side on Dask's
    # workers); each district consolidates and writes its documents, in this process, as soon as
    # its own communes are done, while the workers go on with the next districts' communes.
    communes: dict[str, PrefectFutureList[Validated]] = {}
    round_ids: dict[str, int] = {}
    for district in district_list:
        round_ids[district] = open_district_round(year, district, actor)  # the database is ready first
        grouped = inbox_by_commune(year, district)
        communes[district] = take_in_commune.map(
            list(grouped),
            list(grouped.values()),
            year=unmapped(year),
            district_code=unmapped(district),
            received_by=unmapped(actor),
        )
    for district in district_list:
        for validated in communes[district].result():
            verdicts[validated.commune_code] = validated.verdict
        outcome = district_consolidation(round_ids[district], year, district, actor, without_missing, reason)
        consolidations[district] = outcome.consolidation_id
        issued = district_documents_flow(outcome.consolidation_id, year, district, certificates)
        documents[district] = len(issued)
    decision = None
    if approve and deployment.id:
        decision = request_approval(year, province, actor)  # its own run, suspended while it waits
    elif approve:
        decision = province_approval(year, province, actor)  # local: this process waits
    if decision is not None and "documents" in decision:
        documents[province] = int(decision["documents"])  # the approval run writes the province's
    return {
        "verdicts": verdicts,
        "consolidations": consolidations,
        "approval": decision,
        "documents": documents,
    }
