"""Tasks that open rounds and list what arrived."""

from __future__ import annotations

from prefect import task

from rasoat.db import get_or_create_round, session_scope, shared_engine
from rasoat.pipeline.consolidation_stage import missing_communes
from rasoat.pipeline.inbox import districts_with_inbox
from rasoat.standards import standard_for_year


@task(name="open-district-round")
def open_district_round(year: int, district_code: str, actor: str) -> int:
    with session_scope(shared_engine()) as session:
        return get_or_create_round(
            session, year, "district", district_code, standard_for_year(year), actor
        ).id


@task(name="communes-missing")
def communes_missing(year: int, district_code: str, actor: str) -> dict[str, str]:
    """Which communes of the district still lack accepted data (empty: ready to consolidate)."""
    with session_scope(shared_engine()) as session:
        review_round = get_or_create_round(
            session, year, "district", district_code, standard_for_year(year), actor
        )
        return missing_communes(session, review_round)


@task(name="districts-in-round")
def districts_in_round(year: int, province_code: str) -> list[str]:
    return districts_with_inbox(year, province_code)
