"""Task of a round: one commune's inbox files, oldest first, through intake and validation.

A round maps this task over its communes on the flow's task runner, so communes are validated side
by side (Dask worker processes: one per core, or a cluster). One task run per commune, with only
the cached validation task nested in it (intake and the artifacts as in `commune_submission`),
instead of the three flow runs of `commune_submission`: a flow run waits on its heartbeat thread at
exit, which a province's 210 communes would feel, and every run costs the Prefect server work too.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task

from rasoat.db import session_scope, shared_engine
from rasoat.pipeline.identify import identify
from rasoat.pipeline.inbox import inbox_files
from rasoat.pipeline.validation_stage import Validated, validation_inputs
from tasks.intake import keep_and_read
from tasks.retrying import RETRIES, RETRY_DELAYS, transient
from tasks.validation import publish_validation, validate_submission_task


@task(name="inbox-by-commune")
def inbox_by_commune(year: int, district_code: str) -> dict[str, list[str]]:
    """The district's inbox files grouped by commune, each commune's in order of arrival. A file
    whose commune cannot be told from its name fails here, before any work starts."""
    grouped: dict[str, list[str]] = {}
    for path in inbox_files(year, district_code):
        filing = identify(path.name, None, district_code)
        grouped.setdefault(filing.commune_code, []).append(str(path))
    return grouped


@task(
    name="commune-files",
    task_run_name="commune-{commune_code}",
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=transient,
)
def take_in_commune(
    commune_code: str,
    files: list[str],
    year: int,
    district_code: str,
    received_by: str = "cli",
    data_docs: bool = True,
) -> Validated:
    """Keep, read and check each of the commune's files in turn; the last one's verdict stands.

    Intake and the artifacts run inside this task run; only the validation is a task run of its own,
    for its cache (an unchanged file with unchanged neighbours keeps its verdict). A transient
    failure retries the whole commune: keeping the same bytes again and recording the same verdict
    again change nothing."""
    validated: Validated | None = None
    for file in files:
        filing = identify(Path(file).name, commune_code, district_code)
        received = keep_and_read(file, year, filing, received_by)
        with session_scope(shared_engine()) as session:
            inputs = validation_inputs(session, received.submission_id)
        validated = validate_submission_task(received.submission_id, received_by, inputs, data_docs)
        publish_validation.fn(validated, year)  # the artifacts, on this task run
    if validated is None:
        raise ValueError(f"commune {commune_code}: no file to take in")
    return validated
