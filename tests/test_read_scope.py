"""`read_scope`: a read-only transaction that does not hold SQLite's write lock while it reads (a
round's workers read one commune's rows while another commune's are written), sees one snapshot, and
keeps nothing written in it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from rasoat.db import read_scope, session_scope
from rasoat.db.models import StandardRecord


def _standard(name: str) -> StandardRecord:
    return StandardRecord(id=name, version="1", sha256="0" * 64, name=name, first_year=2099, last_year=2099)


def _standards(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(StandardRecord)) or 0)


def test_a_reader_does_not_hold_the_writers_back(engine: Engine) -> None:
    before = _standards(engine)
    with read_scope(engine) as reader:
        seen = reader.scalar(select(func.count()).select_from(StandardRecord))
        # A writer commits while the reader's transaction is open (SQLite: would wait 120 s for
        # the write lock if the reader held it).
        with session_scope(engine) as writer:
            writer.add(_standard("thu-doc-song-song"))
        assert reader.scalar(select(func.count()).select_from(StandardRecord)) == seen  # its snapshot
    assert _standards(engine) == before + 1


def test_what_is_written_in_a_read_scope_is_discarded(engine: Engine) -> None:
    before = _standards(engine)
    with read_scope(engine) as reader:
        reader.add(_standard("khong-duoc-ghi"))
        try:
            reader.flush()  # PostgreSQL refuses it at once (a read-only transaction)
        except DBAPIError:
            assert engine.dialect.name == "postgresql"
    assert _standards(engine) == before
