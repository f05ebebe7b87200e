"""Which standard a round applies: its province's own standard if one is configured, else the
national one (`rasoat.standards.standard_for`). The province comes from the round's unit."""

from __future__ import annotations

from typing import Protocol

from rasoat.admin_units import commune, province_of_district
from rasoat.standards import Standard, standard_for


class RoundLike(Protocol):
    year: int
    scope_level: str
    scope_code: str


def province_of_scope(scope_level: str, scope_code: str) -> str:
    """The province code of a round's unit (commune, district or province)."""
    if scope_level == "province":
        return scope_code
    district = commune(scope_code).district_code if scope_level == "commune" else scope_code
    return province_of_district(district)


def standard_for_district(year: int, district_code: str) -> Standard:
    return standard_for(year, province_of_district(district_code))


def round_standard(review_round: RoundLike) -> Standard:
    """The standard the round applies."""
    return standard_for(
        review_round.year, province_of_scope(review_round.scope_level, review_round.scope_code)
    )
