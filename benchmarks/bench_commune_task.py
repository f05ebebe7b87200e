"""One commune's task of a round, timed alone: `take_in_commune` on one workbook per commune.

    .venv/bin/python benchmarks/bench_commune_task.py --warm /tmp/w/18100.xlsx \
        /tmp/a/18073.xlsx /tmp/b/18652.xlsx [--split] [--fn] [--profile DIR] [--json OUT.json]

The same code path as a round's `commune-<code>` task on a Dask worker: a temporary Prefect server,
SQLite under a temporary RASOAT_HOME, the province's round on the 2026 map, last years' lists
empty. The task is called inside one bare flow (with `--fn`, its body `take_in_commune.fn`, without
the task engine around it), on a process already warmed by a first, small commune (`--warm`): a
Dask worker takes many communes, so the one-off import of Great Expectations and the first suite run
are not a commune's cost (the warm-up commune belongs to the year before, `--warm-year`, so its
CCCD numbers do not count against the timed communes'). Each file is timed on its own: wall clock
and this process's CPU time (the worker-core time of a round; the Prefect server is another
process). The bare floor of the same files is timed too: read with calamine and classified,
nothing else.

`--split` adds each commune's CPU time per stage, from wrappers around the stages' functions (CPU
time, not a profiler: a profiler's own cost lands on the Python-heavy code, Great Expectations,
and not on calamine's). Labels are inclusive; "(other)" lines are what a stage spent outside the
labels under it. `--profile DIR` writes one cProfile file per commune (`DIR/<code>.prof`) instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from machine import machine, peak_rss_mb, report  # the benchmarks' own module beside this file

YEAR, ACTOR = 2026, "bench"


class CpuTimers:
    """CPU seconds per label, from wrappers around module attributes (nested labels each count)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def time(self, label: str) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.seconds[label] += time.process_time() - start

    def wrap(self, module: Any, name: str, label: str | Callable[..., str]) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.time(label(*args) if callable(label) else label):
                return original(*args, **kwargs)

        setattr(module, name, timed)

    def take(self) -> dict[str, float]:
        out = dict(self.seconds)
        self.seconds.clear()
        return out


# (module, attribute, label): the label's stage is the function as its caller reaches it.
SPLIT = (
    ("tasks.commune_files", "keep_and_read", "1 intake"),
    ("rasoat.pipeline.intake", "read_submission_cached", "1.1 intake: read the workbook"),
    ("tasks.commune_files", "validation_inputs", "2 validation inputs"),
    ("tasks.commune_files", "validate_submission_task", "3 validation task (Prefect engine included)"),
    ("tasks.validation", "validate_stored_concurrently", "3.1 validation stage"),
    ("rasoat.pipeline.validation_stage", "read_submission_cached", "3.1.1 read again (cache)"),
    ("rasoat.pipeline.validation_stage", "own_id_numbers", "3.1.2 own CCCD numbers"),
    ("rasoat.pipeline.validation_stage", "other_communes_id_numbers", "3.1.3 other communes' CCCD numbers"),
    ("rasoat.pipeline.validation_stage", "validate_submission", "3.1.4 suites and findings"),
    ("rasoat.validation.validate", "prepare", "3.1.4.1 prepare the tables"),
    ("rasoat.validation.validate", "run_suite", lambda frame, *_: f"3.1.4.2 GX suite on {frame}"),
    ("rasoat.pipeline.validation_stage", "_record_results", "3.1.5 validation_results rows"),
    ("rasoat.pipeline.validation_stage", "classify_both", "3.1.6 classify"),
    ("rasoat.pipeline.validation_stage", "save_households", "3.1.7 write households and members"),
    ("rasoat.pipeline.validation_stage", "save_classifications", "3.1.8 write classifications"),
    ("rasoat.pipeline.validation_stage", "write_feedback", "3.1.9 feedback files"),
    ("tasks.commune_files", "validation_artifacts", "4 Prefect artifacts"),
)
PARENTS = {
    "1 intake": ("1.1",),
    "3 validation task (Prefect engine included)": ("3.1 ",),
    "3.1 validation stage": (*(f"3.1.{i}" for i in (1, 2, 3, 5, 6, 7, 8, 9)), "3.1.4 "),
    "3.1.4 suites and findings": ("3.1.4.",),
}


def _install_split(timers: CpuTimers) -> None:
    import importlib

    for module, name, label in SPLIT:
        timers.wrap(importlib.import_module(module), name, label)


def _split(seconds: dict[str, float], total: float) -> dict[str, float]:
    out = {label: round(value, 3) for label, value in sorted(seconds.items())}
    for parent, prefixes in PARENTS.items():
        if parent in seconds:
            inside = sum(v for k, v in seconds.items() if k != parent and k.startswith(prefixes))
            out[f"{parent} (other)"] = round(seconds[parent] - inside, 3)
    top = sum(v for k, v in seconds.items() if k[0].isdigit() and " " in k and "." not in k.split(" ")[0])
    out["9 the task's own rest (Prefect task engine, identify, session)"] = round(total - top, 3)
    return dict(sorted(out.items()))


