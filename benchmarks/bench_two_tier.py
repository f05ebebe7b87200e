"""Province rounds on today's (two-tier) map: the `review_round` flow of a province's communes against
the bare floor, on the same workbooks, in the same run.

    .venv/bin/python benchmarks/bench_two_tier.py --shape hatinh --work-dir /tmp/rasoat-bench-tt \\
        --json benchmarks/results/two-tier-hatinh.json

Shapes (year 2026, the 2026 map; inputs from the seed cache `rasoat.generate.cache.cached_generation`
under WORK_DIR/generated, so generation happens once and is never timed):

    hatinh     Hà Tĩnh (42): all 69 units, 380,000 households
    thanhhoa   Thanh Hóa (38): all 166 units, 1,000,000 households
    hcm        Hồ Chí Minh (79): all 168 units, 4,000,000 households
    `--households N` changes the size of any shape (e.g. 100,000 for the Dask scaling runs).

Each measurement runs in its own process:
- `floor`: the bare floor. The same workbooks read with calamine (`read_submission_path`) and
  classified in a pool of 2 processes (one per core, started and warmed before timing), then last
  years' statuses, movements and tables R1–R11 of the province in plain pandas in the parent. Last
  years' lists are re-homed onto the new units before timing (the round imports them as set-up).
  No database, no validation, no checks, no documents, no orchestration.
- `round`: `review_round(2026, province_code=..., certificates=False)` exactly as `rasoat round
  start --province P --year 2026` runs it, on a temporary Prefect server started before timing, the
  files waiting in the inbox, last years' lists imported (set-up, not timed), the task runner
  `--runner` (default dask with `--workers` local worker processes); the province's approval is
  answered by a benchmark approver as soon as it is asked. Stage times come from the Prefect API
  (flow and task run timestamps); memory is sampled every 0.25 s from /proc (psutil) over the whole
  process tree, per process and all together.

Targets (2-core machine, documents included, certificates excluded): round ≤ 3 × floor; Hà Tĩnh
≤ 90 s; Hồ Chí Minh-sized ≤ 15 min; peak RSS of all processes together ≤ 2 GB and flat as the
province grows. Figures are recorded in benchmarks/README.md; no test asserts them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

import bench_scale  # noqa: E402  (the benchmark's own module beside this file)
import scale_data  # noqa: E402

YEAR = 2026
ACTOR = "benchmark"
TARGETS = {
    "round_to_floor_ratio": 3.0,
    "hatinh_end_to_end_s": 90.0,
    "hcm_end_to_end_s": 15 * 60.0,
    "peak_rss_all_processes_mb": 2048.0,
}


# ---------------------------------------------------------------------------------------------
# memory: every process of the tree, sampled


def _label(cmdline: list[str], me: bool) -> str:
    text = " ".join(cmdline)
    if me:
        return "flow (review_round's process)"
    if "uvicorn" in text or "prefect.server" in text or "prefect server" in text:
        return "prefect server"
    if "distributed" in text or "dask" in text:
        if "nanny" in text.lower():
            return "dask nanny"
        return "dask worker"
    if "multiprocessing" in text or "spawn_main" in text or "forkserver" in text:
        return "process pool (spawned)"
    return os.path.basename(cmdline[0]) if cmdline else "?"


class ProcessMemory:
    """Peak resident memory of this process and every descendant: each one (by pid, labelled by its
    command line) and all together, sampled from /proc every `interval` seconds
    (the list of processes refreshed every 2 s)."""

    def __init__(self, interval: float = 0.25) -> None:
        import psutil

        self._me = psutil.Process()
        self.interval = interval
        self.peak_total_mb = 0.0
        self.samples = 0
        self.per_process: dict[int, dict[str, Any]] = {}
        self.timeline: list[tuple[float, int, int]] = []  # (s, all processes MB, this process MB)
        self.cpu_s: dict[int, float] = {}
        self._cpu_before: dict[int, float] = {}
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil

        tree: list[Any] = []
        listed = 0.0
        while not self._stop.is_set():
            # Listing the tree reads every /proc/*/stat (psutil's ppid map): every 2 s, not every
            # sample, so that the sampler, which lives in the round's process, stays out of its way.
            if time.perf_counter() - listed >= 2.0:
                tree = self._tree()
                listed = time.perf_counter()
                self._cpu(tree)
            total, mine = 0.0, 0.0
            for proc in tree:
                with contextlib.suppress(psutil.Error):
                    rss = proc.memory_info().rss / 2**20
                    total += rss
                    entry = self.per_process.get(proc.pid)
                    if entry is None:
                        label = _label(proc.cmdline(), proc.pid == self._me.pid)
                        entry = self.per_process[proc.pid] = {
                            "label": label,
                            "peak_mb": 0.0,
                            # Dask's workers and the PDF pool are both spawned processes: told apart
                            # by when they appear (workers at the first commune, the pool at documents).
                            "first_seen_s": round(time.perf_counter() - self._started, 1),
                        }
                    entry["peak_mb"] = max(entry["peak_mb"], rss)
                    mine = rss if proc.pid == self._me.pid else mine
            self.peak_total_mb = max(self.peak_total_mb, total)
            at = time.perf_counter() - self._started
            if not self.timeline or at - self.timeline[-1][0] >= 5.0:
                self.timeline.append((round(at, 1), round(total), round(mine)))
            self.samples += 1
            self._stop.wait(self.interval)

    def _tree(self) -> list[Any]:
        return [self._me, *self._me.children(recursive=True)]

    def _cpu(self, tree: list[Any]) -> None:
        """CPU seconds (user + system) each process has used so far: where the two cores went. Read
        with the tree, so a process that ends is counted up to 2 s before its end."""
        import psutil

        for proc in tree:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                self.cpu_s[proc.pid] = times.user + times.system

    def __enter__(self) -> ProcessMemory:
        self._cpu(self._tree())
        self._cpu_before = dict(self.cpu_s)  # what the processes had used before the window
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        """The peaks so far, and the CPU each process has used since the window opened, read now."""
        import psutil

        with contextlib.suppress(psutil.Error):
            self._cpu(self._tree())
        cpu = {pid: used - self._cpu_before.get(pid, 0.0) for pid, used in self.cpu_s.items()}
        processes = sorted(
            (
                {"pid": pid, **e, "peak_mb": round(e["peak_mb"]), "cpu_s": round(cpu.get(pid, 0.0), 1)}
                for pid, e in self.per_process.items()
            ),
            key=lambda e: -e["peak_mb"],
        )
        return {
            "peak_rss_all_processes_mb": round(self.peak_total_mb),
            "cpu_s_all_processes": round(sum(cpu.values()), 1),
            "peak_rss_largest_process_mb": processes[0]["peak_mb"] if processes else 0,
            "processes": processes,
            "samples": self.samples,
            "timeline_s_all_mb_flow_mb": list(self.timeline),
        }


# ---------------------------------------------------------------------------------------------
# inputs


def inputs(work_dir: Path, shape: str, households: int | None) -> tuple[str, int, Path]:
    province, size = scale_data.two_tier_shape(shape, households)
    started = time.perf_counter()
    folder = scale_data.two_tier_inputs(work_dir, province, size)
    print(f"inputs {shape}: {folder} ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)
    return province, size, folder


def manifest_counts(folder: Path) -> dict[str, int]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    per = manifest.get("communes") or {}
    if isinstance(per, dict) and per:
        return {
            "households": sum(int(v["households"]) for v in per.values()),
            "members": sum(int(v["members"]) for v in per.values()),
            "communes": len(per),
        }
    files = list(folder.glob("*.xlsx"))
    return {
        "households": int(manifest.get("households", 0)),
        "members": int(manifest.get("members", 0)),
        "communes": len(files),
    }


# ---------------------------------------------------------------------------------------------
# the bare floor


def _floor_warm(_: int = 0) -> int:
    import rasoat.classifier
    import rasoat.intake.read  # noqa: F401

    return os.getpid()


def _floor_commune(path: str) -> tuple[Any, Any]:
    """One workbook read with calamine and classified (in a pool process)."""
    from rasoat.classifier import classify
    from rasoat.intake.read import read_submission_path
    from rasoat.standards import standard_for_year

    parsed = read_submission_path(Path(path))
    result = classify(parsed.households, standard_for_year(YEAR))
    households = parsed.households.join(result[["status", "deprivation_count"]])
    return households, parsed.members


def run_floor(work_dir: Path, shape: str, households: int | None, processes: int) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    from rasoat.admin.rehome import rehome
    from rasoat.admin.scope import scope
    from rasoat.consolidation import (
        ConsolidationInput,
        as_units,
        consolidate,
        departed_frame,
        household_frame,
    )
    from rasoat.movements import compute_movements, previous_round
    from rasoat.pipeline.baseline import read_assignments, read_province_baseline
    from rasoat.pipeline.consolidation_stage import scope_unit
    from rasoat.schema import Status
    from rasoat.standards import standard_for_year

    province, _, folder = inputs(work_dir, shape, households)
    counts = manifest_counts(folder)
    unit = scope(YEAR, province)
    standard = standard_for_year(YEAR)
    # Set-up (the round imports last years' lists before it starts): re-homed onto the new units.
    assignments = folder / "assignments.csv"
    placed = rehome(
        read_province_baseline(folder / "history.csv", province),
        province,
        read_assignments(assignments) if assignments.is_file() else None,
    ).placed
    history = placed
    paths = [str(p) for p in sorted(folder.glob("*.xlsx"))]
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_floor_warm, range(processes * 4)))  # started and imported before timing
        started = time.perf_counter()
        parts = list(pool.map(_floor_commune, paths, chunksize=1))
        read_classify_s = time.perf_counter() - started
        t1 = time.perf_counter()
        frame = pd.concat([h for h, _ in parts], ignore_index=True)
        members = pd.concat([m for _, m in parts if m is not None], ignore_index=True)
        frame["status"] = frame["status"].astype(object)
        previous = previous_round(history, YEAR, standard.period_first_year)
        complete = bool((previous["status"] == Status.NON_POOR.value).any()) or previous.empty
        moves = compute_movements(
            frame[["household_id", "status", "members"]], previous, roster_complete=complete
        )
        previous_with_commune = previous.merge(
            history[["household_id", "commune_code"]].drop_duplicates("household_id"), on="household_id"
        )
        departed = departed_frame(moves, previous_with_commune)
        codes = [c.code for c in unit.communes]
        consolidate(
            ConsolidationInput(
                unit=scope_unit(unit),
                communes=as_units(unit.communes),
                year=YEAR,
                households=household_frame(frame, frame[["status", "deprivation_count"]], moves),
                members=members,
                departed=departed.loc[departed["commune_code"].isin(codes)],
                min_deprivations=standard.min_deprivations,
            )
        )
        tables_s = time.perf_counter() - t1
        total = time.perf_counter() - started
    return {
        "kind": "floor",
        "shape": shape,
        "province": province,
        **counts,
        "households_in_frames": len(frame),
        "processes": processes,
        "floor_s": round(total, 2),
        "read_and_classify_s": round(read_classify_s, 2),
        "movements_and_tables_s": round(tables_s, 2),
        "households_per_s": round(len(frame) / total),
        "peak_rss_parent_mb": bench_scale.peak_rss_mb(),
        "load_average": bench_scale.load_average(),
    }


# ---------------------------------------------------------------------------------------------
# the round


def _span(runs: list[Any]) -> tuple[Any, Any]:
    starts = [r.start_time for r in runs if r.start_time]
    ends = [r.end_time for r in runs if r.end_time]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _short_handed(runs: list[Any], workers: int) -> dict[str, Any]:
    """Seconds of a stage's span with fewer tasks running than there are workers (a core idle, or
    busy with something else), and the task that ended last: a stage that ends on one long task
    shows it here."""
    done = [r for r in runs if r.start_time and r.end_time]
    if not done:
        return {}
    events = sorted([(r.start_time, 1) for r in done] + [(r.end_time, -1) for r in done])
    idle = 0.0
    running = 0
    previous = events[0][0]
    for moment, step in events:
        if running < workers:
            idle += (moment - previous).total_seconds()
        running += step
        previous = moment
    last = max(done, key=lambda r: r.end_time)
    longest = max(done, key=lambda r: r.total_run_time)
    return {
        "short_handed_s": round(idle, 2),
        "last_task": last.name,
        "last_task_s": round(last.total_run_time.total_seconds(), 2),
        "longest_task": longest.name,
        "longest_task_s": round(longest.total_run_time.total_seconds(), 2),
    }


def import_lists(url: str, folder: str, province: str) -> None:
    """Set-up: last years' lists of the generated province, re-homed as `rasoat baseline import`."""
    from rasoat.db import init_db, session_scope
    from rasoat.pipeline.baseline import import_province_baseline

    engine = init_db(url)
    assignments = Path(folder) / "assignments.csv"
    with session_scope(engine) as s:
        import_province_baseline(
            s, Path(folder) / "history.csv", province, ACTOR, assignments if assignments.is_file() else None
        )
    engine.dispose()


