"""Faults of a running system: a process killed mid-write, a database that is not there, a crash
between keeping a file and checking it, and twenty communes handing in at the same moment.

Every database test runs on SQLite and PostgreSQL (fixture `database_url`)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import session_scope
from rasoat.db.models import Classification, Consolidation, Household, Member, ReviewRound, Submission
from rasoat.generate import generate_district
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import validate_stored, validate_stored_concurrently
from rasoat.standards import standard_for_year

pytestmark = pytest.mark.e2e  # processes killed mid-stage, then rerun

YEAR = 2024  # a district round (three-level map)


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def _take_in(engine: Engine, path: Path) -> int:
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name), path.name, path.read_bytes(), "xa"
        )
    return received.submission_id


def _killed_midway(url: str, patch: str, call: str, home: Path) -> int:
    """Run `call` in a new process whose `patch` SIGKILLs it at a chosen point: no cleanup, no
    rollback, no exception handler gets a chance (as when a worker's machine dies)."""
    script = "\n".join(
        [
            "import os, signal",
            "from rasoat.db import make_engine, session_scope",
            patch,
            f"engine = make_engine({url!r})",
            "with session_scope(engine) as session:",
            f"    {call}",
        ]
    )
    env = {**os.environ, "RASOAT_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    return done.returncode


@pytest.fixture
def camlo(tmp_path: Path) -> list[Path]:
    generate_district("468", YEAR, tmp_path / "camlo", seed=41, households=400)
    return sorted((tmp_path / "camlo").glob("*.xlsx"))


def test_killed_during_validation_writes_nothing_and_the_rerun_no_duplicates(
    engine: Engine, database_url: str, camlo: list[Path], rasoat_home: Path
) -> None:
    submission_id = _take_in(engine, camlo[0])
    # Killed after the households are written (flushed) and before the classifications are.
    code = _killed_midway(
        database_url,
        "import rasoat.pipeline.validation_stage as v\n"
        "v.save_classifications = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)",
        f"v.validate_stored(session, {submission_id}, 'worker', data_docs=False)",
        rasoat_home,
    )
    assert code == -signal.SIGKILL
    assert (_count(engine, Household), _count(engine, Member), _count(engine, Classification)) == (0, 0, 0)
    with session_scope(engine) as s:
        assert s.get(Submission, submission_id).status == "received"  # still waiting for its check

    with session_scope(engine) as s:
        assert validate_stored(s, submission_id, "worker", data_docs=False).accepted
    with session_scope(engine) as s:
        households = s.scalar(select(func.count()).select_from(Household))
        distinct = s.scalar(select(func.count(func.distinct(Household.household_id))))
        classified = s.scalar(select(func.count()).select_from(Classification))
    assert households == distinct == classified > 0


def test_killed_during_consolidation_leaves_no_partial_tables_and_the_rerun_one(
    engine: Engine, database_url: str, camlo: list[Path], rasoat_home: Path
) -> None:
    from rasoat.pipeline.consolidation_stage import consolidate_round

    for path in camlo:
        submission_id = _take_in(engine, path)
        with session_scope(engine) as s:
            assert validate_stored(s, submission_id, "xa", data_docs=False).accepted
    with session_scope(engine) as s:
        round_id = s.scalars(select(ReviewRound.id)).one()
    # Killed after the consolidation row is flushed, while its audit entry is being written.
    code = _killed_midway(
        database_url,
        "import rasoat.pipeline.consolidation_stage as c\n"
        "c.audit = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)",
        f"c.consolidate_round(session, {round_id}, 'worker')",
        rasoat_home,
    )
    assert code == -signal.SIGKILL
    assert _count(engine, Consolidation) == 0
    with session_scope(engine) as s:
        assert s.get(ReviewRound, round_id).state != "consolidated"

    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "worker")
    assert outcome.passed and _count(engine, Consolidation) == 1


def test_a_crash_between_keeping_and_checking_is_recovered_by_the_next_run(
    prefect_server: None, engine: Engine, camlo: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.commune_submission import commune_submission

    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    kept = _take_in(engine, camlo[0])  # the process died here: bytes kept, never validated
    with session_scope(engine) as s:
        assert s.get(Submission, kept).status == "received"
    validated = commune_submission(str(camlo[0]), YEAR, "468", data_docs=False)
    assert validated.submission_id == kept and validated.accepted  # same bytes: same submission
    assert _count(engine, Submission) == 1


def test_database_unavailable_at_start_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_DATABASE_URL", "postgresql://postgres@127.0.0.1:9/rasoat")  # port 9: nothing
    done = CliRunner().invoke(app, ["round", "status"])
    assert done.exit_code == 2, done.output
    message = " ".join(done.output.split())
    assert "127.0.0.1:9" in message and "Traceback" not in message


def _submit_at_once(url: str, path: str, home: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    os.environ["RASOAT_HOME"] = home
    from rasoat import gx  # noqa: F401 - import before the start line (GX itself loads on first use)
    from rasoat.db import make_engine

    engine = make_engine(url)
    file = Path(path)
    barrier.wait(timeout=300)
    submission_id = _take_in(engine, file)
    # As a round's commune task validates: the suites run with the database free, the verdict is
    # recorded under the round's lock.
    validate_stored_concurrently(engine, submission_id, "xa", data_docs=False)
    engine.dispose()


def test_twenty_communes_handing_in_at_the_same_moment_are_all_kept_and_checked(
    engine: Engine, database_url: str, tmp_path: Path, rasoat_home: Path
) -> None:
    generate_district("436", YEAR, tmp_path / "hatinh", seed=42, households=800)
    generate_district("468", YEAR, tmp_path / "camlo", seed=42, households=400)
    files = sorted((tmp_path / "hatinh").glob("*.xlsx"))[:12] + sorted((tmp_path / "camlo").glob("*.xlsx"))
    assert len({f.stem for f in files}) == 20
    # No inherited connections or threads: each process forks from a server process that has only
    # imported the stages (so twenty processes do not each import pandas and Great Expectations).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["rasoat.pipeline.validation_stage", "rasoat.gx.runtime", "great_expectations"]
    )
    barrier = context.Barrier(len(files))
    workers = [
        context.Process(target=_submit_at_once, args=(database_url, str(f), str(rasoat_home), barrier))
        for f in files
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=900)
    assert [w.exitcode for w in workers] == [0] * len(files)
    with session_scope(engine) as s:
        rows = s.execute(select(Submission.commune_code, Submission.version, Submission.status)).all()
        assert sorted(r.commune_code for r in rows) == sorted(f.stem for f in files)
        assert {(r.version, r.status) for r in rows} == {(1, "accepted")}
        assert s.scalar(select(func.count()).select_from(ReviewRound)) == 2  # one per district
        assert s.scalar(select(func.count(func.distinct(Household.submission_id)))) == len(files)
