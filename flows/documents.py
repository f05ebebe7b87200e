"""Flows of the documents stage: a consolidated unit's documents after its consolidation, the province's
decision after its approval."""

from __future__ import annotations

from prefect import flow, unmapped
from prefect.futures import wait
from prefect.runtime import flow_run

from rasoat.admin.scope import scope
from rasoat.pipeline.documents_stage import IssuedDocument, in_issue_order
from rasoat.task_runner import task_runner_from_config
from tasks.consolidation import write_overview_task
from tasks.documents import (
    commune_documents_task,
    documents_plan_task,
    province_documents_task,
    publish_documents,
    unit_documents_task,
)


def documents_run_name() -> str:
    p = flow_run.parameters
    return f"documents-{p['year']}-{scope(p['year'], p['scope_code']).run_label}"


@flow(name="documents", flow_run_name=documents_run_name, task_runner=task_runner_from_config())
def documents_flow(
    consolidation_id: int, year: int, scope_code: str, certificates: bool = True
) -> list[IssuedDocument]:
    """Each commune's notice, decision, report, certificates and lists, one task per commune on the
    task runner (Dask's workers for a province); the consolidating unit's report and tables (a
    district's, or a two-tier province's).

    Args:
        consolidation_id: the consolidation whose data the documents show.
        year: review year.
        scope_code: the district (3 digits, up to 2024) or province (2 digits, from 2025).
        certificates: also issue the certificates (Mẫu 03); without them they can be issued by a
            later run, and keep their numbers then.
    """
    plan = documents_plan_task(consolidation_id)
    communes = commune_documents_task.map(
        unmapped(consolidation_id),
        list(plan.communes),
        issued_on=unmapped(plan.issued_on),
        certificates=unmapped(certificates),
    )
    unit = unit_documents_task.submit(consolidation_id, plan.issued_on)
    wait([*communes, unit])  # every commune records what it can before a failure fails the run
    issued = in_issue_order([*communes.result(), unit.result()])
    unit_scope = scope(year, scope_code)
    publish_documents(
        issued, f"documents-{year}-{unit_scope.code}", f"Văn bản {unit_scope.label_vi}, năm {year}"
    )
    write_overview_task(year, unit_scope.code)  # the page's links to the new documents
    return issued


@flow(name="province_documents", flow_run_name="decision-documents-{year}-province-{province_code}")
def province_documents_flow(
    year: int, province_code: str, approval_id: int, actor: str = "cli"
) -> list[IssuedDocument]:
    """The province's decision approving the round's results, signed by the recorded approver.

    Args:
        year: review year.
        province_code: the province (2 digits).
        approval_id: the recorded approval the decision carries out.
        actor: who runs the stage.
    """
    issued = province_documents_task(year, province_code, approval_id, actor)
    publish_documents(
        issued,
        f"decision-documents-{year}-{province_code}",
        f"Quyết định phê duyệt của tỉnh {province_code}, năm {year}",
    )
    write_overview_task(year, province_code)  # the approval and the decision on the page
    return issued
