"""End to end on a real, running system (`rasoat up`: Prefect server, worker, inbox watcher).

Six of the eight Cam Lộ communes were accepted before (taken in directly, as the pipeline does, to
spare the suite six flow-run processes); the last two communes' files are in the inbox before the
system starts: the watcher finds them, and the two triggered runs take them in and consolidate the
district. Then a commune's corrected workbook lands in the inbox: the watcher announces it, the
deployment's trigger starts `commune_rerun`, and the district is consolidated again with the seven
unchanged communes' counts kept from when each was accepted. Afterwards, nothing the Prefect API
holds, nor any cached result on disk, contains a generated name or CCCD.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from prefect_scan import leaked, personal_values, prefect_api_dump
from stages import take_in
from test_operations import _free_port, running_up

from rasoat.config import database_url
from rasoat.db import init_db, session_scope
from rasoat.generate import generate_district
from rasoat.pipeline.baseline import import_baseline
from rasoat.pipeline.commune_partials import keep_partial
from rasoat.pipeline.validation_stage import validate_stored

pytestmark = pytest.mark.e2e  # a real `rasoat up`: server, worker, inbox watcher

YEAR = 2024  # a district round (three-level map)
CORRECTED = "19600"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _correct(source: Path, target: Path) -> None:
    """The commune fixes one household's income (row 2 of sheet `ho`) and saves under a new name."""
    book = openpyxl.load_workbook(source)
    sheet = book["ho"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("Thu nhập bình quân (đồng/người/tháng)") + 1
    sheet.cell(row=2, column=column, value=1_250_000)
    staging = target.with_name(".staging-" + target.name)  # the watcher ignores dot files
    book.save(staging)
    os.replace(staging, target)  # lands in one step


def _api(api_url: str, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = httpx.post(f"{api_url}/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def _time(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _wait_for_reruns(api_url: str, after: float, count: int, timeout: float = 600) -> list[dict[str, Any]]:
    """The `count` commune_rerun runs created after `after`, once all have finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _api(api_url, "flow_runs/filter", {"flows": {"name": {"any_": ["commune_rerun"]}}})
        runs = [r for r in runs if _time(r["created"]) >= after - 1]
        if len(runs) >= count and all(r["state_type"] in TERMINAL for r in runs):
            return runs
        time.sleep(1)
    raise AssertionError(f"expected {count} finished commune_rerun runs, got {runs}")


def test_corrected_file_reruns_by_itself_with_unchanged_communes_cached(
    tmp_path: Path, rasoat_home: Path, record_property: pytest.RecordProperty
) -> None:
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    storage = rasoat_home / "prefect" / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "RASOAT_DATABASE"))}
    env.update(
        RASOAT_HOME=str(rasoat_home),
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_LOCAL_STORAGE_PATH=str(storage),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        TMPDIR=str(tmp_path),
    )
    camlo = tmp_path / "camlo"
    # 300 households a commune: every step of a real rerun, at a size the suite can afford (the
    # full-size district's figure is a benchmark: benchmarks/README.md).
    generated = generate_district("468", YEAR, camlo, seed=21, households=2_400)
    files = sorted(camlo.glob("*.xlsx"))
    assert len(files) == 8 and CORRECTED not in {p.stem for p in files[-2:]}
    engine = init_db(database_url())  # the SQLite database `rasoat up` uses, under RASOAT_HOME
    try:
        with session_scope(engine) as session:  # last years' lists: the rerun computes movements
            import_baseline(session, camlo / "history.csv", "468", "cli")
        for path in files[:-2]:  # accepted before, with their counts kept as the flows keep them
            received = take_in(engine, path, YEAR)
            with session_scope(engine) as session:
                assert validate_stored(session, received.submission_id, "xa", data_docs=False).accepted
            keep_partial(engine, received.submission_id)
    finally:
        engine.dispose()
    inbox = rasoat_home / "inbox" / str(YEAR) / "468"
    inbox.mkdir(parents=True)
    for path in files[-2:]:
        shutil.copy(path, inbox / path.name)

    started = time.time()
    with running_up(["--port", str(port)], env, rasoat_home, timeout=240):
        # The files that were waiting in the inbox: two runs, both accepted, district consolidated.
        first = _wait_for_reruns(api_url, started, count=2)
        assert {r["state_type"] for r in first} == {"COMPLETED"}, [r["state"] for r in first]

        landed = time.time()
        _correct(camlo / f"{CORRECTED}.xlsx", inbox / f"xa-{CORRECTED}-da-sua.xlsx")
        (rerun,) = _wait_for_reruns(api_url, landed, count=1)
        assert rerun["state_type"] == "COMPLETED", rerun["state"]
        elapsed = _time(rerun["end_time"]) - landed
        record_property("inbox_rerun_seconds", round(elapsed, 1))
        # benchmarks/README.md quotes this figure
        print(f"\ncorrected file landed -> rerun finished: {elapsed:.1f} s")
        for run in reversed(_api(api_url, "flow_runs/filter", {"sort": "START_TIME_DESC", "limit": 6})):
            if run["start_time"] and _time(run["start_time"]) >= landed:
                print(
                    f"  {run['name']}: created +{_time(run['created']) - landed:.1f} s, started "
                    f"+{_time(run['start_time']) - landed:.1f} s, "
                    f"ended +{_time(run['end_time']) - landed:.1f} s"
                )

        # The rerun consolidated the district again from the counts kept when each file was accepted
        # (the corrected one's by its validation): no household read back.
        consolidations = _api(
            api_url,
            "flow_runs/filter",
            {
                "flow_runs": {"name": {"any_": [f"consolidation-{YEAR}-district-468"]}},
                "sort": "START_TIME_DESC",
            },
        )
        assert consolidations[0]["state_type"] == "COMPLETED"
        assert _time(consolidations[0]["created"]) >= landed
        (artifact,) = _api(
            api_url,
            "artifacts/filter",
            {
                "artifacts": {
                    "key": {"any_": [f"consolidation-{YEAR}-468"]},
                    "flow_run_id": {"any_": [consolidations[0]["id"]]},
                }
            },
        )
        assert "Số liệu các xã: 8 xã dùng số liệu đã tính khi tiếp nhận tệp." in artifact["data"]

        # No personal data in anything Prefect holds, nor in the cached results on disk.
        values = personal_values([*camlo.glob("*.xlsx"), inbox / f"xa-{CORRECTED}-da-sua.xlsx"])
        assert len(values) > generated.households  # at least every head's CCCD number
        assert leaked(prefect_api_dump(api_url), values) == []
        cached = [p for p in storage.rglob("*") if p.is_file()]
        assert cached, "no cached results on disk"
        blobs = "".join(p.read_bytes().decode("utf-8", errors="replace") for p in cached)
        assert leaked(blobs, values) == []
