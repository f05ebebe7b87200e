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


class PrefectUnreachableError(ConnectionError):
    """PREFECT_API_URL names a server that does not answer."""

    def __init__(self, api_url: str) -> None:
        super().__init__(
            f"không kết nối được máy chủ Prefect tại {api_url} (PREFECT_API_URL). Khởi động bằng "
            "`rasoat up`, kiểm tra địa chỉ và PREFECT_API_AUTH_STRING, hoặc bỏ PREFECT_API_URL để "
            "lệnh tự chạy một máy chủ tạm."
        )


def check_reachable(api_url: str) -> None:
    """Fail in one clear sentence before any flow starts, instead of a client's retry loop and a
    connection traceback minutes later."""
    import os

    from rasoat.operations.up import healthy

    if not healthy(api_url, os.environ.get("PREFECT_API_AUTH_STRING"), timeout=5.0):
        raise PrefectUnreachableError(api_url)


@contextmanager
def prefect_api() -> Iterator[tuple[str, bool]]:
    """Yields (API URL, temporary?)."""
    configure_prefect()
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()  # environment, profile, or a test harness's settings
    if configured:
        check_reachable(configured)
        yield configured, False
        return

    # Imported only here: the server's modules take seconds of CPU to import, and a command with a
    # configured server (`rasoat up`, a deployment) never needs them.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=120)
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url, True
    finally:
        _flush_run_logs()
        server.stop()
