"""Flow `commune_submission`: intake then validation of one commune's file, as two subflows."""

from __future__ import annotations

from prefect import flow

from flows.commune_intake import commune_intake
from flows.run_names import submission_run_name
from flows.validation import validation
from rasoat.pipeline.validation_stage import Validated
from rasoat.prefect_settings import subflows_beat_with_parent
from rasoat.task_runner import task_runner_from_config


@flow(name="commune_submission", flow_run_name=submission_run_name, task_runner=task_runner_from_config())
def commune_submission(
    file: str,
    year: int,
    scope_code: str | None = None,
    commune_code: str | None = None,
    received_by: str = "cli",
    data_docs: bool = True,
) -> Validated:
    """A commune's file from arrival to verdict: kept, read, checked, accepted or sent back."""
    with subflows_beat_with_parent():
        received = commune_intake(file, year, scope_code, commune_code, received_by)
        return validation(received.submission_id, year, received_by, data_docs)
