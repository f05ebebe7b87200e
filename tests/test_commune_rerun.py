"""A file from the inbox reruns what it affects: intake, validation, then the district's tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from rasoat.db import session_scope
from rasoat.db.models import Consolidation
from rasoat.generate import generate_district
from rasoat.pipeline.identify import identify
from rasoat.pipeline.intake import receive
from rasoat.pipeline.validation_stage import validate_stored
from rasoat.standards import standard_for_year

pytestmark = pytest.mark.e2e  # real flows on a real Prefect server, whole rounds

YEAR = 2024  # a district round (three-level map)


def _consolidations(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Consolidation)))


def test_last_commune_in_triggers_the_district_consolidation(
    prefect_server: None, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.commune_rerun import commune_rerun

    monkeypatch.setenv("RASOAT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    generate_district("468", YEAR, tmp_path / "camlo", seed=6, households=400)
    files = sorted((tmp_path / "camlo").glob("*.xlsx"))
    for path in files[:-2]:
        with session_scope(engine) as s:
            received = receive(
                s, YEAR, standard_for_year(YEAR), identify(path.name), path.name, path.read_bytes(), "xa"
            )
        with session_scope(engine) as s:
            validate_stored(s, received.submission_id, "xa", data_docs=False)

    # One commune still missing: its neighbour's file is taken in, the district is not consolidated.
    assert commune_rerun(str(files[-2]), YEAR, "468", data_docs=False).accepted
    assert _consolidations(engine) == 0

    # The last commune arrives: the district's tables are built in the same run.
    assert commune_rerun(str(files[-1]), YEAR, "468", data_docs=False).accepted
    assert _consolidations(engine) == 1
    with session_scope(engine) as s:
        record = s.scalars(select(Consolidation)).one()
        assert record.checks_passed and not record.missing and len(record.submissions) == 8
