"""Wall time per function in one thread of a `py-spy record --idle --threads --format raw` profile.

    py-spy record --pid PID --idle --threads --nonblocking --rate 50 --format raw -o worker.txt
    python benchmarks/spy_breakdown.py worker.txt --thread Dask-Default --rate 50 \
        --functions take_in_commune,keep_and_read,run_suite,save_households,_sqlite_begin

With `--idle` every sample counts, waiting included, so the seconds are wall time of that thread
(a Dask worker's task thread: its tasks, and the time it waited for one). Without `--functions`,
the functions with the most time, inclusive; `--children F` splits F's time by what it called.
py-spy is not a dependency of the project: install it in a virtualenv of its own.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path


def _stacks(path: Path, thread: str) -> Iterator[tuple[list[str], int]]:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if thread in frames[0]:
            yield [f.split(" (")[0] for f in frames[1:]], int(count)


def breakdown(path: Path, thread: str) -> tuple[Counter[str], int]:
    """Samples per function (counted once per stack), and all samples of the thread."""
    inclusive: Counter[str] = Counter()
    total = 0
    for names, count in _stacks(path, thread):
        total += count
        for name in set(names):
            inclusive[name] += count
    return inclusive, total


def children(path: Path, thread: str, parent: str) -> Counter[str]:
    """Samples of `parent` by the function it called (`<self>` for its own)."""
    out: Counter[str] = Counter()
    for names, count in _stacks(path, thread):
        if parent in names:
            i = names.index(parent)
            out[names[i + 1] if i + 1 < len(names) else "<self>"] += count
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile", type=Path)
    parser.add_argument("--thread", default="Dask-Default", help="part of the thread's name")
    parser.add_argument("--rate", type=float, default=50.0, help="py-spy's --rate")
    parser.add_argument("--functions", help="comma-separated function names")
    parser.add_argument("--children", help="split this function's time by its callees")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    inclusive, total = breakdown(args.profile, args.thread)
    print(f"{args.thread}: {total / args.rate:.1f} s sampled")
    if args.children:
        split = children(args.profile, args.thread, args.children)
        rows = split.most_common(args.top)
    elif args.functions:
        rows = [(f, inclusive[f]) for f in args.functions.split(",")]
    else:
        rows = inclusive.most_common(args.top)
    for name, count in rows:
        print(f"  {name[:80]:80s} {count / args.rate:8.1f} s {100 * count / max(total, 1):5.1f} %")


if __name__ == "__main__":
    main()
