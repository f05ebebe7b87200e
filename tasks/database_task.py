"""`database_task`: the one way a task reaches the review database.

A stage function of `rasoat.pipeline` takes a session as its first argument. Wrapped by
`database_task`, it becomes a Prefect task that opens one transaction on the process's shared engine
(committed when the function returns, rolled back on any error) and retries only transient database
failures (`tasks.retrying`). The session is not a task parameter: the UI, the cache keys and the
run names see only the function's other arguments.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from prefect import Task, task
from sqlalchemy.orm import Session

from rasoat.db import session_scope, shared_engine
from tasks.retrying import TRANSIENT_RETRIES

P = ParamSpec("P")
R = TypeVar("R")


def database_task(
    name: str, *, retry: bool = True, **options: Any
) -> Callable[[Callable[Concatenate[Session, P], R]], Task[P, R]]:
    """A task named `name` (as the Prefect UI shows it) around `fn(session, ...)`.

    `retry=False` for a task whose caller already retries it as a whole (a nested call) or that
    must not run twice (it talks to a person). Other keyword arguments go to `prefect.task`."""

    def decorate(fn: Callable[Concatenate[Session, P], R]) -> Task[P, R]:
        @functools.wraps(fn)
        def body(*args: P.args, **kwargs: P.kwargs) -> R:
            with session_scope(shared_engine()) as session:
                return fn(session, *args, **kwargs)

        # Prefect reads a task's parameters from its signature: drop the session from it.
        signature = inspect.signature(fn)
        body.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=list(signature.parameters.values())[1:]
        )
        body.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != "session"}
        del body.__wrapped__  # type: ignore[attr-defined]  # or inspect would follow it back to fn
        policy = TRANSIENT_RETRIES if retry else {}
        return task(name=name, **policy, **options)(body)

    return decorate