def corrected_file(source: str, out: str) -> int:
    """Set-up: the commune's file with one household's income changed, written to `out` (in a
    process of its own: openpyxl holds a large workbook in ≈ 1 GB, which is not rasoat's); returns
    its households."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    sheet = book["ho"]
    header = [c.value for c in sheet[1]]
    column = next(i for i, name in enumerate(header, start=1) if str(name).startswith("Thu nhập"))
    sheet.cell(row=2, column=column, value=1_250_000)
    book.save(out)
    return int(sheet.max_row - 1)


def corrected_file_rerun(corrected: Path, households: int, inbox: Path, province: str) -> dict[str, Any]:
    """After the round: the largest commune sends a corrected file (`corrected_file`) and
    `commune_rerun` takes it in, validates it and consolidates the province again, as the inbox
    watcher starts it when the file lands. Timed from the flow's start to its end."""
    from flows.commune_rerun import commune_rerun

    landed = inbox / corrected.name
    os.replace(corrected, landed)
    load_before = bench_scale.load_average()
    started = time.perf_counter()
    validated = commune_rerun(str(landed), YEAR, province, received_by=ACTOR, data_docs=False)
    seconds = time.perf_counter() - started
    return {
        "commune": landed.stem.removeprefix("xa-").removesuffix("-da-sua"),
        "households": households,
        "verdict": validated.verdict,
        "seconds": round(seconds, 1),
        "load_average_before": load_before,
        "load_average": bench_scale.load_average(),
    }


