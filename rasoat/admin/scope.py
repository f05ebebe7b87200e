"""The unit that consolidates a round's communes: a district on the three-level map, the province on
the two-tier map (since July 2025 communes report straight to the province).

Everything that is "the district's" in a legacy round (its inbox folder, its round, its consolidation,
its run names) is the province's in a two-tier round; code that works by scope works for both maps.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, Unit, UnknownUnitError, admin_map

DISTRICT = "district"
PROVINCE = "province"
LEVEL_VI = {DISTRICT: "huyện", PROVINCE: "tỉnh"}


class ScopeError(ValueError):
    """The scope asked for does not exist on the round's map (a district on the two-tier map)."""


@dataclass(frozen=True)
class Scope:
    year: int
    level: str  # DISTRICT or PROVINCE
    code: str  # 3 digits for a district, 2 for a province

    @property
    def map(self) -> AdminMap:
        return admin_map(self.year)

    @property
    def communes(self) -> list[Unit]:
        return self.map.communes_of(self.code)

    @property
    def commune_codes(self) -> list[str]:
        return [u.code for u in self.communes]

    @property
    def name(self) -> str:
        """`Huyện Cam Lộ`, `Tỉnh Quảng Trị`."""
        return self.map.parent_name(self.code)

    @property
    def province_code(self) -> str:
        return self.code if self.level == PROVINCE else self.map.province_of_parent(self.code)

    @property
    def label_vi(self) -> str:
        """`huyện 468`, `tỉnh 44`: in messages."""
        return f"{LEVEL_VI[self.level]} {self.code}"

    @property
    def run_label(self) -> str:
        """`district-468`, `province-44`: in run names and folder names."""
        return f"{self.level}-{self.code}"


def scope_level(year: int) -> str:
    """Which level consolidates communes in `year`'s round."""
    return PROVINCE if admin_map(year).is_two_tier else DISTRICT


def normalise(level: str, code: str | int) -> str:
    return unit_codes.province_code(code) if level == PROVINCE else unit_codes.district_code(code)


def scope(year: int, code: str | int) -> Scope:
    """The consolidating unit `code` of `year`'s round (a district or a province, by the map)."""
    level = scope_level(year)
    normalised = normalise(level, code)
    units = admin_map(year)
    if normalised not in units.parents.index:
        raise ScopeError(f"không có {LEVEL_VI[level]} mã {normalised} trong danh mục năm {year}")
    return Scope(year, level, normalised)


def scope_from_options(year: int, district: str | None, province: str | None) -> Scope | None:
    """The scope a user asked for with --district or --province; None for a whole legacy province
    (its districts, each a scope of its own). A district of a two-tier year is refused in one sentence."""
    if bool(district) == bool(province):
        raise ScopeError("chọn đúng một trong --district hoặc --province")
    two_tier = admin_map(year).is_two_tier
    if district and two_tier:
        raise ScopeError(
            f"năm {year} không còn cấp huyện (từ 01/07/2025 xã báo cáo thẳng tỉnh): "
            "chạy đợt rà soát theo tỉnh bằng --province"
        )
    if district:
        return scope(year, district)
    if two_tier:
        return scope(year, str(province))
    admin_map(year).province_name(str(province))  # an unknown province is refused here
    return None


def scopes_of_province(year: int, province: str | int) -> list[Scope]:
    """The consolidating units of a province: its districts on the three-level map, itself on the
    two-tier one."""
    units = admin_map(year)
    if units.is_two_tier:
        return [scope(year, province)]
    return [Scope(year, DISTRICT, code) for code in units.parents_of(province)]


def commune_scope(year: int, commune_code: str | int) -> Scope:
    """The scope a commune reports to in `year` (raises the map's refusal for a closed code)."""
    units = admin_map(year)
    return Scope(year, scope_level(year), units.parent_of(commune_code))


__all__ = [
    "DISTRICT",
    "PROVINCE",
    "Scope",
    "ScopeError",
    "UnknownUnitError",
    "commune_scope",
    "scope",
    "scope_from_options",
    "scope_level",
    "scopes_of_province",
]
