"""`database_task`: a stage function on a session becomes a task with one transaction and the
transient-retry policy, and the session is not one of its parameters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.utilities.callables import parameter_schema
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rasoat.db import audit, dispose_shared_engines, session_scope
from rasoat.db.models import AuditEntry
from tasks.database_task import database_task
from tasks.retrying import RETRIES, RETRY_DELAYS, transient


@database_task("write-then-maybe-fail", task_run_name="write-{what}")
def write_then_maybe_fail(session: Session, what: str, fail: bool = False) -> int:
    audit(session, "kiem-thu", what, "test", "1")
    session.flush()
    if fail:
        raise ValueError("the stage failed after writing")
    return int(session.scalar(select(func.count()).select_from(AuditEntry)))


@database_task("read-only", retry=False)
def read_only(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    yield engine
    dispose_shared_engines()


def test_the_session_is_not_a_parameter() -> None:
    assert list(parameter_schema(write_then_maybe_fail.fn).properties) == ["what", "fail"]
    assert write_then_maybe_fail.name == "write-then-maybe-fail"
    assert write_then_maybe_fail.task_run_name == "write-{what}"
    assert write_then_maybe_fail.fn.__name__ == "write_then_maybe_fail"


def test_retries_are_the_transient_policy_unless_declined() -> None:
    assert write_then_maybe_fail.retries == RETRIES
    assert write_then_maybe_fail.retry_delay_seconds == RETRY_DELAYS
    assert write_then_maybe_fail.retry_condition_fn is transient
    assert read_only.retries == 0 and read_only.retry_condition_fn is None


def test_commits_on_return_and_rolls_back_on_error(database: Engine) -> None:
    assert write_then_maybe_fail.fn("first") == 1
    with pytest.raises(ValueError, match="after writing"):
        write_then_maybe_fail.fn("second", fail=True)
    assert read_only.fn() == 1
    with session_scope(database) as s:
        assert [e.action for e in s.scalars(select(AuditEntry))] == ["first"]
