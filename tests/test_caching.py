"""Only what changed recomputes, two runs never consolidate one district at once, and transient
failures are retried (real Prefect test server, real databases)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from stages import accept

from rasoat.db import session_scope
from rasoat.db.models import CommunePartialRecord, Consolidation
from rasoat.generate import generate_district
from rasoat.pipeline.inbox import FileStillArrivingError, read_settled, settle_seconds
from tasks.retrying import is_transient

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round (three-level map)


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value()).rstrip("/")


def _task_runs(name: str, since: dt.datetime) -> list[dict[str, Any]]:
    """Task runs of this test (ids repeat across the SQLite and PostgreSQL runs of a test)."""
    response = httpx.post(
        f"{_api_url()}/task_runs/filter",
        json={
            "task_runs": {"name": {"any_": [name]}, "expected_start_time": {"after_": since.isoformat()}},
            "sort": "EXPECTED_START_TIME_ASC",
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def camlo(tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    generate_district("468", YEAR, tmp_path / "camlo", seed=31, households=200)
    return sorted((tmp_path / "camlo").glob("*.xlsx"))


def test_validation_is_cached_until_the_file_or_a_neighbour_changes(
    prefect_server: None, camlo: list[Path]
) -> None:
    from flows.commune_submission import commune_submission

    since = dt.datetime.now(dt.UTC)
    first = commune_submission(str(camlo[0]), YEAR, "468", data_docs=False)
    again = commune_submission(str(camlo[0]), YEAR, "468", data_docs=False)
    assert again == first and first.accepted
    name = f"validate-submission-{first.submission_id}"
    assert [r["state"]["name"] for r in _task_runs(name, since)] == ["Completed", "Cached"]

    # A neighbour's accepted file can make a CCCD number of this commune a duplicate: checked again.
    assert commune_submission(str(camlo[1]), YEAR, "468", data_docs=False).accepted
    commune_submission(str(camlo[0]), YEAR, "468", data_docs=False)
    assert [r["state"]["name"] for r in _task_runs(name, since)] == ["Completed", "Cached", "Completed"]


def test_consolidation_counts_only_the_commune_that_changed(
    prefect_server: None, camlo: list[Path], engine: Engine, tmp_path: Path
) -> None:
    import openpyxl

    from flows.commune_rerun import commune_rerun

    accept(engine, camlo[:-1], YEAR)  # seven communes' files, through the stages: not the subject
    assert commune_rerun(str(camlo[-1]), YEAR, "468", data_docs=False).accepted  # consolidates
    corrected = tmp_path / f"{camlo[2].stem}-v2.xlsx"
    book = openpyxl.load_workbook(camlo[2])
    book["ho"].cell(row=2, column=9, value=1_250_000)  # one household's income, corrected
    book.save(corrected)
    assert commune_rerun(str(corrected), YEAR, "468", data_docs=False).accepted

    # The corrected file's counts were kept by its validation flow; the others' were counted once, by
    # the first consolidation (the stages keep none), and read by the second: 8 + 1 kept, not 16.
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Consolidation)) == 2
        assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == len(camlo) + 1
        latest = s.scalars(select(Consolidation).order_by(Consolidation.id.desc())).first()
        assert latest is not None
        kept = s.scalars(select(CommunePartialRecord.submission_id)).all()
        assert sorted(kept) == sorted(set(kept)) and set(latest.submissions.values()) <= set(kept)


def test_two_runs_of_one_district_never_consolidate_at_once(
    prefect_server: None, camlo: list[Path], engine: Engine
) -> None:
    from flows.consolidation import consolidation
    from tasks.consolidation import scope_limit_name

    since = dt.datetime.now(dt.UTC)
    round_id = accept(engine, camlo, YEAR)  # the communes' files, through the stages: not the subject
    errors: list[BaseException] = []

    def run() -> None:
        try:
            consolidation(round_id, YEAR, "468", "huyen")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors
    planned = {
        r["flow_run_id"]: _at(r["start_time"])
        for r in _task_runs(f"plan-consolidation-round-{round_id}", since)[-2:]
    }
    recorded = {
        r["flow_run_id"]: _at(r["end_time"]) for r in _task_runs(f"consolidate-{YEAR}-468", since)[-2:]
    }
    assert set(planned) == set(recorded) and len(planned) == 2
    first, second = sorted((planned[run], recorded[run]) for run in planned)
    assert second[0] >= first[1], (first, second)  # the second planned after the first recorded
    limits = httpx.post(f"{_api_url()}/v2/concurrency_limits/filter", json={}, timeout=30).json()
    assert {"name": scope_limit_name(YEAR, "468"), "limit": 1} in [
        {"name": x["name"], "limit": x["limit"]} for x in limits
    ]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Consolidation)) == 2


def test_only_transient_failures_are_retried() -> None:
    assert is_transient(OperationalError("SELECT 1", {}, Exception("database is locked")))
    assert is_transient(FileStillArrivingError("19597.xlsx: file is still changing"))
    assert not is_transient(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not is_transient(ValueError("bad data"))


@pytest.mark.parametrize("value", ["soon", "-1", "inf"])
def test_a_settle_time_that_is_not_a_number_of_seconds_is_refused_by_name(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASOAT_SETTLE_SECONDS", value)
    with pytest.raises(ValueError, match="RASOAT_SETTLE_SECONDS"):
        settle_seconds()


def test_a_file_still_being_written_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_SETTLE_SECONDS", "0.5")  # the operators' setting, as the flows read it
    path = tmp_path / "19597.xlsx"
    path.write_bytes(b"first half")
    stop = threading.Event()

    def keep_writing() -> None:
        with path.open("ab") as fh:
            while not stop.is_set():
                fh.write(b"x" * 1024)
                fh.flush()
                time.sleep(0.05)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        with pytest.raises(FileStillArrivingError):
            read_settled(path)
    finally:
        stop.set()
        writer.join()
    old = time.time() - 60
    os.utime(path, (old, old))  # settled a minute ago: read at once
    assert read_settled(path) == path.read_bytes()
