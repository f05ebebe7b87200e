"""Handing freed memory back to the system once a commune is done (glibc's `malloc_trim`).

A round's worker takes commune after commune; the C heap keeps what a large commune freed (pandas'
and calamine's buffers) for the process's next allocations instead of returning it, so the worker's
resident memory stays near its largest commune's for the rest of the round, beside every other
process. Dask sets `MALLOC_TRIM_THRESHOLD_` for its workers, which returns only the heap's top;
`malloc_trim(0)` also returns free pages inside it (measured after a 71,000-household commune:
≈ 60–90 MB more). Elsewhere than glibc there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")  # by name: find_library would start ldconfig and gcc
    except OSError:  # musl and other C libraries
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def return_freed_memory() -> bool:
    """Return the C heap's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
