"""Which failures are worth a retry: the database briefly locked or dropped, a file still moving.

Everything else (a bad file, a failed check, a bug) fails at once: retrying would only repeat it.
"""

from __future__ import annotations

from typing import Any

from prefect import Task
from prefect.client.schemas.objects import State, TaskRun
from sqlalchemy.exc import DBAPIError, OperationalError

RETRIES = 3
RETRY_DELAYS = [2, 5, 10]  # seconds; SQLite's lock or a PostgreSQL restart clears within these


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True  # "database is locked", connection refused or reset
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (PermissionError, BlockingIOError, InterruptedError, TimeoutError))


def transient(task: Task, task_run: TaskRun, state: State) -> bool:
    try:
        state.result()
    except Exception as exc:  # the failed state re-raises its own exception
        return is_transient(exc)
    return False


# The retry policy of every task that touches the database or the inbox (`prefect.task` options).
TRANSIENT_RETRIES: dict[str, Any] = {
    "retries": RETRIES,
    "retry_delay_seconds": RETRY_DELAYS,
    "retry_condition_fn": transient,
}
