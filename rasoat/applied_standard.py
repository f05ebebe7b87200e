"""Which standard a round applies: its province's own standard if one is configured, else the
national one (`rasoat.standards.standard_for`), chosen when the round opens and recorded on it."""

from __future__ import annotations

from typing import Protocol

from rasoat.admin.scope import scope
from rasoat.admin_units import province_of_district
from rasoat.standards import Standard, standard_by_id, standard_for


class RoundLike(Protocol):
    standard_id: str


def standard_for_scope(year: int, scope_code: str) -> Standard:
    """The standard for a round of `year` consolidated by `scope_code` (a district on the three-level
    map, a province on the two-tier map): what a new round records."""
    return standard_for(year, scope(year, scope_code).province_code)


def standard_for_district(year: int, district_code: str) -> Standard:
    """The standard for a legacy district's round of `year`."""
    return standard_for(year, province_of_district(district_code))


def round_standard(review_round: RoundLike) -> Standard:
    """The standard the round recorded when it opened: a provincial standard configured while a
    round is under way does not switch its communes to other rules half-way."""
    return standard_by_id(review_round.standard_id)
