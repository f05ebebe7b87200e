"""Validation's cross-commune CCCD check (`other_communes_id_numbers`) on a province-sized round,
with and without the indexes on the numbers (migration 0009).

    .venv/bin/python benchmarks/bench_cccd_lookup.py [--communes 69] [--members 1326000]

A fresh SQLite database holds `--communes` accepted submissions of one round with their members
(random 12-digit numbers); the check is timed for one more commune's numbers (its share of the
members) against all the others, first with the indexes, then after dropping them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", type=int, default=69)
    parser.add_argument("--members", type=int, default=1_326_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from sqlalchemy import insert, text

    from rasoat.db import get_or_create_round, init_db, session_scope
    from rasoat.db.models import Member, Submission
    from rasoat.pipeline.validation_stage import other_communes_id_numbers
    from rasoat.standards import standard_for_year

    url = f"sqlite:///{tempfile.mkdtemp()}/cccd.db"
    engine = init_db(url)
    rng = np.random.default_rng(1)
    per = args.members // args.communes
    numbers = rng.integers(10**11, 10**12, size=per * (args.communes + 1)).astype(str)
    with session_scope(engine) as s:
        round_id = get_or_create_round(s, 2026, "province", "42", standard_for_year(2026), "bench").id
    started = time.perf_counter()
    ids = []
    for i in range(args.communes + 1):
        with session_scope(engine) as s:
            sub = Submission(
                round_id=round_id,
                commune_code=f"{18000 + i}",
                version=1,
                file_name=f"{i}.xlsx",
                content=b"",
                sha256=f"{i:064d}",
                size_bytes=0,
                status="accepted" if i < args.communes else "received",
                received_by="bench",
                received_at=dt.datetime.now(dt.UTC),
            )
            s.add(sub)
            s.flush()
            ids.append(sub.id)
            chunk = numbers[i * per : (i + 1) * per]
            s.execute(
                insert(Member),
                [
                    {"submission_id": sub.id, "household_id": f"h{i}-{j}", "id_number": n}
                    for j, n in enumerate(chunk)
                ],
            )
    load_s = time.perf_counter() - started
    own = list(numbers[args.communes * per :][: per // 2]) + list(numbers[:10])  # 10 duplicates

    def timed() -> tuple[float, int]:
        best = float("inf")
        for _ in range(3):
            with session_scope(engine) as s:
                submission = s.get(Submission, ids[-1])
                t = time.perf_counter()
                found = other_communes_id_numbers(s, submission, own)
                best = min(best, time.perf_counter() - t)
        return best, len(found)

    with_index, found_a = timed()
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_members_id_number"))
        conn.execute(text("DROP INDEX ix_households_head_id_number"))
    without_index, found_b = timed()
    assert found_a == found_b
    result = {
        "communes": args.communes,
        "members": per * args.communes,
        "own_numbers": len(own),
        "found": found_a,
        "with_indexes_s": round(with_index, 4),
        "without_indexes_s": round(without_index, 4),
        # called twice a commune, each commune seeing on average half of the others:
        "round_estimate_without_indexes_s": round(without_index * args.communes, 1),
        "round_estimate_with_indexes_s": round(with_index * args.communes, 1),
        "setup_s": round(load_s, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
