"""Administrative units from `vietnam-provinces` 0.6.0 (the pre-July-2025 three-level list).

Codes follow the legacy scheme (province 2 digits, district 3, commune 5) and are kept as
zero-padded text. The package reads every commune's `division_type` as "xã", so the area type is
taken from the unit's name: wards ("Phường …") and towns ("Thị trấn …") are urban, communes
("Xã …") rural (domain brief §8; stack notes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import pandas as pd
import vietnam_provinces

from rasoat import unit_codes

URBAN_PREFIXES = ("Phường ", "Thị trấn ")


class UnknownUnitError(LookupError):
    pass


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    district_code: str
    area_type: str  # "rural" or "urban"


def area_type_of(name: str) -> str:
    return "urban" if name.startswith(URBAN_PREFIXES) else "rural"


@cache
def _flat() -> pd.DataFrame:
    with open(vietnam_provinces.FLAT_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        raw = pd.DataFrame(json.load(fh))
    return pd.DataFrame(
        {
            "province_code": raw["province_code"].astype(int).map("{:02d}".format),
            "province_name": raw["province_name"],
            "district_code": raw["district_code"].astype(int).map("{:03d}".format),
            "district_name": raw["district_name"],
            "commune_code": raw["ward_code"].map(lambda c: None if pd.isna(c) else f"{int(c):05d}"),
            "commune_name": raw["ward_name"],
        }
    )


@cache
def units() -> pd.DataFrame:
    """One row per commune: province, district and commune codes and names, and area type."""
    frame = _flat().dropna(subset=["commune_code"]).copy()
    frame["area_type"] = frame["commune_name"].map(area_type_of)
    return frame.drop_duplicates("commune_code").reset_index(drop=True)


@cache
def districts() -> pd.DataFrame:
    """Every district with its province, including the few island districts that have no communes."""
    columns = ["province_code", "province_name", "district_code", "district_name"]
    return _flat()[columns].drop_duplicates("district_code").reset_index(drop=True)


def _district_row(code: str) -> pd.Series:
    frame = districts()
    rows = frame.loc[frame["district_code"] == unit_codes.district_code(code)]
    if rows.empty:
        raise UnknownUnitError(f"không có huyện mã {code} trong danh mục đơn vị hành chính")
    return rows.iloc[0]


def province_of_district(code: str) -> str:
    """The province code (2 digits) of a district."""
    return str(_district_row(code)["province_code"])


def district_name(code: str) -> str:
    """`Huyện Cam Lộ` for 468."""
    return str(_district_row(code)["district_name"])


def province_name(code: str) -> str:
    """`Tỉnh Quảng Trị` for 45."""
    frame = districts()
    rows = frame.loc[frame["province_code"] == unit_codes.province_code(code), "province_name"]
    if rows.empty:
        raise UnknownUnitError(f"không có tỉnh mã {code} trong danh mục đơn vị hành chính")
    return str(rows.iloc[0])


def district_codes_of(code: str) -> list[str]:
    """The province's districts, in code order."""
    frame = districts()
    return sorted(frame.loc[frame["province_code"] == unit_codes.province_code(code), "district_code"])


def district(code: str) -> pd.DataFrame:
    """The communes of a district, in code order."""
    code = unit_codes.district_code(code)
    rows = units().loc[units()["district_code"] == code]
    if rows.empty:
        raise UnknownUnitError(f"không có huyện mã {code} trong danh mục đơn vị hành chính")
    return rows.sort_values("commune_code").reset_index(drop=True)


def communes_of(district_code: str) -> list[Commune]:
    rows = district(district_code)
    return [Commune(r.commune_code, r.commune_name, r.district_code, r.area_type) for r in rows.itertuples()]


def commune(code: str) -> Commune:
    code = unit_codes.commune_code(code)
    rows = units().loc[units()["commune_code"] == code]
    if rows.empty:
        raise UnknownUnitError(f"không có xã mã {code} trong danh mục đơn vị hành chính")
    r = rows.iloc[0]
    return Commune(r.commune_code, r.commune_name, r.district_code, r.area_type)


@cache
def area_by_commune() -> dict[str, str]:
    frame = units()
    return dict(zip(frame["commune_code"], frame["area_type"], strict=True))
