"""rasoat.freed_memory: a worker's freed C heap goes back to the system after a commune."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rasoat.config import PROJECT_ROOT

PROBE = """
import os
from rasoat.freed_memory import return_freed_memory

def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

# 100 KB blocks come from the heap (below the mmap threshold); the last one pins the heap's top, so
# only pages inside the heap are free once the others are let go, and glibc keeps those.
blocks = [bytearray(100_000) for _ in range(2_000)]
last = bytearray(100_000)
del blocks
held = rss()
assert return_freed_memory()
print(held - rss())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux's")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}  # no automatic trim at the top
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
    )
    assert int(out.stdout) > 150_000_000  # of the 200 MB freed
