"""Which engine runs the flows' submitted and mapped tasks, chosen by configuration, never by code.

    RASOAT_TASK_RUNNER=thread   (default) Prefect's thread pool in the flow's own process
    RASOAT_TASK_RUNNER=dask     a dask.distributed cluster through prefect-dask:
        RASOAT_DASK_ADDRESS=tcp://host:8786   an existing scheduler (workers on other machines), or
        RASOAT_DASK_WORKERS=N                 a LocalCluster of N worker processes (default 2)
        RASOAT_DASK_THREADS=T                 threads per local worker (default 1)

Flows pass `task_runner=task_runner_from_config()` in their `@flow` decorator, so the choice is read
when the flow module is imported: set the variables before starting the process (a worker, the
CLI). prefect-dask only starts or connects to a cluster when a flow first submits a task, so a flow
that calls its tasks directly costs nothing more under Dask.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Mapping
from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

RUNNERS = ("thread", "dask")
DEFAULT_DASK_WORKERS = 2


class TaskRunnerConfigError(ValueError):
    """The environment asks for a task runner rasoat does not know, or gives it a bad setting."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise TaskRunnerConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise TaskRunnerConfigError(f"{name} must be at least 1, not {value}")
    return value


def runner_name(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    name = env.get("RASOAT_TASK_RUNNER", "thread").strip().lower() or "thread"
    if name not in RUNNERS:
        raise TaskRunnerConfigError(f"RASOAT_TASK_RUNNER={name!r}: choose one of {', '.join(RUNNERS)}")
    return name


def dask_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The DaskTaskRunner keyword arguments the environment describes (an address or a local cluster)."""
    env = os.environ if env is None else env
    address = env.get("RASOAT_DASK_ADDRESS", "").strip()
    if address:
        return {"address": address}
    return {
        "cluster_kwargs": {
            "n_workers": _positive_int(env, "RASOAT_DASK_WORKERS", DEFAULT_DASK_WORKERS),
            "threads_per_worker": _positive_int(env, "RASOAT_DASK_THREADS", 1),
            # Separate processes: pandas work holds the GIL, so threads of one process would not help.
            "processes": True,
            "dashboard_address": None,  # no web port opened on shared machines
        }
    }


_local_cluster: Any = None
_cluster_lock = threading.Lock()


def shared_local_cluster(cluster_kwargs: dict[str, Any]) -> Any:
    """One LocalCluster per process, started on first use and closed when the process ends.

    prefect-dask starts a temporary cluster for every flow run that submits tasks: a round's
    subflows (each district's consolidation) would each start and stop their own worker processes
    (seconds each, and their memory on top of the round's). Sharing one keeps a round on the
    configured number of workers."""
    global _local_cluster
    with _cluster_lock:
        if _local_cluster is None:
            from distributed import LocalCluster

            _local_cluster = LocalCluster(**cluster_kwargs)
            atexit.register(_close_local_cluster)
        return _local_cluster


def _close_local_cluster() -> None:
    global _local_cluster
    cluster, _local_cluster = _local_cluster, None
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()


def _dask_runner_class() -> type[TaskRunner[Any]]:
    from prefect_dask import DaskTaskRunner  # imported only when chosen: dask is heavy to import

    class SharedClusterDaskTaskRunner(DaskTaskRunner):  # type: ignore[misc]
        """DaskTaskRunner whose local cluster (no address given) is the process's shared one."""

        @property
        def client(self) -> Any:
            if self._client is None and self._cluster is None and not self.address:
                self._cluster = shared_local_cluster(self.cluster_kwargs)
            return super().client

    return SharedClusterDaskTaskRunner


def task_runner_from_config(env: Mapping[str, str] | None = None) -> TaskRunner[Any]:
    """A fresh task runner as configured (Prefect duplicates it per flow run anyway)."""
    if runner_name(env) == "dask":
        return _dask_runner_class()(**dask_settings(env))
    return ThreadPoolTaskRunner()
