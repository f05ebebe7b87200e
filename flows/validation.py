"""Flow `validation`: the data-quality gate for one stored submission."""

from __future__ import annotations

from prefect import flow

from rasoat.pipeline.validation_stage import Validated
from rasoat.task_runner import task_runner_from_config
from tasks.consolidation import keep_partial_task
from tasks.validation import publish_validation, validate_submission_task, validation_inputs_task


@flow(
    name="validation",
    flow_run_name="validation-{year}-submission-{submission_id}",
    task_runner=task_runner_from_config(),
)
def validation(submission_id: int, year: int, actor: str = "cli", data_docs: bool = True) -> Validated:
    """Run the Great Expectations suites on a stored submission; blocking failures reject it.

    Args:
        submission_id: the stored submission (from commune_intake).
        year: the round's review year (shown in the run name).
        actor: who asked for the validation.
        data_docs: also build Great Expectations Data Docs next to the feedback.
    """
    inputs = validation_inputs_task(submission_id)
    validated = validate_submission_task(submission_id, actor, inputs, data_docs)
    publish_validation(validated, year)
    if validated.accepted:
        keep_partial_task(submission_id)  # the consolidation adds these up instead of reading rows
    return validated
