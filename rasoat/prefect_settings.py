"""Prefect settings rasoat needs: before Prefect is imported (the machines have no internet), and
around the subflows a flow starts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def configure_prefect() -> None:
    """Idempotent; explicit settings in the environment win."""
    # The server's telemetry heartbeat fails without internet and logs a traceback each time.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A run waiting for a unit's consolidation slot is told by the server when to ask again: the
    # slot's average occupancy times the runs already refused, capped at this (Prefect's default
    # 30 s). A consolidation holds its slot for seconds, so after a burst of files the last rerun
    # would otherwise sleep up to 39 s (the cap plus jitter) on a slot free for most of that time.
    # The cost is more polls from waiting runs: one per waiting run every ≤ 6.5 s.
    os.environ.setdefault("PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS", "5")
    # Cached task results (a rerun's unchanged communes) sit with rasoat's data, and every process
    # of one installation (CLI, worker, the flows it starts) finds the same ones. Codes and figures
    # only: the cached tasks return no names or CCCD numbers (tests/test_inbox_rerun.py checks).
    rasoat_home = Path(os.environ.get("RASOAT_HOME", Path.home() / ".rasoat")).expanduser()
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(rasoat_home / "prefect" / "results"))


@contextmanager
def subflows_beat_with_parent() -> Iterator[None]:
    """Subflows started inside send no heartbeats of their own.

    Prefect sends a flow run's heartbeats (`prefect.flow-run.heartbeat`, what a zombie-run automation
    watches) from a thread that sleeps a second at a time, and every run waits for that thread at
    its end: half a second to a second a run. A subflow runs in its parent's process, whose own
    heartbeats already say whether that process lives; a single file's rerun is five runs deep."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
