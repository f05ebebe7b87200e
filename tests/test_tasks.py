"""Every Prefect task's body, called directly (`task.fn`) on a tiny district: 15 households a commune.

The bodies are what a flow runs; calling them directly tests what each task does without the
orchestration around it (the flows' own tests cover that). Bodies that log to their run or write
artifacts are called inside a bare test flow, so they have a run as in production; the session's
test Prefect server holds it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from sqlalchemy import Engine, delete, func, select

from rasoat.db import dispose_shared_engines, session_scope
from rasoat.db.models import Approval, Classification, CommunePartialRecord, Household
from rasoat.generate import generate_district
from rasoat.intake import cache as parse_cache
from rasoat.operations.approval_form import ApprovalInput
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.identify import Filing, UnidentifiedCommuneError
from tasks import approval, commune_files, consolidation, documents, intake, rounds, validation
from tasks.approval_request import APPROVAL_DEPLOYMENT, request_approval

YEAR = 2024  # a district round (three-level map)
DISTRICT = "468"
PROVINCE = "45"
ACTOR = "kiem-thu"


@pytest.fixture(scope="module")
def tiny_district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("camlo-tiny")
    generate_district(DISTRICT, YEAR, out, seed=17, households=120)
    return out


@pytest.fixture
def inbox(tiny_district: Path, rasoat_home: Path) -> Path:
    """Two of the district's eight communes have sent their files."""
    folder = rasoat_home / "inbox" / str(YEAR) / DISTRICT
    folder.mkdir(parents=True)
    for path in sorted(tiny_district.glob("*.xlsx"))[:2]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The tasks reach the database through the shared engine of RASOAT_DATABASE_URL."""
    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    yield engine
    dispose_shared_engines()


def test_identify_commune_from_the_file_name() -> None:
    assert intake.identify_commune.fn("/x/xa-19597-v2.xlsx", None, "468") == Filing("19597", "468")
    with pytest.raises(UnidentifiedCommuneError):
        intake.identify_commune.fn("/x/bao-cao.xlsx", None, None)


def test_districts_in_round_are_those_with_files(inbox: Path) -> None:
    assert rounds.scopes_in_round.fn(YEAR, PROVINCE) == [DISTRICT]
    assert rounds.scopes_in_round.fn(YEAR, "42") == []


def test_inbox_by_commune_groups_files_in_order_of_arrival(inbox: Path) -> None:
    grouped = commune_files.inbox_by_commune.fn(YEAR, DISTRICT)
    assert sorted(grouped) == [p.stem for p in sorted(inbox.glob("*.xlsx"))]
    assert all(len(files) == 1 for files in grouped.values())
    # The largest commune first: the task runner starts tasks in this order.
    sizes = [Path(files[0]).stat().st_size for files in grouped.values()]
    assert sizes == sorted(sizes, reverse=True)


def test_consolidation_lock_is_a_one_slot_limit_per_unit(prefect_server: None) -> None:
    name = consolidation.ensure_scope_limit.fn(YEAR, DISTRICT)
    assert name == consolidation.scope_limit_name(YEAR, DISTRICT) == "rasoat-consolidation-district-468"
    assert consolidation.scope_limit_name(2026, "44") == "rasoat-consolidation-province-44"
    with get_client(sync_client=True) as client:
        assert client.read_global_concurrency_limit_by_name(name).limit == 1


def test_a_run_waiting_for_the_consolidation_slot_is_told_to_ask_again_within_seconds(
    prefect_server: None,
) -> None:
    """After a burst of files, many reruns wait for one unit's slot. The server tells each refused
    run when to ask again from how long the slot is usually held and the refusals so far; rasoat
    caps that at 5 s (with Prefect's default, 30 s, the slot stayed free for up to 39 s while the
    last rerun slept)."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    name = consolidation.ensure_scope_limit.fn(2026, "01")  # no other test consolidates Hà Nội
    body = {"names": [name], "slots": 1, "mode": "concurrency"}
    with httpx.Client(base_url=PREFECT_API_URL.value(), timeout=30) as api:
        for _ in range(3):  # consolidations of a large province, each holding the slot 20 s
            assert api.post("/v2/concurrency_limits/increment", json=body).status_code == 200
            api.post("/v2/concurrency_limits/decrement", json={**body, "occupancy_seconds": 20.0})
        assert api.post("/v2/concurrency_limits/increment", json=body).status_code == 200
        try:
            waits = []
            for _ in range(20):  # twenty runs refused while the first holds the slot
                refused = api.post("/v2/concurrency_limits/increment", json=body)
                assert refused.status_code == 423
                waits.append(float(refused.headers["Retry-After"]))
        finally:
            api.post("/v2/concurrency_limits/decrement", json={**body, "occupancy_seconds": 1.0})
    assert max(waits) <= 5 * 1.3, waits  # the cap, plus the server's jitter of at most 30 %


