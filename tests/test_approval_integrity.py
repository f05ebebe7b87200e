"""An approval is bound to the data the approver saw: data that changes while the decision is
pending is never approved (real Prefect test server, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from rasoat.db import session_scope
from rasoat.db.models import Approval, AuditEntry
from rasoat.generate import generate_district
from rasoat.pipeline.consolidation_stage import consolidate_round
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import validate_stored
from rasoat.standards import standard_for_year

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round (three-level map)
APPROVER = {"approver_name": "Nguyễn Văn Duyệt", "approver_position": "Chủ tịch UBND tỉnh"}


def _take_in(engine: Engine, path: Path, name: str | None = None) -> int:
    name = name or path.name
    with session_scope(engine) as s:
        received = receive(s, YEAR, standard_for_year(YEAR), identify(name), name, path.read_bytes(), "xa")
    with session_scope(engine) as s:
        assert validate_stored(s, received.submission_id, "xa", data_docs=False).accepted
    return received.round_id


def test_data_changed_while_the_decision_was_pending_is_never_approved(
    prefect_server: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.province_approval import DataChangedError, province_approval
    from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    generate_district("468", YEAR, tmp_path / "camlo", seed=8, households=400)
    files = sorted((tmp_path / "camlo").glob("*.xlsx"))
    for path in files:
        round_id = _take_in(engine, path)
    with session_scope(engine) as s:
        assert consolidate_round(s, round_id, "huyen").passed

    corrected = tmp_path / f"{files[0].stem}-v2.xlsx"
    book = openpyxl.load_workbook(files[0])
    book["ho"].cell(row=2, column=9, value=1_250_000)
    book.save(corrected)
    problems: list[BaseException] = []

    def approver() -> None:
        try:
            wait_for_approval_request(YEAR, "45", timeout_s=300)
            # While the approver reads the tables, a commune's correction is accepted and consolidated.
            _take_in(engine, corrected)
            with session_scope(engine) as s:
                assert consolidate_round(s, round_id, "huyen").passed
            answer_approval(YEAR, "45", {"decision": "approve", "decision_number": "9/QĐ-UBND", **APPROVER})
        except BaseException as exc:  # reported by the test below
            problems.append(exc)

    thread = threading.Thread(target=approver, daemon=True)
    thread.start()
    with pytest.raises(DataChangedError):
        province_approval(YEAR, "45", "huyen")
    thread.join(timeout=60)
    assert problems == []
    with session_scope(engine) as s:
        assert s.scalars(select(Approval)).all() == []  # nothing recorded as approved
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "round.approved")).all()
