"""The pipeline's stages called directly, for tests whose subject comes after them: files taken in
and validated on a database without flows (the flows' own tests cover the flows)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from rasoat.db import session_scope
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import Received, receive
from rasoat.pipeline.validation_stage import validate_stored
from rasoat.standards import standard_for_year


def take_in(engine: Engine, path: Path, year: int, actor: str = "xa") -> Received:
    with session_scope(engine) as s:
        return receive(
            s,
            year,
            standard_for_year(year),
            identify(path.name, year=year),  # the commune's round on the year's map
            path.name,
            path.read_bytes(),
            actor,
        )


def accept(engine: Engine, paths: list[Path], year: int, actor: str = "xa") -> int:
    """Take in and validate each file, each accepted; the round's id."""
    for path in paths:
        received = take_in(engine, path, year, actor)
        with session_scope(engine) as s:
            assert validate_stored(s, received.submission_id, actor, data_docs=False).accepted, path.name
    return received.round_id