def test_task_bodies_through_a_round(
    prefect_server: None, database: Engine, inbox: Path, tiny_district: Path
) -> None:
    """Intake → validation → consolidation → documents → approval, each step one task body."""
    with session_scope(database) as s:
        import_baseline(s, tiny_district / "history.csv", DISTRICT, ACTOR)
    first, second = sorted(inbox.glob("*.xlsx"))

    @flow(name="task-bodies")
    def task_bodies() -> None:
        # Intake and validation of one file, as the `commune_submission` flow's tasks.
        filing = intake.identify_commune.fn(str(first), None, DISTRICT)
        received = intake.store_and_read.fn(str(first), YEAR, filing, ACTOR)
        assert received.new_version and received.households == 15 and received.readable
        inputs = validation.validation_inputs_task.fn(received.submission_id)
        assert len(inputs) == 64 and validation.validation_inputs_task.fn(received.submission_id) == inputs
        validated = validation.validate_submission_task.fn(received.submission_id, ACTOR, inputs, False)
        assert validated.accepted and validated.households == 15
        validation.publish_validation.fn(validated, YEAR)

        # The second commune, as a round's per-commune task.
        round_id = rounds.open_round.fn(YEAR, DISTRICT, ACTOR)
        missing = rounds.communes_missing.fn(YEAR, DISTRICT, ACTOR)
        assert len(missing) == 7 and first.stem not in missing
        files = commune_files.inbox_by_commune.fn(YEAR, DISTRICT)[second.stem]
        parse_cache.clear()
        assert commune_files.take_in_commune.fn(second.stem, files, YEAR, DISTRICT, ACTOR, False).accepted
        # Intake and validation shared one parse of the file; the worker keeps none once it is done.
        assert not parse_cache._cache
        assert len(rounds.communes_missing.fn(YEAR, DISTRICT, ACTOR)) == 6
        with session_scope(database) as s:
            assert s.scalar(select(func.count()).select_from(Household)) == 30
            assert s.scalar(select(func.count()).select_from(Classification)) == 30
            # Each accepted file's count rows, kept for the consolidation when its verdict was recorded.
            assert s.scalar(select(func.count()).select_from(CommunePartialRecord)) == 2
            # One missing (kept by an older version, say): the consolidation counts it from its rows.
            first_id = CommunePartialRecord.submission_id == received.submission_id
            s.execute(delete(CommunePartialRecord).where(first_id))

        # Consolidation of the two (the others recorded as missing): plan, rows, the district's tables.
        plan = consolidation.plan_consolidation_task.fn(round_id, True, "Kiểm thử: hai xã đã nộp")
        assert len(plan.included) == 2 and len(plan.missing) == 6 and plan.scope_code == DISTRICT
        data = consolidation.commune_partials_task.fn(plan)
        assert sum(k.partial.counts["r1"]["households"] for k in data) == 30
        assert [k.counted_now for k in data] == [True, False]  # counted from rows; kept
        outcome = consolidation.consolidate_task.fn(plan, data, ACTOR)
        assert outcome.passed and outcome.forced and outcome.tables is not None
        assert outcome.tables["r1"].iloc[0]["households"] == 30
        consolidation.publish_consolidation.fn(outcome, YEAR)
        assert Path(consolidation.write_overview_task.fn(YEAR, DISTRICT)).is_file()

        # The district's documents, without certificates: the plan, each commune, the district's own.
        plan = documents.documents_plan_task.fn(outcome.consolidation_id)
        assert plan.communes == tuple(sorted(d.partial.commune_code for d in data))
        communes = [
            documents.commune_documents_task.fn(outcome.consolidation_id, code, plan.issued_on, False)
            for code in plan.communes
        ]
        assert all(
            {d.kind for d in c} == {"notice", "decision", "commune_report", "lists_xlsx"} for c in communes
        )
        unit = documents.unit_documents_task.fn(outcome.consolidation_id, plan.issued_on)
        assert [d.kind for d in unit] == ["district_report", "tables_xlsx"]
        issued = [d for c in communes for d in c] + unit
        assert all(Path(d.path).is_file() for d in issued)
        documents.publish_documents.fn(issued, f"documents-{YEAR}-{DISTRICT}", "Văn bản huyện kiểm thử")

        # The province's tables, the approver's answer, the decision.
        prepared = approval.prepare_province.fn(YEAR, PROVINCE, ACTOR)
        assert prepared.district_consolidations == {DISTRICT: outcome.consolidation_id}
        assert approval.current_fingerprint.fn(YEAR, PROVINCE, ACTOR) == prepared.data_sha256
        approval.publish_approval_request.fn(prepared)
        answer = ApprovalInput(
            decision="approve",
            approver_name="Người Phê Duyệt",
            approver_position="Chủ tịch UBND tỉnh",
            decision_number="12/QĐ-UBND",
        )
        decided = approval.record_decision_task.fn(prepared, answer, ACTOR)
        assert decided["decision"] == "approved" and decided["data_sha256"] == prepared.data_sha256
        issued = documents.province_documents_task.fn(YEAR, PROVINCE, int(decided["approval_id"]), ACTOR)
        assert [d.symbol for d in issued if d.symbol] == ["12/QĐ-UBND"]

    task_bodies()
    with session_scope(database) as s:
        assert s.scalar(select(func.count()).select_from(Approval)) == 1


def test_request_approval_starts_the_deployment_without_waiting(prefect_server: None) -> None:
    from flows.province_approval import province_approval

    flow_name, deployment_name = APPROVAL_DEPLOYMENT.split("/")
    assert flow_name == province_approval.name
    province_approval.to_deployment(name=deployment_name).apply()
    asked = flow(name="request-approval-body")(request_approval.fn)(YEAR, PROVINCE, ACTOR)
    assert asked["decision"] == "requested"
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(asked["flow_run_id"])
        assert run.parameters == {"year": YEAR, "province_code": PROVINCE, "actor": ACTOR}
        assert run.state is not None and run.state.is_scheduled()
        client.delete_flow_run(run.id)  # nobody serves the deployment here: leave no run waiting
