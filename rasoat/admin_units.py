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


def province_of_district(district_code: str) -> str:
    """The province code (2 digits) of a district."""
    frame = districts()
    rows = frame.loc[frame["district_code"] == f"{int(district_code):03d}", "province_code"]
    if rows.empty:
        raise UnknownUnitError(f"không có huyện mã {district_code} trong danh mục đơn vị hành chính")
    return str(rows.iloc[0])


def district(code: str) -> pd.DataFrame:
    """The communes of a district, in code order."""
    code = f"{int(code):03d}"
    rows = units().loc[units()["district_code"] == code]
    if rows.empty:
        raise UnknownUnitError(f"không có huyện mã {code} trong danh mục đơn vị hành chính")
    return rows.sort_values("commune_code").reset_index(drop=True)


def communes_of(district_code: str) -> list[Commune]:
    rows = district(district_code)
    return [Commune(r.commune_code, r.commune_name, r.district_code, r.area_type) for r in rows.itertuples()]


def commune(code: str) -> Commune:
    code = f"{int(code):05d}"
    rows = units().loc[units()["commune_code"] == code]
    if rows.empty:
        raise UnknownUnitError(f"không có xã mã {code} trong danh mục đơn vị hành chính")
    r = rows.iloc[0]
    return Commune(r.commune_code, r.commune_name, r.district_code, r.area_type)


@cache
def area_by_commune() -> dict[str, str]:
    frame = units()
    return dict(zip(frame["commune_code"], frame["area_type"], strict=True))
