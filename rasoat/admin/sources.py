"""Reading the official unit tables in `data/admin/` into normalised frames.

Both files are kept exactly as published (see `data/admin/README.md`); everything done to them is
here or in `data/admin/patches.yaml`, so a reader can check each change. Reading both takes a few
hundredths of a second, so they are read lazily and cached rather than stored in a derived form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from rasoat.admin.names import canonical_name, clean, clean_note, split_type
from rasoat.config import data_dir

PRE_REFORM_FILE = "xa-truoc-2025-07.csv"
CONVERSION_FILE = "chuyen-doi-dvhc-2025.csv"
PATCHES_FILE = "patches.yaml"

_NAME_AND_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d+)\)$")


class AdminDataError(ValueError):
    """The official tables and the patch table disagree: the data changed and needs a review."""


def admin_dir() -> Path:
    return data_dir() / "admin"


def _each(column: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """`column.map(func)`, calling `func` once per distinct value (names repeat on every row)."""
    distinct = column.unique()
    return column.map(dict(zip(distinct, map(func, distinct), strict=True)))


def _read(name: str, header: int) -> pd.DataFrame:
    return pd.read_csv(admin_dir() / name, header=header, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class Patches:
    """`data/admin/patches.yaml`: corrections of published values and the codes one table lacks."""

    legal_types: dict[str, tuple[str, str]]  # commune code → (published Cấp, corrected Cấp)
    legacy_only: dict[str, tuple[str, ...]]  # pre-reform code absent from the conversion → successors
    conversion_only: frozenset[str]  # old codes of the conversion absent from the pre-reform list
    new_names: dict[str, tuple[frozenset[str], str]]  # new code → (published spellings, corrected)


@cache
def patches() -> Patches:
    raw = yaml.safe_load((admin_dir() / PATCHES_FILE).read_text(encoding="utf-8"))
    return Patches(
        legal_types={
            str(p["code"]): (str(p["published"]), str(p["corrected"])) for p in raw["legal_type_corrections"]
        },
        legacy_only={
            str(p["code"]): tuple(str(s) for s in p.get("successors") or ()) for p in raw["legacy_only"]
        },
        conversion_only=frozenset(str(p["code"]) for p in raw["conversion_only"]),
        new_names={
            str(p["code"]): (frozenset(p["published"]), str(p["corrected"]))
            for p in raw["new_name_corrections"]
        },
    )


@cache
def pre_reform() -> pd.DataFrame:
    """The GSO list before July 2025, one row per district-level unit or commune, normalised.

    Columns: province_code, province_name, district_code, district_name, commune_code (None for the
    island districts without communes), commune_name, unit_type (the legal type `Cấp`)."""
    raw = _read(PRE_REFORM_FILE, header=0)
    frame = pd.DataFrame(
        {
            "province_code": _each(raw["Mã TP"], clean),
            "province_name": _each(raw["Tỉnh Thành Phố"], canonical_name),
            "district_code": _each(raw["Mã QH"], clean),
            "district_name": _each(raw["Quận Huyện"], canonical_name),
            "commune_code": _each(raw["Mã PX"], clean).replace("", None),
            "commune_name": _each(raw["Phường Xã"], canonical_name),
            "unit_type": _each(raw["Cấp"], clean),
        }
    )
    for code, (published, corrected) in patches().legal_types.items():
        at = frame["commune_code"] == code
        if frame.loc[at, "unit_type"].tolist() != [published]:
            raise AdminDataError(f"{PRE_REFORM_FILE}: {code} is no longer published as {published!r}")
        frame.loc[at, "unit_type"] = corrected
    return frame


def _split_name_code(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    parts = _each(column, clean).str.extract(_NAME_AND_CODE)
    return _each(parts["name"].fillna(""), canonical_name), parts["code"]


@cache
def conversion() -> pd.DataFrame:
    """The conversion table, one row per (new unit, old unit) pair, normalised; banner and section
    rows dropped. Columns: province_code, province_name, new_code, new_name, new_type, old_code (None
    for the few new units without an old commune), old_name, note, old_district_code,
    old_district_name, old_province_code."""
    raw = _read(CONVERSION_FILE, header=1)
    raw = raw.loc[raw["Mã Xã mới"].str.strip() != ""]  # section rows: a province name alone
    province_name, province_code = _split_name_code(raw["Tỉnh, thành phố"])
    district_name, district_code = _split_name_code(raw["Quận/huyện"])
    _, old_province = _split_name_code(raw["Tỉnh cũ"])
    new_name = _each(raw["Tên Xã mới"], canonical_name)
    frame = pd.DataFrame(
        {
            "province_code": province_code,
            "province_name": province_name,
            "new_code": _each(raw["Mã Xã mới"], clean),
            "new_name": new_name,
            "new_type": _each(raw["Tên Xã mới"], lambda n: split_type(n)[0]),
            "old_code": _each(raw["Mã Xã cũ"], clean).replace("", None),
            "old_name": _each(raw["Tên Xã cũ"], canonical_name).replace("", None),
            "note": _each(raw["Ghi chú"], clean_note),
            "old_district_code": district_code,
            "old_district_name": district_name,
            "old_province_code": old_province,
        }
    ).reset_index(drop=True)
    for code, (published, corrected) in patches().new_names.items():
        at = frame["new_code"] == code
        if set(frame.loc[at, "new_name"]) != published:
            raise AdminDataError(f"{CONVERSION_FILE}: {code} is no longer published as {sorted(published)}")
        frame.loc[at, "new_name"] = corrected
    if frame["province_code"].isna().any() or frame["new_type"].isna().any():
        raise AdminDataError(f"{CONVERSION_FILE}: a row without a province code or a unit type")
    return frame
