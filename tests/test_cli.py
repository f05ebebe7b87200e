"""The `rasoat` command line as district staff use it: demo, database upgrade, clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import make_engine, session_scope
from rasoat.db.models import Approval, Classification, Document, ReviewRound, StatusHistory, Submission

runner = CliRunner()


@pytest.mark.e2e
def test_demo_runs_a_two_tier_round_and_reruns_without_duplicates(
    prefect_server: None, database_url: str, monkeypatch: pytest.MonkeyPatch, rasoat_home: Path
) -> None:
    """The demo is this year's round on today's map: two communes of the new Quảng Trị consolidated
    by the province, last years' lists (under the eight old Cam Lộ codes) re-homed across the merger."""
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    first = runner.invoke(app, ["demo", "--households", "300", "--seed", "3"])
    assert first.exit_code == 0, first.output
    text = first.output.replace("\n", " ")
    assert "Xã Cam Lộ" in first.output and "Tỉnh Quảng Trị" in first.output and "Cuối kỳ" in first.output
    assert "chuyển từ mã xã cũ sang xã mới" in text
    assert "[demo] Phê duyệt bởi người phê duyệt MẪU" in first.output
    assert "Phê duyệt: approved" in first.output
    province = rasoat_home / "output" / "2026" / "44"
    assert (province / "bang-tong-hop-tinh-44-2026.xlsx").is_file()
    assert (province / "quyet-dinh-phe-duyet-44-2026.pdf").is_file()
    assert (province / "19597" / "giay-chung-nhan-19597-2026.pdf").is_file()
    assert (province / "19603" / "thong-bao-niem-yet-19603-2026.pdf").is_file()
    assert not list(province.rglob("*huyen*"))  # no district body on the two-tier map
    assert "Văn bản (PDF):" in first.output
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        registered = s.scalar(select(func.count()).select_from(Document))
        rounds = s.execute(select(ReviewRound.scope_level, ReviewRound.scope_code)).all()
        assert rounds == [("province", "44")]  # one round: the province consolidates and approves
        # Last year's roster is the re-homed one: the round's movements start from it.
        rehomed = s.scalar(
            select(func.count())
            .select_from(StatusHistory)
            .where(StatusHistory.year == 2024, StatusHistory.commune_code.in_(["19597", "19603"]))
        )
        assert rehomed and rehomed > 0
    engine.dispose()

    status = runner.invoke(app, ["round", "status", "2026"])
    assert status.exit_code == 0, status.output
    assert "province 44" in status.output and "accepted v1" in status.output and "chưa nộp" in status.output

    second = runner.invoke(app, ["demo", "--households", "300", "--seed", "3"])
    assert second.exit_code == 0, second.output

    engine = make_engine(database_url)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 2  # same bytes: no new versions
        assert s.scalar(select(func.count()).select_from(Classification)) == 300
        approvals = s.scalars(select(Approval)).all()
        assert {a.approver_name for a in approvals} == {"Người phê duyệt mẫu (demo)"}
        assert all(a.lapsed_at is None for a in approvals)
        # The same data again: every document keeps its number, nothing new in the register.
        assert s.scalar(select(func.count()).select_from(Document)) == registered
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--year", "2024"], "năm này dùng bản đồ ba cấp: thêm --legacy"),
        (["demo", "--legacy", "--year", "2026"], "--legacy chỉ dùng cho năm đến 2024"),
    ],
)
def test_demo_year_must_match_its_map(argv: list[str], message: str) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert message in result.output.replace("\n", " ")


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["approve", "2026-45", "--approver", "AB", "--position", "CD"], "phê duyệt cần --decision-number"),
        (["approve", "2026-45", "--approver", "AB", "--position", "CD", "--reject"], "trả lại cần --reason"),
        (["round", "start", "--year", "2026"], "chọn đúng một trong --district hoặc --province"),
    ],
)
def test_bad_options_are_usage_errors(argv: list[str], message: str, rasoat_home: Path) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output.replace("\n", " ")
    assert "Lỗi không mong đợi" not in result.output


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


def test_unreachable_prefect_server_is_one_clear_message(tmp_path: Path, rasoat_home: Path) -> None:
    """PREFECT_API_URL pointing at nothing: a sentence saying what to do, not a connection traceback."""
    import os
    import socket
    import subprocess
    import sys

    from rasoat.config import PROJECT_ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again once the block ends: nothing listens there
    sample = PROJECT_ROOT / "data" / "sample" / "468" / "19597.xlsx"
    env = {**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "RASOAT_HOME": str(rasoat_home)}
    done = subprocess.run(
        [sys.executable, "-m", "rasoat", "submit", str(sample), "--year", "2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join((done.stdout + done.stderr).split())
    assert f"không kết nối được máy chủ Prefect tại http://127.0.0.1:{port}/api" in message
    assert "rasoat up" in message and "Traceback" not in message
