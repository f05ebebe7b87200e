"""Prefect settings rasoat needs before Prefect is imported (the machines have no internet)."""

from __future__ import annotations

import os


def configure_prefect() -> None:
    """Idempotent; explicit settings in the environment win."""
    # The server's telemetry heartbeat fails without internet and logs a traceback each time.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
