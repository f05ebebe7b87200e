"""A whole district round on a real Prefect server and real databases, approval included."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import session_scope
from rasoat.db.models import Approval, ReviewRound, StatusHistory, Submission
from rasoat.generate import generate_district
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.inbox import inbox_dir

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round (three-level map)
REJECTED = "19612"  # the generator puts 11 mistakes here with seed 11
APPROVER = {"approver_name": "Nguyễn Văn Duyệt", "approver_position": "Chủ tịch UBND tỉnh"}


@pytest.fixture(scope="module")
def camlo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("round")
    generate_district("468", YEAR, root / "errors", seed=11, households=900, error_rate=0.04)
    generate_district("468", YEAR, root / "clean", seed=11, households=900)
    return {"errors": root / "errors", "clean": root / "clean"}


def _drop(path: Path, name: str | None = None) -> Path:
    """A file lands in the inbox, later than the ones before it."""
    inbox = inbox_dir(YEAR, "468")
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / (name or path.name)
    shutil.copy(path, target)
    stamp = time.time() + len(list(inbox.iterdir()))
    os.utime(target, (stamp, stamp))
    return target


def _answer_when_asked(answers: list[dict[str, object]], done: list[object]) -> None:
    from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

    try:
        for answer in answers:
            run = wait_for_approval_request(YEAR, "45", timeout_s=300)
            answer_approval(YEAR, "45", answer)
            done.append(run.name)
            time.sleep(4)  # the flow reads the answer and, if incomplete, asks again
    except BaseException as exc:
        done.append(exc)


def test_rejected_commune_corrected_then_round_approved_and_lapsing(
    prefect_server: None, engine: Engine, camlo: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.commune_submission import commune_submission
    from flows.review_round import review_round

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RASOAT_DATABASE_URL", url)
    with session_scope(engine) as s:
        import_baseline(s, camlo["clean"] / "history.csv", "468", "huyen")
    for path in sorted(camlo["clean"].glob("*.xlsx")):
        _drop(camlo["errors"] / path.name if path.stem == REJECTED else path)

    # One commune is rejected: the district cannot consolidate without it.
    with pytest.raises(Exception, match=f"{REJECTED}: bị từ chối"):
        review_round(YEAR, district_code="468", actor="huyen")

    # Its corrected file arrives; the round runs again and waits for the province's decision. The
    # first answer lacks a decision number: the flow asks again instead of failing.
    _drop(camlo["clean"] / f"{REJECTED}.xlsx", f"{REJECTED}-da-sua.xlsx")
    done: list[object] = []
    answers = [
        {"decision": "approve", **APPROVER},
        {"decision": "approve", "decision_number": "123/QĐ-UBND", **APPROVER},
    ]
    answering = threading.Thread(target=_answer_when_asked, args=(answers, done), daemon=True)
    answering.start()
    result = review_round(YEAR, district_code="468", actor="huyen")
    answering.join(timeout=30)
    assert done == ["approval-2024-province-45", "approval-2024-province-45"]
    assert result["verdicts"][REJECTED] == "accepted"
    assert result["approval"]["decision"] == "approved"

    with session_scope(engine) as s:
        versions = s.execute(
            select(Submission.version, Submission.status).where(Submission.commune_code == REJECTED)
        ).all()
        assert sorted(versions) == [(1, "rejected"), (2, "accepted")]
        approval = s.scalars(select(Approval)).one()
        assert (approval.decision, approval.decision_number, approval.approver_name) == (
            "approved",
            "123/QĐ-UBND",
            "Nguyễn Văn Duyệt",
        )
        assert approval.data_sha256 == result["approval"]["data_sha256"] and approval.lapsed_at is None
        # who approved, in which position, when, and the hash of what they saw
        assert approval.approver_position == "Chủ tịch UBND tỉnh" and approval.decided_at is not None
        states = dict(s.execute(select(ReviewRound.scope_level, ReviewRound.state)).all())
        assert states == {"district": "approved", "province": "approved"}
        approved_statuses = s.scalar(
            select(func.count()).select_from(StatusHistory).where(StatusHistory.year == YEAR)
        )
        assert approved_statuses == 900  # next year's baseline

    # A commune sends other data afterwards: the approval lapses and needs a new decision.
    commune_submission(str(camlo["errors"] / "19600.xlsx"), YEAR, "468")
    with session_scope(engine) as s:
        approval = s.scalars(select(Approval)).one()
        assert approval.lapsed_at is not None and "19600" in approval.lapsed_reason
        states = dict(s.execute(select(ReviewRound.scope_level, ReviewRound.state)).all())
        assert states == {"district": "validating", "province": "validating"}

    status = CliRunner().invoke(app, ["round", "status", str(YEAR)])
    assert status.exit_code == 0 and "HẾT HIỆU LỰC" in status.output

    nothing = CliRunner().invoke(
        app, ["approve", "2024-45", "--approver", "A B", "--position", "C D", "--decision-number", "1/QĐ"]
    )
    assert nothing.exit_code == 2 and "không có đợt phê duyệt nào đang chờ" in nothing.output

    # Everything Prefect holds after the round (runs, parameters, states, logs, artifacts, events, the
    # approval's inputs) names households by id only: no generated name or CCCD number.
    from prefect.settings import PREFECT_API_URL
    from prefect_scan import leaked, personal_values, prefect_api_dump

    values = personal_values([*camlo["clean"].glob("*.xlsx"), *camlo["errors"].glob("*.xlsx")])
    assert len(values) > 1_000
    assert leaked(prefect_api_dump(str(PREFECT_API_URL.value())), values) == []
