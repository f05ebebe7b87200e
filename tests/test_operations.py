"""Operations: the inbox watcher, prefect.yaml's deployments, and `rasoat up` / `rasoat down`."""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from rasoat.config import PROJECT_ROOT
from rasoat.operations.watcher import (
    CORRECTED,
    RECEIVED,
    Candidate,
    InboxWatcher,
    Seen,
    Skip,
    Verdict,
    candidate,
    decide,
    event_for,
    ignored_name,
)

# -- pure decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("19597.xlsx", False),
        ("xa-19597-v2.XLSX", False),
        ("19597.csv", False),
        ("19597.xls", False),
        (".19597.xlsx", True),
        ("~$19597.xlsx", True),
        ("19597.xlsx.part", True),
        ("19597.tmp", True),
        ("notes.txt", True),
    ],
)
def test_ignored_names_follow_the_inbox_rules(name: str, ignored: bool) -> None:
    assert ignored_name(name) is ignored


def test_candidate_takes_codes_from_folders_and_file_name(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    found = candidate(root / "2026" / "44" / "xa-19597-v2.xlsx", root)
    assert found == Candidate(root / "2026" / "44" / "xa-19597-v2.xlsx", "2026", "44", "19597")
    assert candidate(root / "2026" / "44" / "~$19597.xlsx", root) is None
    with pytest.raises(Skip, match="5-digit"):
        candidate(root / "2026" / "44" / "bao-cao.xlsx", root)
    with pytest.raises(Skip, match="5-digit"):
        candidate(root / "2026" / "44" / "19597-19600.xlsx", root)
    with pytest.raises(Skip, match="inbox/<year>/<province>"):
        candidate(root / "19597.xlsx", root)
    with pytest.raises(Skip, match="inbox/<year>/<province>"):
        candidate(root / "2026" / "cam-lo" / "19597.xlsx", root)
    # The folder must be a unit of the year's level: the province from 2025, the district up to 2024.
    assert candidate(root / "2024" / "468" / "19597.xlsx", root) == Candidate(
        root / "2024" / "468" / "19597.xlsx", "2024", "468", "19597"
    )
    with pytest.raises(Skip, match="a 2026 round takes files in inbox/2026/<province>/"):
        candidate(root / "2026" / "468" / "19597.xlsx", root)
    with pytest.raises(Skip, match="a 2024 round takes files in inbox/2024/<district>/"):
        candidate(root / "2024" / "45" / "19597.xlsx", root)
    with pytest.raises(Skip, match="no round of 2026 for 99"):
        candidate(root / "2026" / "99" / "19597.xlsx", root)


def test_approve_names_a_province_round_and_refuses_a_district_of_a_two_tier_year() -> None:
    from rasoat.admin.scope import ScopeError
    from rasoat.operations.approval_client import parse_round

    assert parse_round("2026-44") == (2026, "44")
    assert parse_round("approval-2026-province-44") == (2026, "44")
    assert parse_round("review-2024-district-468") == (2024, "45")
    with pytest.raises(ScopeError, match="năm 2026 không còn cấp huyện"):
        parse_round("2026-468")


def test_decide_waits_until_size_and_mtime_are_stable_for_settle_seconds() -> None:
    verdict, seen = decide(None, 10, 1, now=100.0, settle=2)
    assert verdict is Verdict.WAIT and seen == Seen(10, 1, 100.0)
    verdict, seen = decide(seen, 10, 1, now=101.9, settle=2)
    assert verdict is Verdict.WAIT and seen == Seen(10, 1, 100.0)
    # grows: the clock restarts
    verdict, seen = decide(seen, 20, 2, now=102.0, settle=2)
    assert verdict is Verdict.WAIT and seen == Seen(20, 2, 102.0)
    # same size, new mtime (rewritten in place): restarts too
    verdict, seen = decide(seen, 20, 3, now=103.0, settle=2)
    assert verdict is Verdict.WAIT and seen == Seen(20, 3, 103.0)
    verdict, _ = decide(seen, 20, 3, now=105.0, settle=2)
    assert verdict is Verdict.READY
    assert decide(seen, None, None, now=106.0, settle=2) == (Verdict.GONE, None)


def test_event_carries_codes_and_path_only(tmp_path: Path) -> None:
    path = tmp_path / "inbox" / "2026" / "44" / "19597.xlsx"
    event = event_for(Candidate(path, "2026", "44", "19597"), corrected=False)
    assert event == {
        "event": RECEIVED,
        "resource": {
            "prefect.resource.id": "rasoat.commune.19597",
            "rasoat.file": str(path),
            "rasoat.year": "2026",
            "rasoat.scope": "44",
            "rasoat.commune": "19597",
        },
    }
    assert event_for(Candidate(path, "2026", "44", "19597"), corrected=True)["event"] == CORRECTED


def test_poll_once_announces_once_then_corrections(tmp_path: Path) -> None:
    """The poll loop with an explicit clock: no watchdog, no sleeping."""
    root = tmp_path / "inbox"
    folder = root / "2026" / "44"
    folder.mkdir(parents=True)
    events: list[dict] = []
    watcher = InboxWatcher(root, emit=lambda **e: events.append(e), settle_seconds=2)
    first = folder / "19597.xlsx"
    first.write_bytes(b"part one")
    watcher.mark(first)
    watcher.mark(folder / "~$19597.xlsx")  # Excel's lock file: never pending
    assert watcher.poll_once(now=0) == []
    assert watcher.poll_once(now=1) == []
    assert [e["event"] for e in watcher.poll_once(now=2)] == [RECEIVED]
    watcher.mark(first)  # a modified event without a change (e.g. a close after write)
    assert watcher.poll_once(now=3) == [] and watcher.poll_once(now=6) == []
    # a later file of the same commune in the same folder is a correction
    second = folder / "xa-19597-v2.xlsx"
    second.write_bytes(b"second version")
    watcher.mark(second)
    watcher.poll_once(now=10)
    assert [e["event"] for e in watcher.poll_once(now=12)] == [CORRECTED]
    # a file without a commune code is logged and skipped
    (folder / "bao-cao.xlsx").write_bytes(b"x")
    watcher.mark(folder / "bao-cao.xlsx")
    watcher.poll_once(now=20)
    assert watcher.poll_once(now=23) == []
    # removed before it settled: forgotten
    gone = folder / "19600.xlsx"
    gone.write_bytes(b"x")
    watcher.mark(gone)
    watcher.poll_once(now=30)
    gone.unlink()
    assert watcher.poll_once(now=33) == []
    assert [e["event"] for e in events] == [RECEIVED, CORRECTED]


def test_real_watchdog_announces_a_file_written_in_two_chunks_once(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    folder = root / "2026" / "44"
    folder.mkdir(parents=True)
    events: list[dict] = []
    got = threading.Event()

    def emit(**event: object) -> None:
        events.append(event)
        got.set()

    with InboxWatcher(root, emit=emit, settle_seconds=0.6, poll_interval=0.1):
        (folder / ".~lock.19597.xlsx#").write_bytes(b"lock")
        path = folder / "19597.xlsx"
        with path.open("wb") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            time.sleep(0.4)  # still arriving: must not be announced yet
            assert events == []
            fh.write(b"y" * 4096)
        assert got.wait(10), "no event after the file settled"
        time.sleep(1.5)  # nothing more comes for the same content
    assert len(events) == 1
    assert events[0]["event"] == RECEIVED
    assert events[0]["resource"]["prefect.resource.id"] == "rasoat.commune.19597"
    assert events[0]["resource"]["rasoat.file"] == str(path)


# -- prefect.yaml ------------------------------------------------------------------------------


def _deployments() -> dict[str, dict]:
    project = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    return {d["name"]: d for d in project["deployments"]}


def test_prefect_yaml_deployments_name_real_flows_on_the_rasoat_pool() -> None:
    from prefect import Flow
    from prefect.utilities.callables import parameter_schema

    deployments = _deployments()
    expected = {"round": "review_round", "inbox": "commune_rerun", "approval": "province_approval"}
    assert set(deployments) == set(expected)
    for name, flow_name in expected.items():
        spec = deployments[name]
        file, _, attr = spec["entrypoint"].partition(":")
        assert (PROJECT_ROOT / file).is_file()
        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        flow = getattr(module, attr)
        assert isinstance(flow, Flow) and flow.name == flow_name
        assert spec["work_pool"]["name"] == "rasoat"
        assert "rasoat" in spec["tags"]
        # the UI's run form: every parameter described (from the docstring's Args section)
        properties = parameter_schema(flow.fn).model_dump()["properties"]
        assert all(p.get("description") for p in properties.values()), (name, properties)
        assert set(spec.get("parameters", {})) <= set(properties)


def test_inbox_deployment_is_triggered_by_the_watchers_events() -> None:
    (trigger,) = _deployments()["inbox"]["triggers"]
    assert set(trigger["expect"]) == {RECEIVED, CORRECTED}
    assert trigger["match"] == {"prefect.resource.id": "rasoat.commune.*"}
    # every label the trigger reads is one the watcher puts on the event
    labels = set(event_for(Candidate(Path("/x/19597.xlsx"), "2026", "44", "19597"), False)["resource"])
    for template in trigger["parameters"].values():
        for label in ("rasoat.file", "rasoat.year", "rasoat.scope", "rasoat.commune"):
            if label in str(template):
                assert label in labels
    assert "| int" in trigger["parameters"]["year"]  # labels are strings; the flow wants an int


# -- rasoat up / down (real server, worker, watcher) ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


@contextmanager
def running_up(
    args: list[str], env: dict[str, str], home: Path, timeout: float
) -> Iterator[subprocess.Popen]:
    """`rasoat up ARGS` in its own session, yielded once its pid file is written. Afterwards nothing
    is left behind: `rasoat down` if it still runs, then SIGKILL to anything recorded that survived."""
    rasoat = [sys.executable, "-m", "rasoat"]
    up = subprocess.Popen(
        [*rasoat, "up", *args],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    pid_file = home / "run" / "up.pid"
    try:
        deadline = time.monotonic() + timeout
        while not pid_file.exists():
            assert up.poll() is None, up.stdout.read().decode() if up.stdout else ""
            assert time.monotonic() < deadline, "rasoat up did not come up"
            time.sleep(0.5)
        yield up
    finally:
        if up.poll() is None:
            subprocess.run([*rasoat, "down"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=120)
        if pid_file.exists():  # children run in their own sessions
            for pid in json.loads(pid_file.read_text())["children"].values():
                if _alive(pid):
                    os.killpg(pid, signal.SIGKILL)
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
        up.wait(timeout=30)


@pytest.mark.e2e
def test_up_then_down_leaves_no_child(tmp_path: Path, rasoat_home: Path) -> None:
    from rasoat.operations.up import healthy

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        RASOAT_HOME=str(rasoat_home),
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        TMPDIR=str(tmp_path),
    )
    rasoat = [sys.executable, "-m", "rasoat"]
    pid_file = rasoat_home / "run" / "up.pid"
    with running_up(["--port", str(port), "--no-deploy"], env, rasoat_home, timeout=90) as up:
        record = json.loads(pid_file.read_text())
        assert record["pid"] == up.pid
        assert set(record["children"]) == {"server", "worker", "watcher"}
        assert healthy(f"http://127.0.0.1:{port}/api")
        import httpx  # the UI finds the API through /ui-settings: it must name this port, not 4200

        ui_settings = httpx.get(f"http://127.0.0.1:{port}/ui-settings", timeout=10).json()
        assert ui_settings["api_url"] == f"http://127.0.0.1:{port}/api"
        down = subprocess.run([*rasoat, "down"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=60)
        assert down.returncode == 0, down.stdout + down.stderr
        assert up.wait(timeout=30) == 0
        assert not pid_file.exists()
        assert not [pid for pid in record["children"].values() if _alive(pid)]
        for name in ("server", "worker", "watcher"):
            assert (rasoat_home / "logs" / f"{name}.log").exists()


def test_ledger_keeps_what_was_announced_across_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    folder = root / "2026" / "44"
    folder.mkdir(parents=True)
    ledger = tmp_path / "run" / "inbox-announced.json"
    events: list[dict] = []
    first = InboxWatcher(root, emit=lambda **e: events.append(e), settle_seconds=2, ledger=ledger)
    (folder / "19597.xlsx").write_bytes(b"v1")
    first.scan_existing()
    first.poll_once(now=0)
    assert [e["event"] for e in first.poll_once(now=2)] == [RECEIVED]

    # While nobody watches: a new commune's file and a correction of the announced one arrive.
    (folder / "19600.xlsx").write_bytes(b"v1")
    (folder / "xa-19597-sua.xlsx").write_bytes(b"v2")
    events.clear()
    second = InboxWatcher(root, emit=lambda **e: events.append(e), settle_seconds=2, ledger=ledger)
    assert second.scan_existing() == 3
    second.poll_once(now=10)
    second.poll_once(now=12)
    announced = {e["resource"]["rasoat.commune"] + ":" + e["event"] for e in events}
    assert announced == {f"19600:{RECEIVED}", f"19597:{CORRECTED}"}  # 19597.xlsx itself: not again
