"""Communes validated side by side (a round maps them on the task runner) are judged as if one came
after the other: two files sharing a CCCD number, checked at the same moment, end with one accepted
and the other told of the duplicate (both databases)."""

from __future__ import annotations

import threading
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

import rasoat.pipeline.validation_stage as stage
from rasoat.db import session_scope
from rasoat.intake import read_submission_path
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.standards import standard_for_year

pytestmark = pytest.mark.e2e  # whole validations racing on a real database

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468"
YEAR = 2024  # a district round (three-level map)


def _member_id_column(sheet: openpyxl.worksheet.worksheet.Worksheet) -> int:
    headers = [str(c.value or "").strip() for c in sheet[1]]
    return headers.index("Số CCCD") + 1


def _sharing_a_number(tmp_path: Path) -> tuple[Path, Path]:
    """19597 as generated, and 19600 with one member's CCCD changed to one of 19597's."""
    taken = read_submission_path(SAMPLE / "19597.xlsx").members["id_number"].dropna().iloc[0]
    own = read_submission_path(SAMPLE / "19600.xlsx")
    heads = set(own.households["head_id_number"].dropna())
    member = next(v for v in own.members["id_number"].dropna() if v not in heads)  # not a head
    book = openpyxl.load_workbook(SAMPLE / "19600.xlsx")
    sheet = book["thanh_vien"]
    column = _member_id_column(sheet)
    row = next(
        r for r in range(2, sheet.max_row + 1) if str(sheet.cell(row=r, column=column).value) == member
    )
    sheet.cell(row=row, column=column, value=str(taken))
    changed = tmp_path / "19600.xlsx"
    book.save(changed)
    return SAMPLE / "19597.xlsx", changed


def _receive(engine: Engine, path: Path) -> int:
    with session_scope(engine) as s:
        return receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name, None), path.name, path.read_bytes(), "xa"
        ).submission_id


def test_two_communes_checked_at_once_still_catch_their_shared_number(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _sharing_a_number(tmp_path)
    ids = [_receive(engine, first), _receive(engine, second)]

    # Both finish their checks before either records: neither saw the other's numbers when checked.
    both_checked = threading.Barrier(2, timeout=120)
    checked_once: set[int] = set()
    original = stage.validate_submission

    def checked_then_wait(parsed, context, docs_dir):  # type: ignore[no-untyped-def]
        report = original(parsed, context, docs_dir)
        thread = threading.get_ident()
        if thread not in checked_once:
            checked_once.add(thread)
            both_checked.wait()
        return report

    monkeypatch.setattr(stage, "validate_submission", checked_then_wait)
    verdicts: dict[int, stage.Validated] = {}
    errors: list[BaseException] = []

    def run(submission_id: int) -> None:
        try:
            verdicts[submission_id] = stage.validate_stored_concurrently(
                engine, submission_id, "xa", data_docs=False
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    accepted = [v for v in verdicts.values() if v.accepted]
    rejected = [v for v in verdicts.values() if not v.accepted]
    assert len(accepted) == 1 and len(rejected) == 1
    failed = {c.check for c in rejected[0].checks if not c.success}
    assert "doi_chieu.member_id_unique_in_round" in failed or "doi_chieu.head_id_unique_in_round" in failed


def test_without_a_shared_number_both_are_accepted(engine: Engine) -> None:
    ids = [_receive(engine, SAMPLE / "19597.xlsx"), _receive(engine, SAMPLE / "19603.xlsx")]
    results = [stage.validate_stored_concurrently(engine, i, "xa", data_docs=False) for i in ids]
    assert all(r.accepted for r in results)
