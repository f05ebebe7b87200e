"""The cross-commune CCCD lookup asks the database only about the file's own numbers, and finds the
same ones the full list would; a commune validated while no neighbour changes asks once (both
databases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

import rasoat.pipeline.validation_stage as stage
from rasoat.db import session_scope
from rasoat.db.models import Submission
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import (
    accepted_neighbours,
    other_communes_id_numbers,
    validate_stored,
)
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


def test_lookup_among_given_neighbours_matches_the_round_query(engine: Engine) -> None:
    first = _accept(engine, "19597")
    _accept(engine, "19600")
    third = _accept(engine, "19603")
    with session_scope(engine) as s:
        submission = s.get(Submission, third)
        neighbours = accepted_neighbours(s, submission)
        assert first in neighbours and third not in neighbours and len(neighbours) == 2
        own = sorted(other_communes_id_numbers(s, submission))
        assert other_communes_id_numbers(s, submission, own, neighbours=neighbours) == frozenset(own)
        only_first = other_communes_id_numbers(s, submission, own, neighbours=frozenset({first}))
        assert only_first and only_first < frozenset(own)
        assert other_communes_id_numbers(s, submission, own, neighbours=frozenset()) == frozenset()


def test_unchanged_neighbours_are_not_asked_for_their_numbers_twice(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _accept(engine, "19597")
    path = SAMPLE / "19600.xlsx"
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name, None), path.name, path.read_bytes(), "xa"
        )
    asked: list[frozenset[int] | None] = []
    lookup = stage.other_communes_id_numbers

    def counted(*args: Any, **kwargs: Any) -> frozenset[str]:
        asked.append(kwargs.get("neighbours"))
        return lookup(*args, **kwargs)

    monkeypatch.setattr(stage, "other_communes_id_numbers", counted)
    assert stage.validate_stored_concurrently(engine, received.submission_id, "xa", data_docs=False).accepted
    assert len(asked) == 1 and asked[0] is not None and len(asked[0]) == 1


def test_a_neighbour_accepted_during_the_checks_is_the_only_one_asked_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _accept(engine, "19597")
    late = SAMPLE / "19600.xlsx"
    with session_scope(engine) as s:
        meanwhile = receive(
            s, YEAR, standard_for_year(YEAR), identify(late.name, None), late.name, late.read_bytes(), "xa"
        ).submission_id
    path = SAMPLE / "19603.xlsx"
    with session_scope(engine) as s:
        received = receive(
            s, YEAR, standard_for_year(YEAR), identify(path.name, None), path.name, path.read_bytes(), "xa"
        )
    asked: list[frozenset[int] | None] = []
    lookup, checks = stage.other_communes_id_numbers, stage.validate_submission

    def counted(*args: Any, **kwargs: Any) -> frozenset[str]:
        asked.append(kwargs.get("neighbours"))
        return lookup(*args, **kwargs)

    def checked_while_a_neighbour_is_accepted(*args: Any) -> Any:
        report = checks(*args)
        if len(asked) == 1:
            with session_scope(engine) as s:
                assert stage.validate_stored(s, meanwhile, "xa", data_docs=False).accepted
        return report

    monkeypatch.setattr(stage, "other_communes_id_numbers", counted)
    monkeypatch.setattr(stage, "validate_submission", checked_while_a_neighbour_is_accepted)
    assert stage.validate_stored_concurrently(engine, received.submission_id, "xa", data_docs=False).accepted
    # The checks' lookup; the neighbour's own validation (all of its neighbours); under the lock,
    # only the neighbour accepted meanwhile.
    assert asked[0] == frozenset({first}) and asked[-1] == frozenset({meanwhile}), asked
