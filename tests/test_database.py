"""The review database on real SQLite and PostgreSQL: migrations, units, submissions, rows, audit."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text

from rasoat.db import (
    StandardChangedError,
    get_or_create_round,
    init_db,
    make_engine,
    record_standard,
    save_households,
    session_scope,
    store_submission,
    submission_versions,
)
from rasoat.db.migrate import downgrade, upgrade
from rasoat.db.models import (
    AuditEntry,
    Classification,
    Commune,
    District,
    Household,
    Member,
    Province,
    Submission,
)
from rasoat.intake import read_submission
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import Received, receive
from rasoat.pipeline.validation_stage import Validated, validate_stored
from rasoat.standards import standard_for_year

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468"
YEAR = 2024  # a district round (three-level map)
TABLES = {
    "provinces",
    "districts",
    "communes",
    "standards",
    "review_rounds",
    "submissions",
    "households",
    "members",
    "classifications",
    "validation_results",
    "approvals",
    "documents",
    "audit_log",
    "status_history",
    "baseline_unplaced",
    "consolidations",
    "commune_partials",
    "history_revisions",
    "map_units",
    "unit_conversions",
}


def test_migrations_upgrade_an_empty_database_and_back(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) == set()
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0011"
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_stored_files_move_to_the_end_of_their_rows_and_keep_their_versions(empty_database_url: str) -> None:
    """SQLite walks a large value's overflow pages to read any column stored after it: from 0011 a
    submission's bytes are its row's last column, and the files stored before keep everything."""
    engine = make_engine(empty_database_url)
    upgrade(engine, "0010")
    review_round = _round(engine)
    original = (SAMPLE / "19597.xlsx").read_bytes()
    with session_scope(engine) as s:
        first, _ = store_submission(s, review_round, "19597", "19597.xlsx", original, "xa")
        first.status = "accepted"
    upgrade(engine)
    columns = [c["name"] for c in inspect(engine).get_columns("submissions")]
    if engine.dialect.name == "sqlite":  # PostgreSQL keeps large values out of the row (TOAST)
        assert columns[-1] == "content"
    with session_scope(engine) as s:
        kept = s.get(Submission, first.id)
        assert (kept.commune_code, kept.version, kept.status, kept.content) == (
            "19597",
            1,
            "accepted",
            original,
        )
        again, created = store_submission(s, review_round, "19597", "copy.xlsx", original, "xa")
        assert not created and again.id == first.id  # the unique (round, commune, sha256) came along
    engine.dispose()


def test_administrative_units_load_once(engine: Engine) -> None:
    def counts() -> tuple[int, int, int]:
        with session_scope(engine) as s:
            return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Province, District, Commune))

    assert counts() == (63, 696, 10051)
    init_db(engine.url.render_as_string(hide_password=False)).dispose()  # again: nothing added
    assert counts() == (63, 696, 10051)
    with session_scope(engine) as s:
        town = s.get(Commune, "19597")
        assert (town.name, town.district_code, town.area_type) == ("Thị trấn Cam Lộ", "468", "urban")
        assert s.get(Commune, "19600").area_type == "rural"


def _round(engine: Engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return get_or_create_round(s, YEAR, "district", "468", standard_for_year(YEAR), "tester")


def test_same_bytes_are_a_no_op_and_changed_bytes_a_new_version(engine: Engine) -> None:
    review_round = _round(engine)
    assert _round(engine).id == review_round.id  # one round per (year, scope)
    original = (SAMPLE / "19597.xlsx").read_bytes()
    corrected = (SAMPLE / "19600.xlsx").read_bytes()
    with session_scope(engine) as s:
        first, created = store_submission(s, review_round, "19597", "19597.xlsx", original, "xa")
        assert created and first.version == 1
    with session_scope(engine) as s:
        again, created = store_submission(s, review_round, "19597", "copy.xlsx", original, "xa")
        assert not created and again.id == first.id
    with session_scope(engine) as s:
        second, created = store_submission(s, review_round, "19597", "19597-sua.xlsx", corrected, "xa")
        assert created and second.version == 2
    with session_scope(engine) as s:
        versions = submission_versions(s, review_round.id, "19597")
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].content == original and versions[1].content == corrected
        assert versions[0].file_name == "19597.xlsx"
        received = s.scalars(select(AuditEntry).where(AuditEntry.action == "submission.received")).all()
        assert len(received) == 2


def _row_counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Household, Member, Classification)
        }


def _review(engine: Engine, path: Path, commune: str) -> tuple[Received, Validated]:
    """Intake then validation of one file, each in its own transaction, as the flows do."""
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name, commune), path.name, path.read_bytes(), "xa"
        )
    with session_scope(engine) as s:
        validated = validate_stored(s, received.submission_id, "xa", data_docs=False)
    return received, validated


def test_accepted_rows_are_stored_and_a_rerun_adds_no_duplicates(engine: Engine) -> None:
    standard = standard_for_year(YEAR)
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))["communes"]["19603"]
    path = SAMPLE / "19603.xlsx"
    for attempt in range(2):
        received, validated = _review(engine, path, "19603")
        assert validated.accepted and received.new_version == (attempt == 0)
        counts = _row_counts(engine)
        assert counts == {
            "households": manifest["households"],
            "members": manifest["members"],
            "classifications": manifest["households"],
        }
    with session_scope(engine) as s:
        statuses = dict(
            s.execute(select(Classification.status, func.count()).group_by(Classification.status)).all()
        )
        assert {k: statuses.get(k, 0) for k in ("poor", "near_poor", "mstb", "non_poor")} == {
            k: manifest[k] for k in ("poor", "near_poor", "mstb", "non_poor")
        }
        recorded = s.scalars(select(Classification.standard_version).distinct()).all()
        assert recorded == [standard.version]
        assert s.scalar(select(Submission.status)) == "accepted"


def test_unreadable_file_is_kept_with_its_bytes(engine: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "19597.xlsx"
    junk.write_bytes(b"\x00\x01 not a workbook \xff" * 10)
    received, validated = _review(engine, junk, "19597")
    assert not received.readable and validated.verdict == "unreadable" and validated.blocking
    with session_scope(engine) as s:
        stored = s.scalars(select(Submission)).one()
        assert stored.status == "unreadable" and stored.content == junk.read_bytes()
    assert _row_counts(engine) == {"households": 0, "members": 0, "classifications": 0}


def test_a_failed_write_leaves_nothing_behind(engine: Engine) -> None:
    review_round = _round(engine)
    content = (SAMPLE / "19606.xlsx").read_bytes()
    parsed = read_submission(content, "19606.xlsx")
    with pytest.raises(RuntimeError, match="crash"), session_scope(engine) as s:
        submission, _ = store_submission(s, review_round, "19606", "19606.xlsx", content, "tester")
        save_households(s, submission, parsed.households, parsed.members)
        raise RuntimeError("crash in the middle of the commune")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 0
    assert _row_counts(engine)["households"] == 0


def test_a_standard_edited_without_a_version_bump_is_refused(engine: Engine) -> None:
    standard = standard_for_year(YEAR)
    with session_scope(engine) as s:
        record_standard(s, standard)
    edited = dataclasses.replace(standard, sha256="0" * 64)
    with pytest.raises(StandardChangedError, match="bump"), session_scope(engine) as s:
        record_standard(s, edited)


def test_audit_log_holds_no_personal_data(engine: Engine) -> None:
    path = SAMPLE / "19612.xlsx"
    parsed = read_submission(path.read_bytes(), path.name)
    _review(engine, path, "19612")
    with session_scope(engine) as s:
        logged = json.dumps([e.details for e in s.scalars(select(AuditEntry))], ensure_ascii=False)
    personal = [*parsed.households["head_name"].dropna(), *parsed.members["id_number"].dropna()]
    assert personal and not [p for p in personal if p in logged]


def test_files_holding_personal_data_are_readable_by_their_owner_only(tmp_path: Path, monkeypatch) -> None:
    """RASOAT_HOME and the SQLite database (names, CCCD numbers) are closed to other users."""
    from rasoat.config import home
    from rasoat.db import init_db

    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "new-home"))
    assert home().stat().st_mode & 0o777 == 0o700
    loose = tmp_path / "loose.db"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    engine = init_db(f"sqlite:///{loose}")
    engine.dispose()
    for path in tmp_path.glob("loose.db*"):
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_audit_log_is_append_only_in_the_database_itself(engine: Engine) -> None:
    """Whatever program connects, an audit entry cannot be changed or deleted."""
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from rasoat.db import audit
    from rasoat.db.models import AuditEntry

    with session_scope(engine) as s:
        audit(s, "huyen", "round.approved", "review_round", "1", {"data_sha256": "ab" * 32})
    for statement in (update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as s:
            s.execute(statement)
    with session_scope(engine) as s:
        (entry,) = s.scalars(select(AuditEntry)).all()
        assert entry.actor == "huyen"
