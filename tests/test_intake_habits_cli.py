"""The form habits through the command line: `rasoat classify` (no database) and `rasoat submit`
(intake, validation, storage and feedback, on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import session_scope
from rasoat.db.models import Household, Submission

CORPUS = Path(__file__).parent / "corpus"
SIGNERS = ["Lê Thị Hoa", "Nguyễn Văn Bình", "Đặng Văn Cửu"]  # as in make_corpus.py
YEAR = 2024
runner = CliRunner()


def flat(output: str) -> str:
    return " ".join(output.split())


def classify(name: str, tmp_path: Path) -> tuple[int, str, list[dict[str, str]]]:
    out = tmp_path / f"{name}.csv"
    result = runner.invoke(app, ["classify", str(CORPUS / name), "--year", str(YEAR), "--out", str(out)])
    rows = list(csv.DictReader(out.open(encoding="utf-8"))) if out.exists() else []
    return result.exit_code, flat(result.output), rows


def test_classify_converts_thousands_and_says_so(tmp_path: Path) -> None:
    code, output, rows = classify("income_thousands.xlsx", tmp_path)
    assert code == 0, output
    assert "đọc theo đơn vị nghìn đồng/người/tháng; nhân 1.000" in output
    # 1,300,000 (rural, 3 deprivations) is poor; 2,809,000 is above the MSTB band: non-poor.
    assert [r["status"] for r in rows][:2] == ["poor", "non_poor"]
    code, output, rows = classify("income_thousands_unlabelled.xlsx", tmp_path)
    assert code == 0 and "không quy đổi" in output  # classify reads; `submit` validates (below)
    assert [r["status"] for r in rows][:2] == ["poor", "near_poor"]


def test_classify_yearly_income(tmp_path: Path) -> None:
    code, output, rows = classify("income_yearly.xlsx", tmp_path)
    assert code == 0, output
    assert "chia 12 tháng" in output
    assert [r["status"] for r in rows] == ["poor", "non_poor", "poor", "mstb"]


@pytest.mark.parametrize("name", ["income_millions.xlsx", "income_per_household.csv"])
def test_classify_refuses_a_unit_not_understood(name: str, tmp_path: Path) -> None:
    code, output, rows = classify(name, tmp_path)
    assert code == 2 and rows == []
    assert "không hiểu đơn vị" in output and "nghìn đồng/người/tháng" in output


@pytest.mark.parametrize(
    "name",
    [
        "official_list_signatures.xlsx",
        "official_list_signatures_left.xlsx",
        "official_list_signatures.csv",
        "official_list_village_totals.xlsx",
    ],
)
def test_classify_official_lists_ignores_totals_and_signatures(name: str, tmp_path: Path) -> None:
    code, output, rows = classify(name, tmp_path)
    assert code == 0, output
    assert "được coi là phần cuối bảng" in output
    assert all(r["household_id"].startswith("19600-01-") for r in rows)
    assert len(rows) == (7 if "village" in name else 5)
    assert not [s for s in SIGNERS if s in output]


def test_classify_ticks_and_yes_no(tmp_path: Path) -> None:
    code, output, rows = classify("ticks.xlsx", tmp_path)
    assert code == 0, output
    assert "Cảnh báo" in output and "Chỉ số thiếu hụt 1" in output and "dấu đánh dấu" in output
    assert [r["deprivation_count"] for r in rows] == ["3", "0", "3", "0"]
    code, output, rows = classify("yes_no.xlsx", tmp_path)
    assert code == 0, output
    assert [r["deprivation_count"] for r in rows] == ["3", "0", "3"]
    code, output, rows = classify("ticks_mixed.xlsx", tmp_path)
    assert code == 2 and "vừa có dấu đánh dấu" in output and rows == []


def _submit(name: str, tmp_path: Path) -> tuple[int, str]:
    target = tmp_path / name.replace(name.split(".")[0], "19600")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / name, target)
    result = runner.invoke(app, ["submit", str(target), "--year", str(YEAR), "--no-data-docs"])
    return result.exit_code, flat(result.output)


def _feedback(home: Path) -> str:
    newest = max(home.rglob("phan-hoi-19600-v*.html"), key=lambda p: int(p.stem.rsplit("v", 1)[1]))
    return newest.read_text(encoding="utf-8")


def _households(engine: Engine) -> list[Household]:
    with session_scope(engine) as s:
        latest = s.scalar(
            select(Submission.id).where(Submission.status == "accepted").order_by(Submission.id.desc())
        )
        rows = s.scalars(
            select(Household).where(Household.submission_id == latest).order_by(Household.source_row)
        ).all()
        s.expunge_all()
        return list(rows)


@pytest.mark.e2e  # a flow run per file, on a real Prefect server
def test_submit_form_habits(
    prefect_server: None,
    engine: Engine,
    rasoat_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    # Thousands stated in the header: accepted, stored in đồng, the feedback says how it was read.
    code, output = _submit("income_thousands.xlsx", tmp_path / "a")
    assert code == 0 and "CHẤP NHẬN" in output, output
    assert [h.income_per_capita for h in _households(engine)] == [1_300_000, 2_809_000, 1_450_000, 2_100_000]
    assert "nhân 1.000 để được đồng/người/tháng" in _feedback(rasoat_home)

    # Thousands under the contract's header: blocked, asking whether the unit is thousands.
    code, output = _submit("income_thousands_unlabelled.xlsx", tmp_path / "b")
    assert code == 1 and "KHÔNG CHẤP NHẬN" in output, output
    html = _feedback(rasoat_home)
    assert "Có phải số liệu được ghi bằng nghìn đồng?" in html and "1.775" in html

    # A unit not understood: the file is refused as a whole, naming the column.
    code, output = _submit("income_millions.xlsx", tmp_path / "c")
    assert code == 2 and "KHÔNG ĐỌC ĐƯỢC TỆP" in output, output
    assert "Thu nhập bình quân (triệu đồng/người/tháng)" in _feedback(rasoat_home)

    # The official list: title, STT column, total row, place and date, signatures on both sides.
    code, output = _submit("official_list_signatures.xlsx", tmp_path / "d")
    assert code == 0, output
    stored = _households(engine)
    assert [h.household_id for h in stored] == [f"19600-01-{n:05d}" for n in (1, 2, 3, 4, 5)]
    html = _feedback(rasoat_home)
    assert "hộ cuối cùng ở dòng 10; dòng 11, 13–16, 19–20 bên dưới" in html
    assert not [s for s in SIGNERS if s in html or any(s in (h.village or "") for h in stored)]

    # Ticked indicators: accepted with a warning naming each column read that way.
    code, output = _submit("ticks.xlsx", tmp_path / "e")
    assert code == 0 and "cảnh báo" in output, output
    assert [h.d01 for h in _households(engine)] == [1, 0, 1, 0]
    html = _feedback(rasoat_home)
    assert "Chỉ số thiếu hụt 1" in html and "ô để trống được đọc là 0" in html
