"""Tasks of the validation gate: run the suites on a stored submission, show the result."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from sqlalchemy.orm import Session

from rasoat.db import shared_engine
from rasoat.pipeline.validation_stage import Validated, validate_stored_concurrently, validation_inputs
from rasoat.validation.findings import SEVERITY_LABELS_VI
from tasks.cache_keys import validation_key
from tasks.database_task import database_task
from tasks.retrying import TRANSIENT_RETRIES

VERDICTS_VI = {
    "accepted": "Chấp nhận",
    "accepted_with_warnings": "Chấp nhận, có cảnh báo",
    "rejected": "Không chấp nhận",
    "unreadable": "Không đọc được tệp",
}


@database_task("validation-inputs")
def validation_inputs_task(session: Session, submission_id: int) -> str:
    return validation_inputs(session, submission_id)


@task(
    name="validate-submission",
    task_run_name="validate-submission-{submission_id}",
    cache_key_fn=validation_key,
    **TRANSIENT_RETRIES,
)
def validate_submission_task(
    submission_id: int, actor: str, inputs: str, data_docs: bool = True
) -> Validated:
    """`inputs` (validation_inputs) is the cache key's data part: the same file in the same
    database, with the same neighbours and standard, keeps its verdict without running the suites."""
    validated = validate_stored_concurrently(shared_engine(), submission_id, actor, data_docs=data_docs)
    get_run_logger().info(
        "commune %s v%s: %s (%s blocking, %s warnings, %s households accepted)",
        validated.commune_code,
        validated.version,
        validated.verdict,
        validated.blocking,
        validated.warnings,
        validated.households,
    )
    return validated


def _key(*parts: object) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return "-".join(str(p) for p in parts).lower().replace("_", "-")


def validation_artifacts(validated: Validated, year: int) -> None:
    """Operators' view: check counts, verdict, links. Household ids and counts only, no personal data.

    Created on the calling task run: `publish-validation` on its own, or a round's commune task."""
    commune = validated.commune_code
    create_table_artifact(
        key=_key("validation", year, commune),
        table=[
            {
                "Kiểm tra": c.title_vi,
                "Mã kiểm tra": c.check,
                "Mức": SEVERITY_LABELS_VI[c.severity],
                "Số dòng": c.evaluated,
                "Đạt": c.evaluated - c.failed,
                "Lỗi": c.failed,
            }
            for c in validated.checks
        ],
        description=(
            f"Xã {commune}, bản nộp v{validated.version}: {VERDICTS_VI[validated.verdict]} — "
            f"{validated.blocking} lỗi bắt buộc, {validated.warnings} cảnh báo"
        ),
    )
    if validated.feedback_html:
        create_link_artifact(
            key=_key("feedback", year, commune),
            link=Path(validated.feedback_html).resolve().as_uri(),
            link_text=f"Phản hồi gửi xã {commune} (v{validated.version})",
            description=f"Bảng lỗi Excel: {Path(validated.feedback_xlsx or '').name}",
        )
    lines = [
        f"### Xã {commune} — bản nộp v{validated.version}: **{VERDICTS_VI[validated.verdict]}**",
        "",
        f"- Lỗi bắt buộc: {validated.blocking}; cảnh báo: {validated.warnings}",
        f"- Hộ được chấp nhận: {validated.households}",
    ]
    if validated.status_counts:
        lines.append(
            "- Phân loại: " + ", ".join(f"{k}: {v}" for k, v in sorted(validated.status_counts.items()))
        )
    if validated.feedback_html:
        lines.append(f"- Phản hồi (HTML): `{validated.feedback_html}`")
        lines.append(f"- Phản hồi (XLSX): `{validated.feedback_xlsx}`")
    if validated.data_docs:
        lines.append(f"- Great Expectations Data Docs: `{validated.data_docs}`")
    create_markdown_artifact(key=_key("verdict", year, commune), markdown="\n".join(lines))


publish_validation = task(name="publish-validation")(validation_artifacts)
