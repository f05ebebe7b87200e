"""Tasks that open rounds and list what arrived."""

from __future__ import annotations

from prefect import task
from sqlalchemy.orm import Session

from rasoat.applied_standard import standard_for_district
from rasoat.db import get_or_create_round
from rasoat.pipeline.consolidation_stage import missing_communes
from rasoat.pipeline.inbox import districts_with_inbox
from tasks.database_task import database_task


@database_task("open-district-round")
def open_district_round(session: Session, year: int, district_code: str, actor: str) -> int:
    return get_or_create_round(
        session, year, "district", district_code, standard_for_district(year, district_code), actor
    ).id


@database_task("communes-missing")
def communes_missing(session: Session, year: int, district_code: str, actor: str) -> dict[str, str]:
    """Which communes of the district still lack accepted data (empty: ready to consolidate)."""
    review_round = get_or_create_round(
        session, year, "district", district_code, standard_for_district(year, district_code), actor
    )
    return missing_communes(session, review_round)


@task(name="districts-in-round")
def districts_in_round(year: int, province_code: str) -> list[str]:
    return districts_with_inbox(year, province_code)
