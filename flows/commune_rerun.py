"""Flow `commune_rerun`: a commune's file dropped in the inbox (or corrected) reruns what it affects.

The deployment `commune_rerun/inbox` (prefect.yaml) starts it from the events the inbox watcher
emits (`rasoat.submission.received`, `rasoat.submission.corrected`), and staff can start it from the
Prefect UI's run form. Intake, validation and, once every commune of the round's district (or, from
2025, province) has accepted data, its consolidation show as its subflows.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.commune_submission import commune_submission
from flows.consolidation import consolidation
from flows.run_names import _commune_hint
from rasoat.admin.scope import commune_scope, scope
from rasoat.pipeline.validation_stage import Validated
from rasoat.prefect_settings import subflows_beat_with_parent
from rasoat.task_runner import task_runner_from_config
from tasks.rounds import communes_missing, open_round


def rerun_run_name() -> str:
    p = flow_run.parameters
    return f"inbox-{p.get('year')}-commune-{_commune_hint(p)}"


@flow(name="commune_rerun", flow_run_name=rerun_run_name, task_runner=task_runner_from_config())
def commune_rerun(
    file: str,
    year: int,
    scope_code: str | None = None,
    commune_code: str | None = None,
    received_by: str = "inbox-watcher",
    data_docs: bool = True,
) -> Validated:
    """Take in and validate a commune's file from the round's inbox (a new or a corrected file), then
    consolidate its district (or two-tier province) again when every commune of it has accepted data.

    Args:
        file: full path of the file in the inbox, e.g. RASOAT_HOME/inbox/2026/44/19597.xlsx.
            The file name must carry the commune's 5-digit code.
        year: review year (4 digits), e.g. 2026; selects the poverty standard.
        scope_code: the unit of the round: the province (2 digits, from 2025), e.g. 44 for Quảng
            Trị, or the district (3 digits, up to 2024), e.g. 468 for Cam Lộ; defaults to the commune's.
        commune_code: the commune's 5-digit code, only if the file name does not carry it.
        received_by: who hands the file in (an account or role, not a person's name).
        data_docs: also build the Great Expectations Data Docs for the commune's feedback.
    """
    with subflows_beat_with_parent():
        validated = commune_submission(file, year, scope_code, commune_code, received_by, data_docs)
    unit = scope_code or commune_scope(year, validated.commune_code).code
    missing = communes_missing(year, unit, received_by)
    if missing:
        get_run_logger().info(
            "%s not consolidated: %s communes without accepted data (%s)",
            scope(year, unit).run_label,
            len(missing),
            ", ".join(sorted(missing)),
        )
    else:
        round_id = open_round(year, unit, received_by)
        with subflows_beat_with_parent():
            consolidation(round_id, year, unit, received_by)
    return validated
