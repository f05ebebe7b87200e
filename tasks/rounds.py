"""Tasks that open rounds and list what arrived."""

from __future__ import annotations

from prefect import task
from sqlalchemy.orm import Session

from rasoat.admin.scope import scope
from rasoat.applied_standard import standard_for_scope
from rasoat.db import get_or_create_round
from rasoat.db.models import ReviewRound
from rasoat.pipeline.consolidation_stage import missing_communes
from rasoat.pipeline.inbox import scopes_with_inbox
from tasks.database_task import database_task


def _round(session: Session, year: int, scope_code: str, actor: str) -> ReviewRound:
    unit = scope(year, scope_code)
    return get_or_create_round(
        session, year, unit.level, unit.code, standard_for_scope(year, unit.code), actor
    )


@database_task("open-round", task_run_name="open-round-{year}-{scope_code}")
def open_round(session: Session, year: int, scope_code: str, actor: str) -> int:
    """The round of a district (three-level map) or of a province (two-tier map), opened if new."""
    return _round(session, year, scope_code, actor).id


@database_task("communes-missing")
def communes_missing(session: Session, year: int, scope_code: str, actor: str) -> dict[str, str]:
    """Which communes of the round still lack accepted data (empty: ready to consolidate)."""
    return missing_communes(session, _round(session, year, scope_code, actor))


@task(name="units-in-round")
def scopes_in_round(year: int, province_code: str) -> list[str]:
    """The province's consolidating units with files in the inbox: its districts (three-level map)
    or itself (two-tier map)."""
    return scopes_with_inbox(year, province_code)
