"""A deployed approval waits with no process alive, and a rejection goes back to the district.

The run is executed the way a worker executes it (`python -m prefect.engine` in a subprocess): it
suspends and the process exits; the decision arrives through the API (`rasoat approve`) while no
process runs it; a new process finishes it without rebuilding the tables it showed the approver.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import session_scope
from rasoat.db.models import Approval, AuditEntry, ReviewRound
from rasoat.generate import generate_district
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import validate_stored
from rasoat.standards import standard_for_year

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round (three-level map)
ROOT = Path(__file__).resolve().parent.parent


def _execute(flow_run_id: object, api_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api_url, "PREFECT__FLOW_RUN_ID": str(flow_run_id)}
    return subprocess.run(
        [sys.executable, "-m", "prefect.engine"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_suspended_approval_survives_its_process_and_rejection_returns_to_district(
    prefect_server: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from flows.province_approval import province_approval

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RASOAT_DATABASE_URL", url)
    generate_district("468", YEAR, tmp_path / "camlo", seed=4, households=400)
    for path in sorted((tmp_path / "camlo").glob("*.xlsx")):
        with session_scope(engine) as s:
            received = receive(
                s, YEAR, standard_for_year(YEAR), identify(path.name), path.name, path.read_bytes(), "xa"
            )
        with session_scope(engine) as s:
            validate_stored(s, received.submission_id, "xa", data_docs=False)
    with session_scope(engine) as s:
        assert consolidate_round(s, received.round_id, "huyen").passed

    province_approval.to_deployment(name="pytest").apply()
    flow_run = run_deployment(
        "province_approval/pytest", parameters={"year": YEAR, "province_code": "45"}, timeout=0
    )
    api_url = str(PREFECT_API_URL.value())

    first = _execute(flow_run.id, api_url)
    assert first.returncode == 0, first.stderr[-3000:]
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(flow_run.id).state.name == "Suspended"  # no process is waiting

    answer = CliRunner().invoke(
        app,
        [
            "approve",
            "2024-468",
            "--approver",
            "Trần Thị Duyệt",
            "--position",
            "Phó Chủ tịch UBND tỉnh",
            "--reject",
            "--reason",
            "Xã Cam Thủy cần rà soát lại hộ cận nghèo",
        ],
    )
    assert answer.exit_code == 0, answer.output
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(flow_run.id).state.name == "Resuming"  # decided, nobody running it yet

    second = _execute(flow_run.id, api_url)
    assert second.returncode == 0, second.stderr[-3000:]
    with get_client(sync_client=True) as client:
        finished = client.read_flow_run(flow_run.id)
        assert finished.state.is_completed()
        runs_of_the_flow = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id]))
        prepares = [
            t
            for t in client.read_task_runs(flow_run_filter=runs_of_the_flow)
            if t.name.startswith("prepare-province")
        ]
    assert {t.state.name for t in prepares} <= {"Completed", "Cached"}
    assert sum(t.state.name == "Completed" for t in prepares) == 1  # the tables were built once

    with session_scope(engine) as s:
        approval = s.scalars(select(Approval)).one()
        assert approval.decision == "rejected" and approval.reason.startswith("Xã Cam Thủy")
        states = dict(s.execute(select(ReviewRound.scope_level, ReviewRound.state)).all())
        assert states == {"district": "rejected", "province": "rejected"}
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "round.rejected")).one()


def test_a_deployed_round_hands_the_approval_to_its_own_deployment_and_ends(
    prefect_server: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subflow cannot suspend: a deployed round would keep its process waiting for the decision.
    It starts a run of `province_approval/approval` instead, which suspends on its own."""
    import shutil

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from flows.province_approval import province_approval
    from flows.review_round import review_round
    from rasoat.pipeline.inbox import inbox_dir

    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    generate_district("468", YEAR, tmp_path / "camlo", seed=5, households=400)
    inbox = inbox_dir(YEAR, "468")
    inbox.mkdir(parents=True)
    for path in sorted((tmp_path / "camlo").glob("*.xlsx")):
        shutil.copy(path, inbox / path.name)

    province_approval.to_deployment(name="approval").apply()
    review_round.to_deployment(name="pytest").apply()
    round_run = run_deployment(
        "review_round/pytest", parameters={"year": YEAR, "district_code": "468", "actor": "huyen"}, timeout=0
    )
    done = _execute(round_run.id, str(PREFECT_API_URL.value()))
    assert done.returncode == 0, done.stderr[-3000:]
    with get_client(sync_client=True) as client:
        finished = client.read_flow_run(round_run.id)
        assert finished.state.is_completed()  # the round did not wait for the decision
        deployment = client.read_deployment_by_name("province_approval/approval")
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        )
    (approval,) = [r for r in runs if r.created >= round_run.created]  # the server is shared across tests
    assert approval.parameters == {"year": YEAR, "province_code": "45", "actor": "huyen"}
    assert approval.state.is_scheduled()  # a worker picks it up and it suspends there
