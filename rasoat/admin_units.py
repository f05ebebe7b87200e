"""The three-level map (province, district, commune) of the rounds up to 2024, by district.

Thin wrappers of `rasoat.admin.legacy_map()`, kept for the many callers that work by district.
Codes follow the legacy scheme (province 2 digits, district 3, commune 5) as zero-padded text; the
area type comes from the unit's legal type in the official list (Phường and Thị trấn urban, Xã
rural). A round of another year reads its own map: `rasoat.admin.admin_map(year)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from rasoat.admin.maps import AdminMap, UnknownUnitError, legacy_map

__all__ = [
    "Commune",
    "UnknownUnitError",
    "area_by_commune",
    "commune",
    "communes_of",
    "district",
    "district_codes_of",
    "district_name",
    "districts",
    "province_name",
    "province_of_district",
    "units",
]


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    district_code: str
    area_type: str  # "rural" or "urban"


def _map() -> AdminMap:
    return legacy_map()


@cache
def units() -> pd.DataFrame:
    """One row per commune: province, district and commune codes and names, and area type."""
    legacy = _map()
    frame = legacy.units.reset_index()
    return pd.DataFrame(
        {
            "province_code": frame["province_code"],
            "province_name": frame["province_name"],
            "district_code": frame["parent_code"],
            "district_name": frame["parent_code"].map(legacy.parents["name"]),
            "commune_code": frame["code"],
            "commune_name": frame["name"],
            "area_type": frame["area_type"],
        }
    ).sort_values(["province_code", "district_code", "commune_code"], ignore_index=True)


@cache
def districts() -> pd.DataFrame:
    """Every district with its province, including the few island districts that have no communes."""
    frame = _map().parents.reset_index()
    return pd.DataFrame(
        {
            "province_code": frame["province_code"],
            "province_name": frame["province_name"],
            "district_code": frame["code"],
            "district_name": frame["name"],
        }
    ).sort_values(["province_code", "district_code"], ignore_index=True)


def province_of_district(code: str) -> str:
    """The province code (2 digits) of a district."""
    return _map().province_of_parent(code)


def district_name(code: str) -> str:
    """`Huyện Cam Lộ` for 468."""
    return _map().parent_name(code)


def province_name(code: str) -> str:
    """`Tỉnh Quảng Trị` for 45."""
    return _map().province_name(code)


def district_codes_of(code: str) -> list[str]:
    """The province's districts, in code order."""
    return _map().parents_of(code)


def district(code: str) -> pd.DataFrame:
    """The communes of a district, in code order."""
    codes = [u.code for u in _map().communes_of(code)]
    frame = units()
    return frame.loc[frame["commune_code"].isin(codes)].sort_values("commune_code").reset_index(drop=True)


def _legacy(unit) -> Commune:
    return Commune(unit.code, unit.name, unit.parent_code, unit.area_type)


def communes_of(district_code: str) -> list[Commune]:
    return [_legacy(u) for u in _map().communes_of(district_code)]


def commune(code: str) -> Commune:
    return _legacy(_map().commune(code))


@cache
def area_by_commune() -> dict[str, str]:
    return _map().area_by_commune().to_dict()
