"""Task of a round: one commune's inbox files, oldest first, through intake and validation.

A round maps this task over its communes on the flow's task runner, so communes are validated side
by side (Dask worker processes: one per core, or a cluster). One task run per commune, with only the
cached validation nested in it, instead of the three flow runs of `commune_submission`: a flow run
costs seconds of orchestration, which a province's hundreds of communes would multiply.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task

from rasoat.db import session_scope, shared_engine
from rasoat.freed_memory import return_freed_memory
from rasoat.intake.cache import forget as forget_parse
from rasoat.pipeline.commune_partials import keep_partial
from rasoat.pipeline.identify import identify
from rasoat.pipeline.inbox import inbox_files
from rasoat.pipeline.validation_stage import Validated, validation_inputs
from tasks.intake import keep_and_read
from tasks.retrying import TRANSIENT_RETRIES
from tasks.validation import validate_submission_task, validation_artifacts


@task(name="inbox-by-commune")
def inbox_by_commune(year: int, scope_code: str) -> dict[str, list[str]]:
    """The round's inbox files (a district's, or a two-tier province's) grouped by commune, each
    commune's in order of arrival, the communes with the most bytes waiting first. A file whose
    commune cannot be told from its name, or is not on the year's map, fails here, before any work
    starts.

    The task runner starts tasks in the order they are handed to it: the largest communes first
    leave the small ones to fill the end, so the workers finish nearly together instead of one
    taking the province's largest file alone while the other waits."""
    grouped: dict[str, list[str]] = {}
    size: dict[str, int] = {}
    for path in inbox_files(year, scope_code):
        filing = identify(path.name, None, scope_code, year)
        grouped.setdefault(filing.commune_code, []).append(str(path))
        size[filing.commune_code] = size.get(filing.commune_code, 0) + path.stat().st_size
    return {code: grouped[code] for code in sorted(grouped, key=lambda c: (-size[c], c))}


@task(
    name="commune-files",
    task_run_name="commune-{commune_code}",
    **TRANSIENT_RETRIES,
)
def take_in_commune(
    commune_code: str,
    files: list[str],
    year: int,
    scope_code: str,
    received_by: str = "cli",
    data_docs: bool = True,
) -> Validated:
    """Keep, read and check each of the commune's files in turn; the last one's verdict stands, and
    an accepted file's count rows for the consolidation are kept with it.

    Intake and the artifacts run inside this task run; only the validation is a task run of its own,
    for its cache (an unchanged file with unchanged neighbours keeps its verdict). A transient
    failure retries the whole commune: keeping the same bytes again and recording the same verdict
    again change nothing."""
    validated: Validated | None = None
    for file in files:
        filing = identify(Path(file).name, commune_code, scope_code, year)
        received = keep_and_read(file, year, filing, received_by)
        with session_scope(shared_engine()) as session:
            inputs = validation_inputs(session, received.submission_id)
        validated = validate_submission_task(received.submission_id, received_by, inputs, data_docs)
        validation_artifacts(validated, year)  # on this task run
        forget_parse(received.sha256)  # intake and validation have read it; the next commune is another
    if validated is None:
        raise ValueError(f"commune {commune_code}: no file to take in")
    if validated.accepted:
        # Kept by the validation when it recorded the verdict; counted here from the database when
        # the verdict came from the cache (the file and its neighbours unchanged).
        keep_partial(shared_engine(), validated.submission_id)
    return_freed_memory()  # the worker's next commune may be small: not this one's peak beside it
    return validated
