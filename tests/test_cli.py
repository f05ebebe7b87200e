"""The `rasoat` command line as district staff use it: demo, database upgrade, clear failures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import make_engine, session_scope
from rasoat.db.models import Classification, Submission

runner = CliRunner()


def test_demo_stores_classifies_and_is_idempotent(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    first = runner.invoke(app, ["demo", "--households", "400", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "Cam Lộ" in first.output and "Tổng" in first.output and "Cuối kỳ" in first.output
    assert "8 bản nộp mới, 0 bản trùng" in first.output

    second = runner.invoke(app, ["demo", "--households", "400", "--seed", "3"])
    assert second.exit_code == 0, second.output
    assert "0 bản nộp mới, 8 bản trùng" in second.output

    engine = make_engine(database_url)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 8
        assert s.scalar(select(func.count()).select_from(Classification)) == 400
    engine.dispose()


def test_db_upgrade(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Cơ sở dữ liệu đã cập nhật" in result.output


def test_unreachable_database_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setenv("RASOAT_DATABASE_URL", "postgresql://postgres:secret@127.0.0.1:9/rasoat")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "không kết nối được cơ sở dữ liệu" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_year_without_standard(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["demo", "--year", "2031"])
    assert result.exit_code == 2
    assert "chưa có chuẩn nghèo nào cho năm rà soát 2031" in result.output.replace("\n", " ")


def test_standards_lists_both_periods() -> None:
    result = runner.invoke(app, ["standards"])
    assert result.exit_code == 0
    assert "ND07_2022_2026" in result.output and "ND351_2027_2030" in result.output


def test_baseline_import(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    history = Path(__file__).resolve().parent.parent / "data" / "sample" / "468" / "history.csv"
    first = runner.invoke(app, ["baseline", "import", str(history), "--district", "468"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["baseline", "import", str(history), "--district", "468"])
    assert again.exit_code == 0 and first.output == again.output  # replaced, not duplicated
    wrong = runner.invoke(app, ["baseline", "import", str(history), "--district", "615"])
    assert wrong.exit_code == 2 and "dòng 2, cột 'commune_code'" in wrong.output
