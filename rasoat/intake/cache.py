"""The last few parsed submissions, keyed by the sha256 of their bytes and their file name.

Intake parses a commune's file to record what arrived, and validation parses the stored bytes again
right after (the stored bytes stay the single source of truth). Parsing is deterministic, so the
same bytes under the same name give the same result: when both stages run in one process, the second
parse is served from here instead of costing the workbook's read again (≈ a third of a commune's time
outside validation). Callers get their own copies of the frames, so none can change another's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict

from rasoat.intake.read import ParsedSubmission, read_submission

CACHE_SIZE = 4  # a few communes in flight per process (thread-pool task runner); bounded memory

_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str, int | None], ParsedSubmission] = OrderedDict()


def _copy(parsed: ParsedSubmission) -> ParsedSubmission:
    return dataclasses.replace(
        parsed,
        households=parsed.households.copy(),
        members=None if parsed.members is None else parsed.members.copy(),
        problems=list(parsed.problems),
        extra_columns=list(parsed.extra_columns),
        skipped_rows=list(parsed.skipped_rows),
        notices=list(parsed.notices),
        flag_writing=dict(parsed.flag_writing),
    )


def read_submission_cached(content: bytes, file: str, year: int | None = None) -> ParsedSubmission:
    """`read_submission(content, file, year=year)`, reusing a recent parse of the very same bytes
    (for the same year: the year's map fills missing areas).

    An unreadable file raises SubmissionError every time (nothing is cached for it)."""
    key = (hashlib.sha256(content).hexdigest(), file, year)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
    if hit is None:
        hit = read_submission(content, file, year=year)
        with _lock:
            _cache[key] = hit
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return _copy(hit)


def forget(sha256: str) -> None:
    """Drop the parses of these bytes once their last reader is done with them. A round's worker
    process takes commune after commune: without this it kept its last CACHE_SIZE communes' frames
    (≈ 57 MB for 26,000 households) long after their verdicts, for nothing."""
    with _lock:
        for key in [k for k in _cache if k[0] == sha256]:
            del _cache[key]


def clear() -> None:
    with _lock:
        _cache.clear()
