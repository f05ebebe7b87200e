"""The task runner is chosen by configuration only: the same flows run on a dask.distributed cluster.

The Dask case runs in a subprocess so that RASOAT_TASK_RUNNER applies when the flow modules are
imported, exactly as it does for a worker or the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.task_runners import ThreadPoolTaskRunner

from rasoat.task_runner import TaskRunnerConfigError, dask_settings, runner_name, task_runner_from_config

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "468"

# Runs in the child process: a project flow (intake + validation of a sample commune, SQLite) and a
# flow mapping a project computation per commune, both under whatever runner the environment chose.
CHILD = r"""
import json, os, sys
from pathlib import Path

import distributed
from prefect import flow, task

from flows.commune_submission import commune_submission
from rasoat.classifier import classify
from rasoat.intake import read_submission_path
from rasoat.standards import standard_for_year
from rasoat.task_runner import task_runner_from_config
from tasks.documents import render_workers


@task
def classify_commune(path: str, year: int) -> dict:
    parsed = read_submission_path(Path(path))
    counts = classify(parsed.households, standard_for_year(year))["status"].value_counts()
    return {
        "commune": Path(path).stem,
        "counts": {str(k): int(v) for k, v in counts.items()},
        "worker": distributed.get_worker().address,
        "pid": os.getpid(),
        "render_workers": render_workers(),
    }


@flow(name="classify-communes", task_runner=task_runner_from_config())
def classify_communes(paths: list[str], year: int) -> list[dict]:
    return [f.result() for f in classify_commune.map(paths, year)]


sample = Path(sys.argv[1])
files = sorted(str(p) for p in sample.glob("*.xlsx"))
mapped = classify_communes(files, 2026)
again = classify_communes(files[:2], 2026)  # a second flow run of the process: the same cluster
validated = commune_submission(files[0], 2026, received_by="test")
from prefect_dask import DaskTaskRunner
print("RESULT " + json.dumps({
    "runner": "DaskTaskRunner" if isinstance(commune_submission.task_runner, DaskTaskRunner) else "other",
    "mapped": mapped,
    "again": again,
    "verdict": validated.verdict,
    "households": validated.households,
    "parent_pid": os.getpid(),
    "parent_render_workers": render_workers(),
}))
"""


def test_default_is_the_thread_pool() -> None:
    assert runner_name({}) == "thread"
    assert isinstance(task_runner_from_config({}), ThreadPoolTaskRunner)


def test_dask_settings_come_from_the_environment() -> None:
    assert dask_settings({"RASOAT_DASK_ADDRESS": "tcp://10.0.0.5:8786"}) == {"address": "tcp://10.0.0.5:8786"}
    local = dask_settings({"RASOAT_DASK_WORKERS": "3"})["cluster_kwargs"]
    assert local["n_workers"] == 3 and local["processes"] is True
    runner = task_runner_from_config({"RASOAT_TASK_RUNNER": "dask", "RASOAT_DASK_ADDRESS": "tcp://h:8786"})
    from prefect_dask import DaskTaskRunner

    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://h:8786"


@pytest.mark.parametrize(
    "env", [{"RASOAT_TASK_RUNNER": "spark"}, {"RASOAT_TASK_RUNNER": "dask", "RASOAT_DASK_WORKERS": "0"}]
)
def test_unknown_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(TaskRunnerConfigError):
        task_runner_from_config(env)


@pytest.mark.e2e
def test_flows_run_on_a_local_dask_cluster_chosen_by_environment(
    tmp_path: Path, prefect_server: None
) -> None:
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "RASOAT_TASK_RUNNER": "dask",
        "RASOAT_DASK_WORKERS": "2",
        "RASOAT_HOME": str(tmp_path / "home"),  # SQLite under it
        # The session's test server: a temporary server of the child's own would cost the loaded
        # suite its start-up (tens of seconds of CPU) for nothing this test checks.
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "GX_ANALYTICS_ENABLED": "False",
    }
    for name in ("RASOAT_DATABASE_URL", "RASOAT_DASK_ADDRESS"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(SAMPLE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    result = json.loads(lines[-1].removeprefix("RESULT "))

    assert result["runner"] == "DaskTaskRunner"
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))["communes"]
    assert sorted(m["commune"] for m in result["mapped"]) == sorted(manifest)
    for mapped in result["mapped"]:
        expected = {k: manifest[mapped["commune"]][k] for k in ("poor", "near_poor", "mstb")}
        assert {k: mapped["counts"].get(k, 0) for k in expected} == expected
    # The tasks ran in Dask worker processes, not in the flow's own process.
    assert all(m["worker"].startswith("tcp://") for m in result["mapped"])
    assert result["parent_pid"] not in {m["pid"] for m in result["mapped"]}
    # A task on a Dask worker draws its PDFs in the worker (no pool of its own); elsewhere, the pool.
    assert {m["render_workers"] for m in result["mapped"]} == {1}
    assert result["parent_render_workers"] is None
    # Flow runs of one process share one local cluster (a round's subflows start no cluster of their own).
    assert {m["worker"] for m in result["again"]} <= {m["worker"] for m in result["mapped"]}
    assert result["verdict"] in ("accepted", "accepted_with_warnings") and result["households"] > 0