def run_round(
    work_dir: Path,
    shape: str,
    households: int | None,
    database: str,
    runner: str,
    workers: int,
    profile: Path | None,
    with_rerun: bool = True,
    keep_home: bool = False,
) -> dict[str, Any]:
    os.environ["RASOAT_TASK_RUNNER"] = runner
    os.environ["RASOAT_DASK_WORKERS"] = str(workers)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.pop("PREFECT_API_URL", None)  # always a temporary server holding this round only
    home = work_dir / "homes" / f"{shape}-{database}-{uuid.uuid4().hex[:6]}"
    os.environ["RASOAT_HOME"] = str(home)
    os.environ["PREFECT_HOME"] = str(home / "prefect-home")
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    province, _, folder = inputs(work_dir, shape, households)
    counts = manifest_counts(folder)
    from rasoat.db import dispose_shared_engines
    from rasoat.pipeline.inbox import inbox_dir
    from rasoat.prefect_server import prefect_api

    setup_started = time.perf_counter()
    inbox = inbox_dir(YEAR, province)
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.xlsx")):
        os.link(path, inbox / path.name)
    if keep_home:
        os.environ["RASOAT_BENCH_KEEP_DB"] = "1"
    with bench_scale.fresh_database(database, work_dir) as url:
        os.environ["RASOAT_DATABASE_URL"] = url
        # Last years' lists are set-up, imported in a process of their own: the round's process
        # should not start with the import's memory (pandas rarely gives it back to the system).
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            pool.apply(import_lists, (url, str(folder), province))
            if with_rerun:
                largest = max(folder.glob("*.xlsx"), key=lambda p: p.stat().st_size)
                corrected = home / f"xa-{largest.stem}-da-sua.xlsx"
                corrected_households = pool.apply(corrected_file, (str(largest), str(corrected)))
        with ProcessMemory() as memory:
            setup_s = time.perf_counter() - setup_started
            with prefect_api():
                from flows.review_round import review_round
                from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

                asked: dict[str, float] = {}

                def approve() -> None:
                    wait_for_approval_request(YEAR, province, timeout_s=3 * 3600)
                    asked["seen"] = time.perf_counter()
                    answer_approval(YEAR, province, bench_scale.BENCH_APPROVER)
                    asked["answered"] = time.perf_counter()

                approver = threading.Thread(target=approve, daemon=True)
                approver.start()
                load_before = bench_scale.load_average()
                profiler = None
                if profile is not None:
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                started_wall = time.time()
                started = time.perf_counter()
                outcome = review_round(YEAR, province_code=province, actor=ACTOR, certificates=False)
                end_to_end = time.perf_counter() - started
                if profiler is not None:
                    profiler.disable()
                    profiler.dump_stats(str(profile))
                load_after = bench_scale.load_average()
                approver.join(timeout=30)
                round_memory = memory.summary()  # the round's own peaks, before the rerun's
                rerun = (
                    corrected_file_rerun(corrected, corrected_households, inbox, province)
                    if with_rerun
                    else None
                )
                flows, tasks = bench_scale._prefect_runs()
        dispose_shared_engines()
        os.environ.pop("RASOAT_DATABASE_URL", None)

    from datetime import UTC, datetime

    t0 = datetime.fromtimestamp(started_wall, UTC)

    def at(value: Any) -> float | None:
        return None if value is None else round((value - t0).total_seconds(), 2)

    def stage(runs: list[Any]) -> dict[str, Any]:
        first, last = _span(runs)
        return {
            "runs": len(runs),
            "sum_s": round(sum(r.total_run_time.total_seconds() for r in runs), 2),
            "start_s": at(first),
            "end_s": at(last),
            "span_s": round((last - first).total_seconds(), 2) if first and last else 0.0,
        }

    # The round's runs only: the corrected file's rerun (intake, validation, consolidation) starts
    # after the round has ended, and would stretch the spans of those stages to its own end.
    round_end = datetime.fromtimestamp(started_wall + end_to_end, UTC)

    def in_round(run: Any) -> bool:
        return run.start_time is not None and run.start_time <= round_end

    def named(runs: list[tuple[str, Any]], name: str) -> list[Any]:
        return [r for n, r in runs if n == name and in_round(r)]

    stages = {
        "intake + validation (commune tasks)": stage(named(tasks, "take_in_commune")),
        "validation (nested task runs)": stage(named(tasks, "validate_submission_task")),
        "consolidation": stage(named(flows, "consolidation")),
        "documents (no certificates)": stage(named(flows, "documents")),
        "approval (tables, asked and answered, decision)": stage(named(flows, "province_approval")),
        "province decision (inside approval)": stage(named(flows, "province_documents")),
    }
    parallel = workers if runner == "dask" else 1
    commune_tasks = named(tasks, "take_in_commune")
    stages["intake + validation (commune tasks)"].update(_short_handed(commune_tasks, parallel))
    documents_tasks = named(tasks, "commune_documents_task") + named(tasks, "unit_documents_task")
    stages["documents (no certificates)"].update(_short_handed(documents_tasks, parallel))
    # Every task of the two parallel stages, [name, start, end] in seconds from the round's start:
    # where a stage runs short-handed, this says when and beside what.
    started_tasks = sorted(
        (r for r in commune_tasks + documents_tasks if r.start_time), key=lambda r: r.start_time
    )
    task_timeline = [[r.name, at(r.start_time), at(r.end_time)] for r in started_tasks]
    verdicts: dict[str, int] = defaultdict(int)
    for verdict in outcome["verdicts"].values():
        verdicts[verdict] += 1
    output = home / "output"
    pdfs = list(output.rglob("*.pdf"))
    result = {
        "kind": "round",
        "shape": shape,
        "province": province,
        **counts,
        "database": database,
        "task_runner": runner + (f" ({workers} local worker processes)" if runner == "dask" else ""),
        "verdicts": dict(verdicts),
        "approval": (outcome.get("approval") or {}).get("decision"),
        "end_to_end_s": round(end_to_end, 1),
        "households_per_s": round(counts["households"] / end_to_end),
        "approval_wait_s": round(asked.get("answered", 0) - asked.get("seen", 0), 2),
        "stages": stages,
        "task_timeline": task_timeline,
        "documents": {
            "pdf_files": len(pdfs),
            "pdf_mb": round(sum(p.stat().st_size for p in pdfs) / 2**20, 1),
            "xlsx_files": len(list(output.rglob("*.xlsx"))),
        },
        "corrected_file_rerun": rerun,
        "round_only_memory": round_memory,
        "flow_runs": len(flows),
        "task_runs": len(tasks),
        "setup_s": round(setup_s, 1),
        **memory.summary(),
        "load_average_before": load_before,
        "load_average": load_after,
    }
    if keep_home:
        result["home"], result["database_url"] = str(home), url
    else:
        shutil.rmtree(home, ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------
# driver


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("RASOAT_HOME", str(args.work_dir / "home"))
    if args.one == "floor":
        result = run_floor(args.work_dir, args.shape, args.households, args.floor_processes)
    else:
        result = run_round(
            args.work_dir,
            args.shape,
            args.households,
            args.database,
            args.runner,
            args.workers,
            args.profile,
            with_rerun=not args.no_rerun,
            keep_home=args.keep_home,
        )
    print("RESULT " + json.dumps(result, ensure_ascii=False))


def spawn(args: argparse.Namespace, one: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--one",
        one,
        "--shape",
        args.shape,
        "--work-dir",
        str(args.work_dir),
        "--database",
        args.database,
        "--runner",
        args.runner,
        "--workers",
        str(args.workers),
        "--floor-processes",
        str(args.floor_processes),
    ]
    if args.households:
        command += ["--households", str(args.households)]
    if args.no_rerun:
        command.append("--no-rerun")
    if args.keep_home:
        command.append("--keep-home")
    if args.profile and one == "round":
        command += ["--profile", str(args.profile)]
    print(f"running {one} {args.shape} (load average {bench_scale.load_average()})", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{one} {args.shape} failed:\n{done.stderr[-6000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    result["process_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shape", choices=sorted(scale_data.TWO_TIER_SHAPES), default="hatinh")
    parser.add_argument("--households", type=int, help="another size for the shape's province")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/rasoat-bench-tt"))
    parser.add_argument("--kinds", default="floor,round")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--runner", default="dask")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor-processes", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="cProfile of the round's own process (.prof)")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-rerun", action="store_true", help="skip the corrected file of one commune after the round"
    )
    parser.add_argument(
        "--keep-home",
        action="store_true",
        help="keep the round's RASOAT_HOME and database (paths in the JSON) to profile a stage afterwards",
    )
    parser.add_argument("--one", choices=["floor", "round"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work_dir = args.work_dir.resolve()
    if args.profile:
        args.profile = args.profile.resolve()
    if args.one:
        child(args)
        return
    inputs(args.work_dir, args.shape, args.households)  # generate (or find) before any timing
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": bench_scale.machine(),
        "targets": TARGETS,
        "runs": [],
    }
    for one in [k for k in args.kinds.split(",") if k]:
        results["runs"].append(spawn(args, one))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    floor = next((r for r in results["runs"] if r["kind"] == "floor"), None)
    for run in results["runs"]:
        if run["kind"] == "round" and floor is not None:
            run["ratio_to_floor"] = round(run["end_to_end_s"] / floor["floor_s"], 2)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(summary(results))


def summary(results: dict[str, Any]) -> str:
    lines = []
    for run in results["runs"]:
        if run["kind"] == "floor":
            lines.append(
                f"floor {run['shape']}: {run['households']:,} households, {run['communes']} units: "
                f"{run['floor_s']:.1f} s (read+classify {run['read_and_classify_s']:.1f} s, tables "
                f"{run['movements_and_tables_s']:.1f} s) load {run['load_average']}"
            )
        else:
            st = run["stages"]
            parts = ", ".join(f"{k}: {v['span_s']:.1f} s" for k, v in st.items())
            lines.append(
                f"round {run['shape']} {run['task_runner']}: {run['end_to_end_s']:.1f} s "
                f"({run.get('ratio_to_floor', '?')}× floor), {run['households_per_s']:,} households/s; "
                f"{parts}; "
                f"peak RSS {run['peak_rss_all_processes_mb']:,} MB all, "
                f"{run['peak_rss_largest_process_mb']:,} MB largest; load {run['load_average']}"
            )
            rerun = run.get("corrected_file_rerun")
            if rerun:
                lines.append(
                    f"  corrected file of {rerun['commune']} ({rerun['households']:,} households): "
                    f"{rerun['verdict']}, province consolidated again, {rerun['seconds']:.1f} s "
                    f"(load {rerun['load_average_before']} → {rerun['load_average']})"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
