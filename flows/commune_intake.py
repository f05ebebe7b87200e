"""Flow `commune_intake`: a commune's file enters the system and is kept, whatever it holds."""

from __future__ import annotations

from prefect import flow

from flows.run_names import intake_run_name
from rasoat.pipeline.intake import Received
from rasoat.task_runner import task_runner_from_config
from tasks.intake import identify_commune, store_and_read


@flow(
    name="commune_intake",
    flow_run_name=intake_run_name,
    log_prints=False,
    task_runner=task_runner_from_config(),
)
def commune_intake(
    file: str,
    year: int,
    scope_code: str | None = None,
    commune_code: str | None = None,
    received_by: str = "cli",
) -> Received:
    """Store the file's bytes (same bytes again: no new version), read it, record provenance.

    Args:
        file: path of the commune's workbook or CSV, named by its commune code (e.g. 19597.xlsx).
        year: review year; selects the poverty standard.
        scope_code: the unit the round consolidates: the district (3 digits) up to 2024, the
            province (2 digits) from 2025; defaults to the commune's own.
        commune_code: the sending commune (5 digits) when the file name does not carry it.
        received_by: who hands the file in (an account or role name, not a person's name).
    """
    filing = identify_commune(file, commune_code, scope_code, year)
    return store_and_read(file, year, filing, received_by)
