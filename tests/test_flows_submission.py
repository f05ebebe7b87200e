"""Commune intake and validation as Prefect flows, on a real Prefect server and real databases."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.db import init_db, make_engine, session_scope
from rasoat.db.models import Classification, Submission, ValidationResult
from rasoat.generate import generate_district
from rasoat.intake import read_submission

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round: the three-level map (from 2025, communes such as 19615 are closed)
COMMUNE = "19612"  # Xã Cam Thành, Cam Lộ: the generator puts 11 mistakes here with seed 11


@pytest.fixture(scope="module")
def district_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Cam Lộ generated twice from one seed: as the communes first send it (with mistakes), and
    corrected. Same households, so the corrected file is the commune's fixed version."""
    root = tmp_path_factory.mktemp("camlo")
    generate_district("468", YEAR, root / "errors", seed=11, households=900, error_rate=0.04)
    generate_district("468", YEAR, root / "clean", seed=11, households=900)
    return {"errors": root / "errors", "clean": root / "clean"}


def _injected(files: dict[str, Path], commune: str) -> list[dict[str, str]]:
    manifest = json.loads((files["errors"] / "manifest.json").read_text(encoding="utf-8"))
    return [e for e in manifest["injected_errors"] if e["household_id"].startswith(commune)]


def _submissions(url: str) -> list[tuple[int, str, str]]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        rows = s.execute(
            select(Submission.version, Submission.status, Submission.sha256)
            .where(Submission.commune_code == COMMUNE)
            .order_by(Submission.version)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_rejected_commune_is_corrected_as_version_two(
    prefect_server: None,
    engine: Engine,
    district_files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from flows.commune_submission import commune_submission

    database_url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)

    # A clean commune is accepted and its households classified.
    clean = commune_submission(str(district_files["clean"] / "19600.xlsx"), YEAR)
    assert clean.verdict in ("accepted", "accepted_with_warnings") and clean.blocking == 0
    assert clean.households == sum(clean.status_counts.values()) > 0

    # The same commune's file with mistakes: rejected, every mistake listed for the commune.
    injected = _injected(district_files, COMMUNE)
    assert injected, "the generator should have put mistakes into this commune"
    wrong = commune_submission(str(district_files["errors"] / f"{COMMUNE}.xlsx"), YEAR)
    assert wrong.verdict == "rejected" and wrong.blocking > 0 and wrong.households == 0
    failed = {c.check for c in wrong.checks if not c.success}
    assert failed
    book = load_workbook(wrong.feedback_xlsx, read_only=True)
    listed = {str(cell) for row in book.worksheets[1].iter_rows(values_only=True) for cell in row}
    for error in injected:
        if error["kind"] != "duplicate_household_id":  # its original id is gone from the file
            assert error["household_id"] in listed, error
    html = Path(wrong.feedback_html).read_text(encoding="utf-8")
    assert "Không chấp nhận" in html
    parsed = read_submission((district_files["errors"] / f"{COMMUNE}.xlsx").read_bytes(), "x.xlsx")
    personal = [*parsed.households["head_name"].dropna(), *parsed.members["full_name"].dropna()]
    assert not [name for name in personal if name in html]

    # The same bytes again: no new version.
    again = commune_submission(str(district_files["errors"] / f"{COMMUNE}.xlsx"), YEAR)
    assert again.version == 1

    # The corrected file is version 2 and accepted; version 1 is still there, still rejected.
    corrected = tmp_path / f"{COMMUNE}-da-sua.xlsx"
    shutil.copy(district_files["clean"] / f"{COMMUNE}.xlsx", corrected)
    fixed = commune_submission(str(corrected), YEAR)
    assert fixed.version == 2 and fixed.accepted
    versions = _submissions(database_url)
    assert [(v, s) for v, s, _ in versions] == [(1, "rejected"), (2, "accepted")]

    engine = make_engine(database_url)
    with session_scope(engine) as s:
        v1 = s.scalars(
            select(Submission).where(Submission.commune_code == COMMUNE, Submission.version == 1)
        ).one()
        assert v1.content == (district_files["errors"] / f"{COMMUNE}.xlsx").read_bytes()
        recorded = s.scalars(select(ValidationResult).where(ValidationResult.submission_id == v1.id)).all()
        assert {r.expectation for r in recorded if not r.success} == failed
        classified = s.scalars(
            select(Classification.submission_id).where(Classification.commune_code == COMMUNE).distinct()
        ).all()
        assert classified == [fixed.submission_id]  # rejected data never became household rows
    engine.dispose()


def test_artifacts_show_counts_not_people(
    prefect_server: None, engine: Engine, district_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client

    from flows.commune_submission import commune_submission

    database_url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    path = district_files["errors"] / "19618.xlsx"
    commune_submission(str(path), YEAR)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    mine = [a for a in artifacts if a.key and a.key.endswith("19618")]
    # Prefect stores a link artifact as markdown: tell them apart by key.
    assert {a.key.split("-")[0] for a in mine} == {"validation", "feedback", "verdict"}
    assert "table" in {a.type for a in mine}
    text = json.dumps([a.model_dump(mode="json") for a in artifacts], ensure_ascii=False)
    parsed = read_submission(path.read_bytes(), path.name)
    personal = [
        *parsed.households["head_name"].dropna(),
        *parsed.members["full_name"].dropna(),
        *parsed.members["id_number"].dropna(),
    ]
    assert personal and not [p for p in personal if p in text]


def test_submit_command_exit_codes(
    prefect_server: None,
    engine: Engine,
    district_files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    database_url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RASOAT_DATABASE_URL", database_url)
    runner = CliRunner()
    ok = runner.invoke(app, ["submit", str(district_files["clean"] / "19615.xlsx"), "--year", str(YEAR)])
    assert ok.exit_code == 0, ok.output
    assert "CHẤP NHẬN" in ok.output

    bad = runner.invoke(
        app,
        ["submit", str(district_files["errors"] / "19600.xlsx"), "--year", str(YEAR), "--district", "468"],
    )
    assert bad.exit_code == 1, bad.output
    assert "KHÔNG CHẤP NHẬN" in bad.output

    junk = tmp_path / "19621.xlsx"
    junk.write_bytes(b"\x00garbage\xff" * 100)
    unreadable = runner.invoke(app, ["submit", str(junk), "--year", str(YEAR)])
    assert unreadable.exit_code == 2, unreadable.output
    assert "KHÔNG ĐỌC ĐƯỢC TỆP" in unreadable.output

    elsewhere = runner.invoke(app, ["submit", str(junk), "--year", str(YEAR), "--district", "615"])
    assert elsewhere.exit_code == 2 and "không thuộc huyện 615" in elsewhere.output
    assert "Traceback" not in elsewhere.output


def test_a_submission_sends_heartbeats_for_its_own_run_not_its_subflows(
    prefect_server: None, district_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run a zombie-run automation would watch beats; the subflows inside its process do not
    (each would hold its run's end for up to a second)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
    from prefect.settings import PREFECT_API_URL

    from flows.commune_submission import commune_submission

    url = f"sqlite:///{tmp_path / 'rasoat.db'}"
    init_db(url).dispose()
    monkeypatch.setenv("RASOAT_DATABASE_URL", url)
    state = commune_submission(str(district_files["clean"] / "19615.xlsx"), YEAR, return_state=True)
    top = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[top]))
        )
    assert {c.name.split("-")[0] for c in children} == {"intake", "validation"}, [c.name for c in children]
    watched = {f"prefect.flow-run.{run_id}" for run_id in [top, *(c.id for c in children)]}
    beating: set[str] = set()
    deadline = time.monotonic() + 30  # the server stores events in batches
    with httpx.Client(base_url=str(PREFECT_API_URL.value()).rstrip("/"), timeout=60) as api:
        while f"prefect.flow-run.{top}" not in beating and time.monotonic() < deadline:
            time.sleep(0.5)
            found = api.post(
                "/events/filter",
                json={"filter": {"event": {"name": ["prefect.flow-run.heartbeat"]}}, "limit": 50},
            )
            found.raise_for_status()
            beating = {e["resource"]["prefect.resource.id"] for e in found.json()["events"]} & watched
    assert beating == {f"prefect.flow-run.{top}"}
