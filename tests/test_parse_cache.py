"""Intake and validation of the same bytes parse once per process; every caller gets its own copy."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rasoat.intake import SubmissionError
from rasoat.intake import cache as parse_cache

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468" / "19597.xlsx"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty cache, and the file names the reader is really called with, in order."""
    parse_cache.clear()
    calls: list[str] = []
    real = parse_cache.read_submission
    monkeypatch.setattr(
        parse_cache, "read_submission", lambda c, f, **kw: (calls.append(f), real(c, f, **kw))[1]
    )
    return calls


def test_same_bytes_parse_once_and_copies_are_independent(parses: list[str]) -> None:
    content = SAMPLE.read_bytes()
    first = parse_cache.read_submission_cached(content, SAMPLE.name)
    first.households.loc[first.households.index[0], "village"] = "changed by one caller"
    second = parse_cache.read_submission_cached(content, SAMPLE.name)
    assert parses == [SAMPLE.name]
    assert second.households["village"].iloc[0] != "changed by one caller"
    assert len(second.households) == len(first.households)

    parse_cache.read_submission_cached(content + b"", "other-name.xlsx")  # another name: parsed again
    assert parses == [SAMPLE.name, "other-name.xlsx"]


def test_unreadable_bytes_raise_every_time() -> None:
    parse_cache.clear()
    for _ in range(2):
        with pytest.raises(SubmissionError):
            parse_cache.read_submission_cached(b"not a workbook", "19597.xlsx")


def test_forgotten_bytes_are_parsed_again(parses: list[str]) -> None:
    content = SAMPLE.read_bytes()
    parse_cache.read_submission_cached(content, SAMPLE.name, 2024)
    parse_cache.read_submission_cached(content, "copy.xlsx", 2024)
    parse_cache.forget(hashlib.sha256(b"other bytes").hexdigest())  # another file's: nothing changes
    parse_cache.read_submission_cached(content, SAMPLE.name, 2024)
    assert parses == [SAMPLE.name, "copy.xlsx"]
    parse_cache.forget(hashlib.sha256(content).hexdigest())  # every parse of these bytes, any name
    parse_cache.read_submission_cached(content, "copy.xlsx", 2024)
    assert parses == [SAMPLE.name, "copy.xlsx", "copy.xlsx"]
