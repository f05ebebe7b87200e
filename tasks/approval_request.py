"""Asking the province from a deployed round: a separate run of the approval deployment.

A subflow cannot be suspended, so an approval run inside a deployed round would keep the round's
process waiting for days. A deployed round hands the approval to the `province_approval/approval`
deployment instead: that run suspends (no process waits) and the round ends.
"""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.deployments import run_deployment

APPROVAL_DEPLOYMENT = "province_approval/approval"


@task(name="request-approval", task_run_name="request-approval-{year}-{province_code}")
def request_approval(year: int, province_code: str, actor: str) -> dict[str, object]:
    run = run_deployment(
        APPROVAL_DEPLOYMENT,
        parameters={"year": year, "province_code": province_code, "actor": actor},
        timeout=0,  # do not wait: the decision may take days
        as_subflow=False,
    )
    get_run_logger().info("approval requested: run %s of %s", run.name, APPROVAL_DEPLOYMENT)
    return {"decision": "requested", "flow_run_id": str(run.id), "flow_run_name": run.name}
