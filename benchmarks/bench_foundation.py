"""Foundation benchmark: classifier throughput and intake time of a 20,000-household workbook.

    .venv/bin/python benchmarks/bench_foundation.py [--households 2000000] [--json OUT.json]

Targets: classifier >= 2 million households per second; reading a 20,000-household
workbook (with its ~70,000 members) <= 2 s. Figures go in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from machine import machine, peak_rss_mb, report  # the benchmarks' own module beside this file

from rasoat.classifier import classify
from rasoat.intake import read_submission
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.standards import standard_for_year


def synthetic_households(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.integers(300_000, 4_000_000, n).astype("float64")
    income[rng.random(n) < 0.04] = np.nan  # B1-only households
    frame = pd.DataFrame(
        {
            "area": pd.Categorical.from_codes(rng.integers(0, 2, n), categories=["rural", "urban"]),
            "income_per_capita": income,
            "b1_score": rng.integers(60, 260, n).astype("float64"),
            "agri_household": rng.integers(0, 2, n).astype(np.int8),
        }
    )
    flags = (rng.random((n, 12)) < 0.18).astype(np.int8)
    for i, column in enumerate(INDICATOR_COLUMNS):
        frame[column] = flags[:, i]
    return frame


def bench_classifier(n: int, repeats: int = 5) -> dict[str, float]:
    frame = synthetic_households(n)
    standard = standard_for_year(2024)
    classify(frame.head(1000), standard)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        classify(frame, standard)
        times.append(time.perf_counter() - start)
    best = min(times)
    return {
        "households": n,
        "best_s": round(best, 4),
        "median_s": round(statistics.median(times), 4),
        "households_per_s": round(n / best),
    }


def workbook_20k(seed: int = 0) -> tuple[bytes, int, int]:
    """A single commune workbook of ~20,000 households and their members, built from the generator's
    realistic Cam Lộ data (all communes stacked into one sheet pair)."""
    from rasoat.generate import generate_district
    from rasoat.intake import read_submission_path

    with tempfile.TemporaryDirectory() as tmp:
        result = generate_district("468", 2024, Path(tmp), seed=seed, households=20_000)
        parts = [read_submission_path(path) for path in result.files]
    households = pd.concat([p.households for p in parts], ignore_index=True)
    members = pd.concat([p.members for p in parts if p.members is not None], ignore_index=True)
    from rasoat.generate.writer import write_workbook

    buf = io.BytesIO()
    write_workbook(buf, households, members)
    return buf.getvalue(), len(households), len(members)


def bench_intake(repeats: int = 3) -> dict[str, float]:
    content, n_households, n_members = workbook_20k()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        parsed = read_submission(content, "20k.xlsx")
        times.append(time.perf_counter() - start)
    assert not parsed.problems, parsed.problems[:3]
    assert len(parsed.households) == n_households
    return {
        "households": n_households,
        "members": n_members,
        "bytes": len(content),
        "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=2_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {
        "machine": machine(),
        "classifier": bench_classifier(args.households),
        "intake_20k_workbook": bench_intake(),
        "peak_rss_mb": peak_rss_mb(),
    }
    report(results, args.json)


if __name__ == "__main__":
    main()
