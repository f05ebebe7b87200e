"""Consolidation benchmark: a generated district of 300,000 households through classification,
movements, tables R1–R11 and their Great Expectations checks, in one process, without the database.

    .venv/bin/python benchmarks/bench_consolidation.py [--households 300000] [--json OUT.json]

Prints the time of each step and checks that every invariant holds; figures go in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from machine import machine, peak_rss_mb, report  # the benchmarks' own module beside this file

from rasoat.consolidation import check_tables, consolidate
from rasoat.generate.review import generated_review

YEAR = 2026


def bench(households: int, seed: int = 5) -> dict[str, object]:
    started = time.perf_counter()
    review = generated_review("468", YEAR, seed=seed, households=households)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    tables = consolidate(review.input)
    consolidated = time.perf_counter() - started
    started = time.perf_counter()
    results = check_tables(tables)
    checked = time.perf_counter() - started
    failed = {r.check: r.failed for r in results if not r.success}
    if failed or tables["r1"].iloc[0]["households"] != households:
        raise SystemExit(f"consolidation of {households:,} households is wrong: {failed}")
    return {
        "households": households,
        "members": len(review.members),
        "generate_classify_movements_s": round(generated, 2),
        "consolidate_s": round(consolidated, 2),
        "checks_s": round(checked, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"machine": machine(), "consolidation": bench(args.households), "peak_rss_mb": peak_rss_mb()}
    report(results, args.json)


if __name__ == "__main__":
    main()
