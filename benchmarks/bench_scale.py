"""Scale benchmark: a district, a province the size of Hà Tĩnh, larger provinces, and the
bare baseline.

    .venv/bin/python benchmarks/bench_scale.py --work-dir /tmp/rasoat-bench \\
        --scopes district,province --databases postgresql,sqlite \\
        --json benchmarks/results/scale.json --markdown benchmarks/results/scale.md

Each measurement runs in its own process, on a fresh database:
- `round`: the round as district staff run it: the `review_round` flow on a temporary Prefect
  server (started before timing), with the files waiting in the inbox and last years' lists
  imported (set-up, not timed), on the task runner `--runner` (default `dask`, `--workers` local
  worker processes): intake, validation, classification and row writes per commune, each
  district's consolidation and documents (notices, decisions, reports, household lists, tables;
  certificates excluded, as the target says), the province's tables, approval (a benchmark approver
  answers the form as soon as it is asked) and decision. Stage times come from the Prefect API
  (task and flow runs: summed run time, and the wall-clock span); peak memory is sampled over the
  whole process tree (the flow's process, Dask's workers and nannies, the PDF pool, the Prefect
  server).
- `pipeline`: the same stages as plain functions in one process, one commune after another, no
  Prefect: the breakdown by function (reading, suites, classification, row writes, consolidation's
  reads and checks, documents) and the classification + consolidation time for the ratio.
- `baseline`: the same classification and aggregation as plain pandas in one process, on frames
  already in memory (the workbooks are read first, not timed): no database, no validation, no checks.
- `overhead`: a few communes as plain functions, through the round's per-commune task, and through
  the `commune_submission` flow (a single file's submit): what orchestration costs per commune.

Targets (on the project's 2-core machine): the Hà Tĩnh-sized round (≈ 380,000 households, 210
communes), lists included and certificates excluded, end to end ≤ 5 minutes with peak RSS ≤ 2 GB;
classification + consolidation ≤ 3 × the bare baseline. Inputs are generated once and cached in the
work directory (benchmarks/scale_data.py; `--province-households N` for larger provinces). Figures
are recorded in benchmarks/README.md; no test asserts them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

import scale_data  # noqa: E402  (the benchmark's own module beside this file)

TARGETS = {
    "province_end_to_end_s": 300.0,
    "province_peak_rss_mb": 2048.0,
    "classification_consolidation_ratio": 3.0,
}
ACTOR = "benchmark"
POSTGRES_ADMIN = os.environ.get(
    "RASOAT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DOCUMENTS_NOTE = "districts' documents with their lists, certificates excluded (a round may issue them later)"


# ---------------------------------------------------------------------------------------------
# helpers


class Timers:
    """Seconds accumulated per label; nested wrappers each count their own label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    @contextlib.contextmanager
    def time(self, label: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[label] += time.perf_counter() - start
            self.calls[label] += 1

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.time(label):
                return original(*args, **kwargs)

        setattr(module, name, timed)


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = round(mem_kb / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@contextlib.contextmanager
def fresh_database(kind: str, work_dir: Path) -> Iterator[str]:
    """An empty database of that kind, removed afterwards unless RASOAT_BENCH_KEEP_DB=1 (to look
    into a stage of a finished run)."""
    if kind == "sqlite":
        path = work_dir / "db" / f"bench-{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            if os.environ.get("RASOAT_BENCH_KEEP_DB") == "1":
                print(f"kept database {path}", file=sys.stderr)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"rasoat_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        if os.environ.get("RASOAT_BENCH_KEEP_DB") == "1":  # to look into a stage afterwards
            print(f"kept database {name}", file=sys.stderr)
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def scope_inputs(work_dir: Path, scope: str, province_households: int) -> list[scale_data.Generated]:
    if scope == "district":
        return [scale_data.generate(work_dir, scale_data.DISTRICT, 15_000)]
    if scope == "province":
        return scale_data.generate_province(work_dir, province_households)
    raise ValueError(f"unknown scope {scope}")


# ---------------------------------------------------------------------------------------------
# the pipeline, session-level


def run_pipeline(work_dir: Path, scope: str, database: str, province_households: int) -> dict[str, Any]:
    parts = scope_inputs(work_dir, scope, province_households)
    import_started = time.perf_counter()
    from rasoat.gx import gx

    gx()  # import Great Expectations once per process, as a worker does; reported apart

    import rasoat.pipeline.consolidation_stage as consolidation_stage
    import rasoat.pipeline.validation_stage as validation_stage
    from rasoat.admin_units import province_of_district
    from rasoat.consolidation.export import write_tables_xlsx
    from rasoat.db import get_or_create_round, init_db, session_scope
    from rasoat.pipeline.approval_stage import build_province_tables
    from rasoat.pipeline.baseline import import_baseline
    from rasoat.pipeline.documents_stage import district_documents
    from rasoat.pipeline.identify import identify
    from rasoat.pipeline.intake import receive
    from rasoat.standards import standard_for_year

    imports_s = time.perf_counter() - import_started
    timers = Timers()
    # What validate_stored does, split: reading the bytes again, the suites, classification, writes.
    timers.wrap(validation_stage, "read_submission_cached", "validation.read")
    timers.wrap(validation_stage, "validate_submission", "validation.suites")
    timers.wrap(validation_stage, "other_communes_id_numbers", "validation.other_communes_ids")
    timers.wrap(validation_stage, "write_feedback", "validation.feedback")
    timers.wrap(validation_stage, "classify", "classification")
    timers.wrap(validation_stage, "save_households", "db_write.households_members")
    timers.wrap(validation_stage, "save_classifications", "db_write.classifications")
    timers.wrap(consolidation_stage, "load_households", "consolidation.db_read")
    timers.wrap(consolidation_stage, "load_members", "consolidation.db_read")
    timers.wrap(consolidation_stage, "load_history", "consolidation.db_read")
    timers.wrap(consolidation_stage, "consolidate", "consolidation.tables")
    timers.wrap(consolidation_stage, "run_checks", "consolidation.checks")

    year = scale_data.YEAR
    standard = standard_for_year(year)
    households = sum(p.households for p in parts)
    communes = sum(p.communes for p in parts)
    verdicts: dict[str, int] = defaultdict(int)
    out_dir = work_dir / "out" / scope / database
    with fresh_database(database, work_dir) as url:
        engine = init_db(url)
        for part in parts:  # last years' approved lists: set-up of the round, not one of its stages
            with timers.time("setup.baseline_import"), session_scope(engine) as s:
                import_baseline(s, part.folder / "history.csv", part.district_code, ACTOR)
        started = time.perf_counter()
        for part in parts:
            for path in sorted(part.folder.glob("*.xlsx")):
                content = path.read_bytes()
                with timers.time("intake"), session_scope(engine) as s:
                    received = receive(
                        s,
                        year,
                        standard,
                        identify(path.name, None, part.district_code),
                        path.name,
                        content,
                        ACTOR,
                    )
                # Commit of the commune's transaction is part of its database write.
                with timers.time("validation_stage"):
                    validated = validation_stage.validate_stored_concurrently(
                        engine, received.submission_id, ACTOR, data_docs=DATA_DOCS
                    )
                verdicts[validated.verdict] += 1
            with timers.time("consolidation_stage"), session_scope(engine) as s:
                review_round = get_or_create_round(s, year, "district", part.district_code, standard, ACTOR)
                outcome = consolidation_stage.consolidate_round(s, review_round.id, ACTOR)
            if not outcome.passed:
                print(f"warning: district {part.district_code} consolidation checks failed", file=sys.stderr)
            with timers.time("documents"), session_scope(engine) as s:  # lists included, no certificates
                district_documents(s, outcome.consolidation_id, certificates=False)
        province = province_of_district(parts[0].district_code)
        with timers.time("province_tables"), session_scope(engine) as s:
            tables = build_province_tables(s, year, province, ACTOR).tables
        with timers.time("outputs.tables_xlsx"):
            write_tables_xlsx(tables, out_dir / f"tong-hop-{province}.xlsx")
        end_to_end = time.perf_counter() - started
        engine.dispose()

    t = timers.seconds
    db_write = t["db_write.households_members"] + t["db_write.classifications"]
    validation_only = t["validation_stage"] - t["classification"] - db_write
    stages = {
        "intake": t["intake"],
        "validation": validation_only,
        "classification": t["classification"],
        "db_write": db_write,
        "consolidation": t["consolidation_stage"] + t["province_tables"],
        "outputs_tables_xlsx": t["outputs.tables_xlsx"],
        "documents": t["documents"],
    }
    return {
        "kind": "pipeline",
        "scope": scope,
        "database": database,
        "households": households,
        "members": sum(p.members for p in parts),
        "communes": communes,
        "districts": len(parts),
        "data_docs": DATA_DOCS,
        "verdicts": dict(verdicts),
        "end_to_end_s": round(end_to_end, 2),
        "households_per_s": round(households / end_to_end),
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "detail_s": {k: round(v, 3) for k, v in sorted(t.items())},
        "classification_plus_consolidation_s": round(stages["classification"] + stages["consolidation"], 2),
        # The same computation as the baseline, inside the pipeline (no database reads, no checks).
        "classification_plus_consolidation_compute_s": round(
            t["classification"] + t["consolidation.tables"] + t["province_tables"], 2
        ),
        # The consolidated tables' Great Expectations checks are validation, which the baseline leaves out.
        "classification_plus_consolidation_without_checks_s": round(
            stages["classification"] + stages["consolidation"] - t["consolidation.checks"], 2
        ),
        "imports_s": round(imports_s, 2),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": load_average(),
    }


# ---------------------------------------------------------------------------------------------
# the round as a user runs it: the `review_round` flow on a Prefect server


class TreeMemory:
    """Peak resident memory of this process and all its descendants (Dask workers, the PDF pool,
    the temporary Prefect server), sampled every 0.2 s."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak_total_mb = 0.0
        self.peak_process_mb = 0.0
        self.peak_server_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0.0
            for proc in [self._me, *self._me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    rss = proc.memory_info().rss / 2**20
                    total += rss
                    self.peak_process_mb = max(self.peak_process_mb, rss)
                    if "uvicorn" in " ".join(proc.cmdline()) or "prefect.server" in " ".join(proc.cmdline()):
                        self.peak_server_mb = max(self.peak_server_mb, rss)
            self.peak_total_mb = max(self.peak_total_mb, total)
            self._stop.wait(0.2)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _prefect_runs() -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """Every flow run and task run the server holds (the benchmark's server holds this round only),
    each with its flow's name or its task function's name."""
    from prefect.client.orchestration import get_client

    flows: list[Any] = []
    tasks: list[Any] = []
    with get_client(sync_client=True) as client:
        for reader, out in ((client.read_flow_runs, flows), (client.read_task_runs, tasks)):
            offset = 0
            while True:
                page = reader(limit=200, offset=offset)
                out.extend(page)
                if len(page) < 200:
                    break
                offset += 200
        names = {f.id: f.name for f in client.read_flows(limit=200)}
    # A task key is "<function name>-<hash of its code>".
    return [(names.get(r.flow_id, "?"), r) for r in flows], [(r.task_key.rsplit("-", 1)[0], r) for r in tasks]


def _stage(runs: list[tuple[str, Any]], names: set[str]) -> dict[str, Any]:
    """Count, summed run time and wall-clock span of the runs with these names."""
    chosen = [r for name, r in runs if name in names]
    if not chosen:
        return {"runs": 0, "sum_s": 0.0, "span_s": 0.0}
    starts = [r.start_time for r in chosen if r.start_time]
    ends = [r.end_time for r in chosen if r.end_time]
    return {
        "runs": len(chosen),
        "sum_s": round(sum(r.total_run_time.total_seconds() for r in chosen), 2),
        "span_s": round((max(ends) - min(starts)).total_seconds(), 2) if starts and ends else 0.0,
    }


def run_round(
    work_dir: Path, scope: str, database: str, province_households: int, runner: str, workers: int
) -> dict[str, Any]:
    """The `review_round` flow, exactly as `rasoat round start` runs it, on a temporary Prefect server,
    on the task runner the environment chooses; documents with their lists, certificates excluded;
    the province's approval answered by a benchmark approver as soon as it is asked."""
    os.environ["RASOAT_TASK_RUNNER"] = runner
    os.environ["RASOAT_DASK_WORKERS"] = str(workers)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    home = work_dir / "homes" / f"{scope}-{database}-{uuid.uuid4().hex[:6]}"
    os.environ["RASOAT_HOME"] = str(home)
    os.environ["PREFECT_HOME"] = str(home / "prefect-home")  # the temporary server holds this round only
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    parts = scope_inputs(work_dir, scope, province_households)
    from rasoat.admin_units import province_of_district
    from rasoat.db import dispose_shared_engines, init_db, session_scope
    from rasoat.pipeline.baseline import import_baseline
    from rasoat.pipeline.inbox import inbox_dir
    from rasoat.prefect_server import prefect_api

    year = scale_data.YEAR
    province = province_of_district(parts[0].district_code)
    setup_started = time.perf_counter()
    for part in parts:  # the files wait in the inbox, as when district staff start the round
        inbox = inbox_dir(year, part.district_code)
        inbox.mkdir(parents=True, exist_ok=True)
        for path in sorted(part.folder.glob("*.xlsx")):
            os.link(path, inbox / path.name)
    result: dict[str, Any] = {}
    with fresh_database(database, work_dir) as url, TreeMemory() as memory:
        os.environ["RASOAT_DATABASE_URL"] = url
        engine = init_db(url)
        for part in parts:  # last years' approved lists: set-up of the round, not one of its stages
            with session_scope(engine) as s:
                import_baseline(s, part.folder / "history.csv", part.district_code, ACTOR)
        engine.dispose()
        setup_s = time.perf_counter() - setup_started
        with prefect_api():
            from flows.review_round import review_round
            from rasoat.operations.approval_client import answer_approval, wait_for_approval_request

            asked: dict[str, float] = {}

            def approve() -> None:
                wait_for_approval_request(year, province, timeout_s=3600)
                asked["seen"] = time.perf_counter()
                answer_approval(year, province, BENCH_APPROVER)
                asked["answered"] = time.perf_counter()

            approver = threading.Thread(target=approve, daemon=True)
            approver.start()
            started = time.perf_counter()
            where = (
                {"district_code": parts[0].district_code}
                if scope == "district"
                else {"province_code": province}
            )
            outcome = review_round(year, **where, actor=ACTOR, certificates=False)
            end_to_end = time.perf_counter() - started
            approver.join(timeout=30)
            flows, tasks = _prefect_runs()
        dispose_shared_engines()
        os.environ.pop("RASOAT_DATABASE_URL", None)

    verdicts: dict[str, int] = defaultdict(int)
    for verdict in outcome["verdicts"].values():
        verdicts[verdict] += 1
    households = sum(p.households for p in parts)
    pdfs = list((home / "output").rglob("*.pdf"))
    result = {
        "kind": "round",
        "scope": scope,
        "database": database,
        "task_runner": runner + (f" ({workers} local worker processes)" if runner == "dask" else ""),
        "households": households,
        "members": sum(p.members for p in parts),
        "communes": sum(p.communes for p in parts),
        "districts": len(parts),
        "verdicts": dict(verdicts),
        "approval": (outcome.get("approval") or {}).get("decision"),
        "end_to_end_s": round(end_to_end, 1),
        "households_per_s": round(households / end_to_end),
        # The benchmark approver answers within a second of being asked (it polls every second).
        "approval_wait_s": round(asked.get("answered", 0) - asked.get("seen", 0), 2),
        "stages": {
            # intake = the commune task less its nested validation
            "commune (intake + validation, per commune task)": _stage(tasks, {"take_in_commune"}),
            "validation (with classification and row writes)": _stage(tasks, {"validate_submission_task"}),
            "consolidation (districts)": _stage(flows, {"district_consolidation"}),
            "documents (districts: notices, decisions, reports, lists; no certificates)": _stage(
                flows, {"district_documents"}
            ),
            # the approval run writes the province's documents as its subflow: included here
            "province approval (tables, decision asked and answered)": _stage(flows, {"province_approval"}),
            "province documents": _stage(flows, {"province_documents"}),
        },
        "documents": {
            "pdf_files": len(pdfs),
            "pdf_mb": round(sum(p.stat().st_size for p in pdfs) / 2**20, 1),
            "lists_xlsx": len(list((home / "output").rglob("danh-sach-*.xlsx"))),
        },
        "flow_runs": len(flows),
        "task_runs": len(tasks),
        "setup_s": round(setup_s, 1),
        "peak_rss_tree_mb": round(memory.peak_total_mb),
        "peak_rss_largest_process_mb": round(memory.peak_process_mb),
        "peak_rss_prefect_server_mb": round(memory.peak_server_mb),
        "load_average": load_average(),
    }
    shutil.rmtree(home, ignore_errors=True)
    return result


BENCH_APPROVER = {
    "decision": "approve",
    "approver_name": "Người phê duyệt (benchmark)",
    "approver_position": "Chủ tịch Ủy ban nhân dân tỉnh",
    "decision_number": "99/QĐ-UBND",
    "reason": None,
}


# ---------------------------------------------------------------------------------------------
# the bare baseline: plain pandas, one process


def run_baseline(work_dir: Path, scope: str, province_households: int) -> dict[str, Any]:
    """Classification and the same R1–R11 aggregation on in-memory frames: no database, no
    validation, no checks, no orchestration."""
    import pandas as pd

    from rasoat.admin_units import communes_of, province_of_district
    from rasoat.classifier import classify
    from rasoat.consolidation import (
        ConsolidationInput,
        as_units,
        consolidate,
        consolidate_province,
        departed_frame,
        household_frame,
    )
    from rasoat.intake import read_submission_path
    from rasoat.movements import compute_movements, previous_round
    from rasoat.pipeline.approval_stage import province_unit
    from rasoat.pipeline.baseline import read_baseline
    from rasoat.pipeline.consolidation_stage import district_unit
    from rasoat.schema import Status
    from rasoat.standards import standard_for_year

    parts = scope_inputs(work_dir, scope, province_households)
    year = scale_data.YEAR
    standard = standard_for_year(year)
    inputs = []
    read_started = time.perf_counter()
    for part in parts:
        parsed = [read_submission_path(p) for p in sorted(part.folder.glob("*.xlsx"))]
        inputs.append(
            (
                part,
                pd.concat([p.households for p in parsed], ignore_index=True),
                pd.concat([p.members for p in parsed if p.members is not None], ignore_index=True),
                read_baseline(part.folder / "history.csv", part.district_code),
            )
        )
    read_s = time.perf_counter() - read_started

    timers = Timers()
    district_tables = []
    for part, households, members, history in inputs:
        with timers.time("classification"):
            result = classify(households, standard)
        with timers.time("consolidation"):
            frame = households.join(result[["status", "deprivation_count"]])
            frame["status"] = frame["status"].astype(object)
            previous = previous_round(history, year, standard.first_year)
            complete = bool((previous["status"] == Status.NON_POOR.value).any()) or previous.empty
            moves = compute_movements(
                frame[["household_id", "status", "members"]], previous, roster_complete=complete
            )
            previous_with_commune = previous.merge(
                history[["household_id", "commune_code"]].drop_duplicates("household_id"), on="household_id"
            )
            departed = departed_frame(moves, previous_with_commune)
            communes = communes_of(part.district_code)
            tables = consolidate(
                ConsolidationInput(
                    unit=district_unit(part.district_code),
                    communes=as_units(communes),
                    year=year,
                    households=household_frame(frame, frame[["status", "deprivation_count"]], moves),
                    members=members,
                    departed=departed.loc[departed["commune_code"].isin([c.code for c in communes])],
                    min_deprivations=standard.min_deprivations,
                )
            )
            district_tables.append(tables)
    with timers.time("consolidation"):
        consolidate_province(district_tables, province_unit(province_of_district(parts[0].district_code)))
    t = timers.seconds
    total = t["classification"] + t["consolidation"]
    households_n = sum(p.households for p in parts)
    return {
        "kind": "baseline",
        "scope": scope,
        "households": households_n,
        "reading_workbooks_s": round(read_s, 2),
        "classification_s": round(t["classification"], 3),
        "consolidation_s": round(t["consolidation"], 3),
        "classification_plus_consolidation_s": round(total, 3),
        "households_per_s": round(households_n / total),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": load_average(),
    }


# ---------------------------------------------------------------------------------------------
# orchestration overhead: the flows on a Prefect server against the plain functions


def run_overhead(work_dir: Path, database: str, communes: int) -> dict[str, Any]:
    """The district's first `communes` files, each time on a fresh database: as plain functions,
    through the round's per-commune task (`take_in_commune`, called in a flow, one commune after
    another), and through the `commune_submission` flow (a single file's submit or rerun). The first
    commune of each warms caches up and is not counted."""
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    part = scale_data.generate(work_dir, scale_data.DISTRICT, 15_000)
    files = sorted(part.folder.glob("*.xlsx"))[:communes]
    year = scale_data.YEAR

    from rasoat.gx import gx

    gx()
    from flows.district_consolidation import district_consolidation
    from prefect import flow

    from flows.commune_submission import commune_submission
    from rasoat.db import dispose_shared_engines, get_or_create_round, init_db, session_scope, shared_engine
    from rasoat.pipeline.consolidation_stage import consolidate_round
    from rasoat.pipeline.identify import identify
    from rasoat.pipeline.intake import receive
    from rasoat.pipeline.validation_stage import validate_stored_concurrently
    from rasoat.prefect_server import prefect_api
    from rasoat.standards import standard_for_year
    from tasks.commune_files import take_in_commune

    standard = standard_for_year(year)
    without = bool(len(files) < part.communes)
    reason = "benchmark: a sample of the district's communes" if without else None

    # Plain functions.
    with fresh_database(database, work_dir) as url:
        engine = init_db(url)
        started = time.perf_counter()
        for i, path in enumerate(files):
            if i == 1:
                started = time.perf_counter()
            filing = identify(path.name, None, part.district_code)
            with session_scope(engine) as s:
                received = receive(s, year, standard, filing, path.name, path.read_bytes(), ACTOR)
            validate_stored_concurrently(engine, received.submission_id, ACTOR)
        communes_plain = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope(engine) as s:
            round_id = get_or_create_round(s, year, "district", part.district_code, standard, ACTOR).id
            consolidate_round(s, round_id, ACTOR, without_missing=without, reason=reason)
        consolidation_plain = time.perf_counter() - started
        engine.dispose()

    @flow(name="bench-communes")
    def communes_one_by_one(paths: list[str]) -> None:
        for path in paths:
            take_in_commune(Path(path).stem, [path], year, part.district_code, ACTOR)

    def fresh(url: str) -> None:
        dispose_shared_engines()
        os.environ["RASOAT_DATABASE_URL"] = url
        shared_engine()  # migrate before timing, as a running worker has

    server_started = time.perf_counter()
    with prefect_api():
        server_s = time.perf_counter() - server_started
        with fresh_database(database, work_dir) as url:
            fresh(url)
            communes_one_by_one([str(files[0])])  # warm-up
            started = time.perf_counter()
            communes_one_by_one([str(p) for p in files[1:]])
            communes_task = time.perf_counter() - started
        with fresh_database(database, work_dir) as url:
            fresh(url)
            commune_submission(str(files[0]), year, part.district_code, received_by=ACTOR)  # warm-up
            started = time.perf_counter()
            for path in files[1:]:
                commune_submission(str(path), year, part.district_code, received_by=ACTOR)
            communes_flows = time.perf_counter() - started
            with session_scope(shared_engine()) as s:
                round_id = get_or_create_round(s, year, "district", part.district_code, standard, ACTOR).id
            started = time.perf_counter()
            district_consolidation(round_id, year, part.district_code, ACTOR, without, reason)
            consolidation_flows = time.perf_counter() - started
            fresh(url)
        os.environ.pop("RASOAT_DATABASE_URL", None)
        dispose_shared_engines()

    n = len(files) - 1
    plain, task, flows = communes_plain / n, communes_task / n, communes_flows / n
    return {
        "kind": "overhead",
        "database": database,
        "communes": len(files),
        "households": part.households,
        "prefect_server": f"temporary local server (SQLite), started in {server_s:.1f} s",
        "per_commune_plain_s": round(plain, 3),
        "per_commune_round_task_s": round(task, 3),
        "overhead_per_commune_round_task_s": round(task - plain, 3),
        "per_commune_flows_s": round(flows, 3),
        "overhead_per_commune_s": round(flows - plain, 3),
        "consolidation_plain_s": round(consolidation_plain, 2),
        "consolidation_flow_s": round(consolidation_flows, 2),
        "overhead_per_consolidation_s": round(consolidation_flows - consolidation_plain, 2),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": load_average(),
    }


DATA_DOCS = os.environ.get("RASOAT_BENCH_DATA_DOCS", "1") == "1"


# ---------------------------------------------------------------------------------------------
# driver


def child(args: argparse.Namespace) -> None:
    scale_data.use_data_dir(args.work_dir)
    os.environ["RASOAT_HOME"] = str(args.work_dir / "home")
    if args.one == "pipeline":
        result = run_pipeline(args.work_dir, args.scope, args.database, args.province_households)
    elif args.one == "round":
        result = run_round(
            args.work_dir, args.scope, args.database, args.province_households, args.runner, args.workers
        )
    elif args.one == "baseline":
        result = run_baseline(args.work_dir, args.scope, args.province_households)
    else:
        result = run_overhead(args.work_dir, args.database, args.overhead_communes)
    print("RESULT " + json.dumps(result))


def spawn(args: argparse.Namespace, one: str, scope: str = "", database: str = "") -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--one",
        one,
        "--work-dir",
        str(args.work_dir),
        "--province-households",
        str(args.province_households),
        "--overhead-communes",
        str(args.overhead_communes),
        "--runner",
        args.runner,
        "--workers",
        str(args.workers),
    ]
    if scope:
        command += ["--scope", scope]
    if database:
        command += ["--database", database]
    print(f"running {one} {scope} {database} (load average {load_average()})", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{one} {scope} {database} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    result["process_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)
    return result


def ratio(
    pipeline: dict[str, Any], baseline: dict[str, Any], key: str = "classification_plus_consolidation_s"
) -> float:
    return round(pipeline[key] / baseline["classification_plus_consolidation_s"], 2)


def markdown(results: dict[str, Any]) -> str:
    rows = [
        "| scope | database | households | communes | end to end | intake | validation | classification "
        "| DB write | consolidation | tables XLSX | documents | households/s | peak RSS | class.+consol. "
        "| baseline | ratio: stage (without checks; compute only) | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    baselines = {b["scope"]: b for b in results["runs"] if b["kind"] == "baseline"}
    if not any(r["kind"] == "pipeline" for r in results["runs"]):
        rows = []
    for run in (r for r in results["runs"] if r["kind"] == "pipeline"):
        s = run["stages_s"]
        base = baselines.get(run["scope"])
        rows.append(
            f"| {run['scope']} | {run['database']} | {run['households']:,} | {run['communes']} "
            f"| {run['end_to_end_s']:.0f} s | {s['intake']:.1f} s | {s['validation']:.1f} s "
            f"| {s['classification']:.2f} s | {s['db_write']:.1f} s | {s['consolidation']:.1f} s "
            f"| {s['outputs_tables_xlsx']:.2f} s | {s.get('documents', 0):.1f} s "
            f"| {run['households_per_s']:,} "
            f"| {run['peak_rss_mb']:,} MB | {run['classification_plus_consolidation_s']:.2f} s "
            f"| {base['classification_plus_consolidation_s']:.2f} s | {ratio(run, base)}× "
            f"({ratio(run, base, 'classification_plus_consolidation_without_checks_s')}×; "
            f"{ratio(run, base, 'classification_plus_consolidation_compute_s')}×) "
            f"| {' '.join(map(str, run['load_average']))} |"
        )
    rounds = [r for r in results["runs"] if r["kind"] == "round"]
    if rounds:
        rows += [
            "",
            "| round (`review_round` flow) | database | task runner | households | communes | end to end "
            "| households/s | commune tasks: sum / span | consolidation | documents (no certificates) "
            "| province approval (its decision document included) "
            "| peak RSS: all processes (largest one) | load avg |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
    for run in rounds:
        st = run["stages"]
        commune = st["commune (intake + validation, per commune task)"]
        docs = st["documents (districts: notices, decisions, reports, lists; no certificates)"]
        approval = st["province approval (tables, decision asked and answered)"]
        rows.append(
            f"| {run['scope']} | {run['database']} | {run['task_runner']} | {run['households']:,} "
            f"| {run['communes']} | **{run['end_to_end_s']:.0f} s** | {run['households_per_s']:,} "
            f"| {commune['sum_s']:.0f} s / {commune['span_s']:.0f} s "
            f"| {st['consolidation (districts)']['sum_s']:.1f} s | {docs['sum_s']:.1f} s "
            f"| {approval['sum_s']:.1f} s "
            f"| {run['peak_rss_tree_mb']:,} MB ({run['peak_rss_largest_process_mb']:,} MB) "
            f"| {' '.join(map(str, run['load_average']))} |"
        )
    for run in (r for r in results["runs"] if r["kind"] == "overhead"):
        rows += [
            "",
            f"Orchestration overhead ({run['database']}, {run['communes']} communes of Cam Lộ, "
            f"{run['prefect_server']}): per commune {run['per_commune_plain_s']:.2f} s as plain functions, "
            f"{run['per_commune_round_task_s']:.2f} s as the round's task `take_in_commune` → "
            f"**{run['overhead_per_commune_round_task_s']:.2f} s per commune**; "
            f"{run['per_commune_flows_s']:.2f} s through the `commune_submission` flow (a single file's "
            f"submit) → {run['overhead_per_commune_s']:.2f} s; district consolidation "
            f"{run['consolidation_flow_s']:.1f} s as a flow vs {run['consolidation_plain_s']:.1f} s "
            f"→ {run['overhead_per_consolidation_s']:.1f} s.",
        ]
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/rasoat-bench"))
    parser.add_argument("--scopes", default="district,province")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--province-households", type=int, default=scale_data.PROVINCE_HOUSEHOLDS)
    parser.add_argument("--overhead-communes", type=int, default=8)
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument(
        "--kinds",
        default="baseline,round,pipeline,overhead",
        help="baseline, round (the flow), pipeline (the stages as plain functions), overhead",
    )
    parser.add_argument("--runner", default="dask", help="RASOAT_TASK_RUNNER of the round's flow")
    parser.add_argument("--workers", type=int, default=2, help="RASOAT_DASK_WORKERS (local cluster)")
    parser.add_argument(
        "--one", choices=["pipeline", "baseline", "overhead", "round"], help=argparse.SUPPRESS
    )
    parser.add_argument("--scope", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work_dir = args.work_dir.resolve()
    if args.one:
        child(args)
        return

    scale_data.use_data_dir(args.work_dir)
    scopes = [s for s in args.scopes.split(",") if s]
    databases = [d for d in args.databases.split(",") if d]
    for scope in scopes:  # generate (or find cached) before any timing
        scope_inputs(args.work_dir, scope, args.province_households)
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "targets": TARGETS,
        "documents": DOCUMENTS_NOTE,
        "runs": [],
    }
    kinds = [k for k in args.kinds.split(",") if k]
    plan = [("baseline", scope, "") for scope in scopes if "baseline" in kinds]
    for kind in ("round", "pipeline"):
        if kind in kinds:
            plan += [(kind, scope, database) for scope in scopes for database in databases]
    if "overhead" in kinds and not args.skip_overhead:
        plan += [("overhead", "", database) for database in databases]
    for one, scope, database in plan:
        run = spawn(args, one, scope, database)
        base = next((b for b in results["runs"] if b["kind"] == "baseline" and b["scope"] == scope), None)
        if one == "pipeline" and base is not None:
            run["ratio_to_baseline"] = ratio(run, base)
            run["ratio_to_baseline_without_checks"] = ratio(
                run, base, "classification_plus_consolidation_without_checks_s"
            )
            run["ratio_to_baseline_compute_only"] = ratio(
                run, base, "classification_plus_consolidation_compute_s"
            )
        results["runs"].append(run)
        write_results(args, results)  # after every run: a long benchmark keeps what it measured
    print(markdown(results))


def write_results(args: argparse.Namespace, results: dict[str, Any]) -> None:
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results))


if __name__ == "__main__":
    main()
