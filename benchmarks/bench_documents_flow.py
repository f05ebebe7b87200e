"""The documents stage as a round runs it: `documents_flow` on a consolidated province round, with
the memory of the flow's process and of every process under it.

    .venv/bin/python benchmarks/bench_documents_flow.py [--communes 6] [--households 18000] \\
        [--runner thread|dask] [--no-certificates] [--runs 1] [--work-dir DIR] [--json OUT.json]

Set-up, not timed and kept in the work directory for the next runs (a separate process, so that
the flow's process imports only what the flow needs): the first `--communes` units of Hà Tĩnh (42)
on the 2026 map, `--households` households in all (seed 3), last years' lists imported, every
file taken in and validated, the round consolidated without the other units, on SQLite. Each run
copies that RASOAT_HOME and runs `documents_flow` on the task runner `--runner` names (Dask: a
local cluster of 2 worker processes), after starting what a round has already started: a
temporary Prefect server (the CLI's, `prefect_api`) and, with Dask, the shared local cluster.

Reported: wall clock of each flow run (`--runs`: the first numbers the documents and meets cold Dask
workers; the next ones keep the numbers and render the same files again on warm workers), the flow
process's peak RSS (getrusage) and the peak sum of RSS over the flow's process and all its
descendants (sampled every 0.25 s: the render pool or the Dask workers and scheduler, the Prefect
server), with the load averages (the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROVINCE, YEAR, SEED = "42", 2026, 3


def set_up(work: Path, communes: int, households: int) -> None:
    """The consolidated round under `work/home` (run in its own process)."""
    os.environ["RASOAT_HOME"] = str(work / "home")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from stages import accept

    from rasoat.admin.maps import admin_map
    from rasoat.db import init_db, session_scope
    from rasoat.generate import generate_communes
    from rasoat.pipeline.baseline import import_province_baseline
    from rasoat.pipeline.consolidation_stage import consolidate_round

    codes = sorted(u.code for u in admin_map(YEAR).communes_of(PROVINCE))[:communes]
    generated = generate_communes(PROVINCE, YEAR, codes, work / "generated", seed=SEED, households=households)
    engine = init_db(f"sqlite:///{work / 'home' / 'rasoat.db'}")
    assignments = work / "generated" / "assignments.csv"
    with session_scope(engine) as s:
        import_province_baseline(
            s,
            generated.history_path,
            PROVINCE,
            "benchmark",
            assignments=assignments if assignments.is_file() else None,
        )
    round_id = accept(engine, sorted((work / "generated").glob("*.xlsx")), YEAR)
    with session_scope(engine) as s:
        outcome = consolidate_round(s, round_id, "benchmark", without_missing=True, reason="benchmark")
    assert outcome.passed
    (work / "consolidation_id").write_text(str(outcome.consolidation_id))


def sample_tree(peaks: dict[str, int], stop: threading.Event) -> None:
    import psutil

    me = psutil.Process()
    processes: list[Any] = []
    listed = 0.0
    while not stop.is_set():
        if time.monotonic() - listed > 1:  # listing the tree reads every /proc/*/stat: not every sample
            processes = [me, *me.children(recursive=True)]
            listed = time.monotonic()
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):  # a process that ended since the listing
                total += process.memory_info().rss
        peaks["tree"] = max(peaks["tree"], total)
        stop.wait(0.25)


def run(work: Path, runner: str, certificates: bool, runs: int) -> dict[str, Any]:
    run_dir = work / f"run-{runner}"
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(work / "home", run_dir / "home")
    os.environ.update(
        RASOAT_HOME=str(run_dir / "home"),
        PREFECT_HOME=str(run_dir / "prefect"),
        RASOAT_TASK_RUNNER=runner,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
    )
    for name in ("RASOAT_DATABASE_URL", "PREFECT_API_URL", "RASOAT_DASK_ADDRESS"):
        os.environ.pop(name, None)
    from machine import machine, peak_rss_mb

    from rasoat.prefect_server import prefect_api

    consolidation_id = int((work / "consolidation_id").read_text())
    with prefect_api():
        from flows.documents import documents_flow

        if runner == "dask":
            from rasoat.task_runner import dask_settings, shared_local_cluster

            shared_local_cluster(dask_settings()["cluster_kwargs"])
        peaks = {"tree": 0}
        stop = threading.Event()
        sampler = threading.Thread(target=sample_tree, args=(peaks, stop), daemon=True)
        before = machine()
        sampler.start()
        walls = []
        for _ in range(runs):  # the first run numbers the documents; later ones keep the numbers
            started = time.perf_counter()
            issued = documents_flow(consolidation_id, YEAR, PROVINCE, certificates)
            walls.append(round(time.perf_counter() - started, 2))
        stop.set()
        sampler.join()
    return {
        "runner": runner,
        "certificates": certificates,
        "files": len(issued),
        "pdfs": sum(1 for d in issued if d.path.endswith(".pdf")),
        "wall_s": walls,
        "flow_process_peak_rss_mb": peak_rss_mb(),
        "all_processes_peak_rss_mb": round(peaks["tree"] / 2**20),
        "machine_before": before,
        "load_average_after": machine()["load_average_1_5_15"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=6)
    parser.add_argument("--households", type=int, default=18_000)
    parser.add_argument("--runner", choices=("thread", "dask"), default="thread")
    parser.add_argument("--no-certificates", action="store_true")
    parser.add_argument(
        "--runs", type=int, default=1, help="flow runs in one process (workers warm after the first)"
    )
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/rasoat-bench-documents-flow"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--set-up-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.work_dir / f"{PROVINCE}-{args.communes}-{args.households}"
    if args.set_up_only:
        set_up(work, args.communes, args.households)
        return
    if not (work / "consolidation_id").is_file():
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--set-up-only"], check=True)
    from machine import report

    result = run(work, args.runner, not args.no_certificates, args.runs)
    report({"communes": args.communes, "households": args.households, **result}, args.json)


if __name__ == "__main__":
    main()
