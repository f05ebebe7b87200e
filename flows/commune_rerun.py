"""Flow `commune_rerun`: a commune's file dropped in the inbox (or corrected) is taken in and validated.

The deployment `commune_rerun/inbox` (prefect.yaml) starts it from the events the inbox watcher
emits (`rasoat.submission.received`, `rasoat.submission.corrected`), and district staff can start
it from the Prefect UI's run form. It only wraps `commune_submission` so that the form's fields carry
descriptions; intake and validation show as its subflows.
"""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows.commune_submission import commune_submission
from flows.run_names import _commune_hint
from rasoat.pipeline.validation_stage import Validated


def rerun_run_name() -> str:
    p = flow_run.parameters
    return f"inbox-{p.get('year')}-commune-{_commune_hint(p)}"


@flow(name="commune_rerun", flow_run_name=rerun_run_name)
def commune_rerun(
    file: str,
    year: int,
    district_code: str | None = None,
    commune_code: str | None = None,
    received_by: str = "inbox-watcher",
    data_docs: bool = True,
) -> Validated:
    """Take in and validate a commune's file from the round's inbox (a new or a corrected file).

    Args:
        file: full path of the file in the inbox, e.g. RASOAT_HOME/inbox/2026/468/19597.xlsx.
            The file name must carry the commune's 5-digit code.
        year: review year (4 digits), e.g. 2026; selects the poverty standard.
        district_code: the district of the round (3 digits), e.g. 468 for Cam Lộ.
        commune_code: the commune's 5-digit code, only if the file name does not carry it.
        received_by: who hands the file in (an account or role, not a person's name).
        data_docs: also build the Great Expectations Data Docs for the commune's feedback.
    """
    return commune_submission(file, year, district_code, commune_code, received_by, data_docs)
