"""Flow `commune_rerun`: a commune's file dropped in the inbox (or corrected) reruns what it affects.

The deployment `commune_rerun/inbox` (prefect.yaml) starts it from the events the inbox watcher
emits (`rasoat.submission.received`, `rasoat.submission.corrected`), and district staff can start
it from the Prefect UI's run form. Intake, validation and, once every commune of the district has
accepted data, the district's consolidation show as its subflows.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.commune_submission import commune_submission
from flows.district_consolidation import district_consolidation
from flows.run_names import _commune_hint
from rasoat.admin_units import commune as commune_unit
from rasoat.pipeline.validation_stage import Validated
from rasoat.task_runner import task_runner_from_config
from tasks.rounds import communes_missing, open_district_round


def rerun_run_name() -> str:
    p = flow_run.parameters
    return f"inbox-{p.get('year')}-commune-{_commune_hint(p)}"


@flow(name="commune_rerun", flow_run_name=rerun_run_name, task_runner=task_runner_from_config())
def commune_rerun(
    file: str,
    year: int,
    district_code: str | None = None,
    commune_code: str | None = None,
    received_by: str = "inbox-watcher",
    data_docs: bool = True,
) -> Validated:
    """Take in and validate a commune's file from the round's inbox (a new or a corrected file), then
    consolidate its district again when every commune of the district has accepted data.

    Args:
        file: full path of the file in the inbox, e.g. RASOAT_HOME/inbox/2026/468/19597.xlsx.
            The file name must carry the commune's 5-digit code.
        year: review year (4 digits), e.g. 2026; selects the poverty standard.
        district_code: the district of the round (3 digits), e.g. 468 for Cam Lộ.
        commune_code: the commune's 5-digit code, only if the file name does not carry it.
        received_by: who hands the file in (an account or role, not a person's name).
        data_docs: also build the Great Expectations Data Docs for the commune's feedback.
    """
    validated = commune_submission(file, year, district_code, commune_code, received_by, data_docs)
    district = district_code or commune_unit(validated.commune_code).district_code
    missing = communes_missing(year, district, received_by)
    if missing:
        get_run_logger().info(
            "district %s not consolidated: %s communes without accepted data (%s)",
            district,
            len(missing),
            ", ".join(sorted(missing)),
        )
    else:
        round_id = open_district_round(year, district, received_by)
        district_consolidation(round_id, year, district, received_by)
    return validated
