"""A Prefect API for commands that run flows: the configured server, or a temporary one we own.

With PREFECT_API_URL set (`rasoat up`, a deployment, a test harness), flows report there. Without
it, Prefect would start a temporary server on first use and rely on an exit hook to stop it, which a
command ending while another thread still holds a client can skip (leaving the server running).
Starting it here and stopping it in `finally` ends it with the command, and lets us print its
address for the UI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rasoat.prefect_settings import configure_prefect


def _flush_run_logs() -> None:
    """Send the runs' last log lines while the server still listens (else Prefect prints
    'Error logging to API' after the command's own output)."""
    import logging

    from prefect.logging.handlers import APILogHandler

    for name in ("prefect.flow_runs", "prefect.task_runs", "prefect"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, APILogHandler):
                handler.flush()


@contextmanager
def prefect_api() -> Iterator[tuple[str, bool]]:
    """Yields (API URL, temporary?)."""
    configure_prefect()
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()  # environment, profile, or a test harness's settings
    if configured:
        yield configured, False
        return

    server = SubprocessASGIServer()
    server.start(timeout=120)
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url, True
    finally:
        _flush_run_logs()
        server.stop()