def _floor(path: Path) -> dict[str, Any]:
    from rasoat.classifier import ClassificationInputError, classify
    from rasoat.intake.read import read_submission_path
    from rasoat.standards import standard_for_year

    started, cpu = time.perf_counter(), time.process_time()
    parsed = read_submission_path(path)
    classified = True
    try:
        classify(parsed.households, standard_for_year(YEAR))
    except ClassificationInputError:  # a file with mistakes: the floor is then its reading alone
        classified = False
    return {
        "floor_s": round(time.perf_counter() - started, 3),
        "floor_cpu_s": round(time.process_time() - cpu, 3),
        "floor_classified": classified,
    }


def _warm_commune(one: Callable[..., None], path: Path, year: int) -> None:
    """Untimed (a frame of its own, for a sampling profiler's stacks to tell it from the others)."""
    one(path, timed=False, year=year)


def _timed_commune(one: Callable[..., None], path: Path) -> None:
    one(path, timed=True)


def run(
    files: list[Path], warm: Path | None, warm_year: int, bare: bool, split: bool, profile: Path | None
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="bench-commune-"))
    os.environ["RASOAT_HOME"] = str(home)
    os.environ["PREFECT_HOME"] = str(home / "prefect-home")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.pop("RASOAT_DATABASE_URL", None)
    from rasoat.prefect_settings import configure_prefect

    configure_prefect()
    from prefect import flow

    from rasoat.admin.maps import admin_map
    from rasoat.db import init_db
    from rasoat.prefect_server import prefect_api
    from tasks.commune_files import take_in_commune

    timers = CpuTimers()
    if split:
        _install_split(timers)
    init_db()
    inbox = home / "inbox"
    inbox.mkdir()
    # In the inbox well before the round, as a commune's file is: a file younger than the inbox's
    # settle time would be read twice, a second apart (`read_settled`).
    settled = time.time() - 60
    for path in [*([warm] if warm is not None else []), *files]:
        shutil.copy(path, inbox / path.name)
        os.utime(inbox / path.name, (settled, settled))
    results: list[dict[str, Any]] = []

    def one(path: Path, timed: bool, year: int = YEAR) -> None:
        copy = inbox / path.name
        code = path.stem
        profiler = None
        if profile is not None and timed:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU: the machine is shared
        timers.take()
        started, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        province = admin_map(year).province_of(code)  # Hà Tĩnh's, Hồ Chí Minh's: the file's own
        if bare:
            validated = take_in_commune.fn(code, [str(copy)], year, province, ACTOR, True)
        else:
            validated = take_in_commune(code, [str(copy)], year, province, ACTOR, True)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None and profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(str(profile / f"{code}.prof"))
        stages = timers.take()
        if timed:
            results.append(
                {
                    "commune": code,
                    "households": validated.households,
                    "verdict": validated.verdict,
                    "blocking": validated.blocking,
                    "warnings": validated.warnings,
                    "wall_s": round(wall, 3),
                    "cpu_s": round(cpu, 3),
                    "cpu_ms_per_household": round(1000 * cpu / max(validated.households, 1), 4),
                    "load_average_1": round(os.getloadavg()[0], 2),
                    **({"cpu_split_s": _split(stages, cpu)} if split else {}),
                }
            )

    with prefect_api():

        @flow(name="bench-commune-task")
        def communes() -> None:
            if warm is not None:
                _warm_commune(one, warm, warm_year)
            for path in files:
                _timed_commune(one, path)

        communes()
    for entry, path in zip(results, files, strict=True):
        entry.update(_floor(path))
    fit: dict[str, float] = {}
    if len(results) >= 2:
        by_size = sorted(results, key=lambda r: r["households"])
        small, large = by_size[0], by_size[-1]
        slope = (large["cpu_s"] - small["cpu_s"]) / (large["households"] - small["households"])
        floor = (large["floor_cpu_s"] - small["floor_cpu_s"]) / (large["households"] - small["households"])
        fit = {
            "cpu_s_per_commune": round(small["cpu_s"] - slope * small["households"], 3),
            "cpu_ms_per_household": round(1000 * slope, 4),
            "floor_cpu_ms_per_household": round(1000 * floor, 4),
        }
    shutil.rmtree(home, ignore_errors=True)
    return {
        "machine": machine(),
        "task_engine": not bare,
        "communes": results,
        "fit": fit,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path, help="one workbook per commune, named <code>.xlsx")
    parser.add_argument("--warm", type=Path, help="a small commune's workbook run first, untimed")
    parser.add_argument("--warm-year", type=int, default=YEAR - 1, help="the warm-up commune's round")
    parser.add_argument("--fn", action="store_true", help="call the task's body, without the task engine")
    parser.add_argument("--split", action="store_true", help="CPU time per stage (wrappers, no profiler)")
    parser.add_argument("--profile", type=Path, help="write one cProfile file per commune here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report(run(args.files, args.warm, args.warm_year, args.fn, args.split, args.profile), args.json)


if __name__ == "__main__":
    main()
