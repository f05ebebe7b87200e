"""The cross-commune CCCD lookup asks the database only about the file's own numbers, and finds the
same ones the full list would (both databases)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from rasoat.db import session_scope
from rasoat.db.models import Submission
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import other_communes_id_numbers, validate_stored
from rasoat.standards import standard_for_year

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "468"
YEAR = 2024  # a district round (three-level map)


def _accept(engine: Engine, commune: str) -> int:
    path = SAMPLE / f"{commune}.xlsx"
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name, commune), path.name, path.read_bytes(), "xa"
        )
    with session_scope(engine) as s:
        assert validate_stored(s, received.submission_id, "xa", data_docs=False).accepted
    return received.submission_id


def test_lookup_restricted_to_own_numbers_matches_the_full_list(engine: Engine) -> None:
    _accept(engine, "19597")
    _accept(engine, "19600")
    third = _accept(engine, "19603")
    with session_scope(engine) as s:
        submission = s.get(Submission, third)
        everything = other_communes_id_numbers(s, submission)
        assert everything  # the two other communes' heads and members
        shared = sorted(everything)[:3]
        own = sorted([*shared, "999999999999", "000000000001"])
        assert other_communes_id_numbers(s, submission, own) == frozenset(shared)
        assert other_communes_id_numbers(s, submission, []) == frozenset()
