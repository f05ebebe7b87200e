"""Generator throughput: building the frames (households, members, history) and writing the
commune workbooks, in households per second.

    .venv/bin/python benchmarks/bench_generate.py --json benchmarks/results/generate.json

Uses only `build_district` and `write_workbook`, so the same script also measures an older
checkout (PYTHONPATH=<its folder>) for before/after figures. With the vectorised writer present,
the xlsxwriter cell-by-cell path is measured too, on the same frames.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path
from typing import Any

from machine import machine, peak_rss_mb, report

from rasoat.generate import build_district, writer


def _best(runs: list[float]) -> dict[str, float]:
    return {"best_s": round(min(runs), 3), "median_s": round(statistics.median(runs), 3)}


def bench_frames(households: int, repeats: int) -> dict[str, Any]:
    build_district("468", 2026, seed=1, households=2_000)  # warm caches (maps, profiles)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        _, members, history, _ = build_district("468", 2026, seed=1, households=households)
        runs.append(time.perf_counter() - start)
    timing = _best(runs)
    return {
        "households": households,
        "members": len(members),
        "history_rows": len(history),
        **timing,
        "households_per_s": round(households / timing["best_s"]),
    }


def bench_writing(households: int, repeats: int) -> dict[str, Any]:
    """Every commune's workbook of a district (written to memory: the disk is not measured)."""
    hh, members, _, _ = build_district("468", 2026, seed=1, households=households)
    home = hh["household_id"].str.slice(0, 5)
    member_home = members["household_id"].str.slice(0, 5)
    parts = [(hh[home == c], members[member_home == c]) for c in sorted(set(home))]
    ways = {"write_workbook": writer.write_workbook}
    if hasattr(writer, "write_workbook_xlsxwriter"):  # the vectorised writer's fallback: the old way

        def cell_by_cell(target: io.BytesIO, h: Any, m: Any) -> None:
            sheets = [(writer.HOUSEHOLD_SHEET, writer.HOUSEHOLD_COLUMNS, writer._household_frame(h))]
            sheets.append((writer.MEMBER_SHEET, writer.MEMBER_COLUMNS, writer._member_frame(m)))
            cells = [
                (n, [c.header_vi for c in cols], writer._frame(f, [c.name for c in cols]))
                for n, cols, f in sheets
            ]
            writer.write_workbook_xlsxwriter(target, cells)

        ways["xlsxwriter_cell_by_cell"] = cell_by_cell
    out: dict[str, Any] = {"households": households, "members": len(members), "workbooks": len(parts)}
    for name, write in ways.items():
        runs, size = [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            size = 0
            for h, m in parts:
                buffer = io.BytesIO()
                write(buffer, h, m)
                size += len(buffer.getvalue())
            runs.append(time.perf_counter() - start)
        timing = _best(runs)
        out[name] = {**timing, "households_per_s": round(households / timing["best_s"]), "bytes": size}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200_000, help="households for the frames")
    parser.add_argument("--write", type=int, default=20_000, help="households for the workbooks")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {
        "machine_before": machine(),
        "frames": bench_frames(args.frames, args.repeats),
        "writing": bench_writing(args.write, args.repeats),
    }
    results["machine_after"] = machine()
    results["peak_rss_mb"] = peak_rss_mb()
    report(results, args.json)


if __name__ == "__main__":
    main()
