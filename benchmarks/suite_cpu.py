"""CPU seconds of every process a command starts, summed by kind: where the test suite's time goes.

    .venv/bin/python benchmarks/suite_cpu.py [--json OUT.json] -- .venv/bin/python -m pytest -q

Runs the command and samples /proc every 0.5 s: each process's user + system CPU as last seen
(a process that lives less than half a second may be missed, or counted short). Processes are
grouped by their command line: the pytest workers (tests that run flows in their own process), the
Prefect servers, flow runs started by a worker or a test, rasoat's CLI, spawned processes (the render
pool, Dask's workers), PostgreSQL's backends. Linux only; nothing of the command's output is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
KINDS = (  # first match wins
    ("exec(eval(sys.stdin", "pytest worker (tests in its process)"),
    ("uvicorn", "Prefect server"),
    ("server start", "Prefect server"),
    ("prefect.engine", "flow run in its own process"),
    ("worker start", "Prefect worker"),
    ("spawn_main", "spawned (render pool, Dask)"),
    ("-m rasoat", "rasoat CLI"),
    ("bin/rasoat", "rasoat CLI"),
    ("postgres", "PostgreSQL"),
    ("pytest", "pytest controller"),
    ("python", "other Python"),
)


def kind(command: str) -> str:
    return next((name for needle, name in KINDS if needle in command), "other")


def sample(seen: dict[tuple[str, str], tuple[str, float]]) -> None:
    """Each live process's kind and CPU seconds so far, keyed by (pid, start time): pids are reused."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / TICK
            key = (pid, fields[19])
            if key in seen:
                name = seen[key][0]
            else:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                name = kind(raw.replace(b"\0", b" ").decode(errors="replace"))
            seen[key] = (name, cpu)
        except (FileNotFoundError, ProcessLookupError, IndexError, PermissionError):
            continue


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    seen: dict[tuple[str, str], tuple[str, float]] = {}
    sample(seen)
    before = set(seen)  # processes already running are not the command's
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        sample(seen)
        time.sleep(0.5)
    wall = time.monotonic() - started
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for key, (name, cpu) in seen.items():
        if key not in before:
            totals[name] += cpu
            counts[name] += 1
    rows = [{"kind": k, "cpu_s": round(v, 1), "processes": counts[k]} for k, v in totals.most_common()]
    for row in rows:
        print(f"{row['cpu_s']:8.1f} s  {row['processes']:5d}  {row['kind']}")
    print(f"{sum(totals.values()):8.1f} s  CPU in all; {wall:.1f} s wall; exit {proc.returncode}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"command": command, "wall_s": round(wall, 1), "exit": proc.returncode, "kinds": rows},
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
