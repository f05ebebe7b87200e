"""Where a round's outputs go: RASOAT_HOME/output/<year>/<province>/<district>/<commune>/ on the
three-level map, RASOAT_HOME/output/<year>/<province>/<commune>/ on the two-tier map."""

from __future__ import annotations

from pathlib import Path

from rasoat import unit_codes
from rasoat.admin.maps import admin_map
from rasoat.admin.scope import DISTRICT, scope
from rasoat.admin_units import province_of_district
from rasoat.config import home


def province_output_dir(year: int, province_code: str) -> Path:
    """The province's decision, tables and round overview page."""
    return home() / "output" / str(year) / unit_codes.province_code(province_code)


def district_output_dir(year: int, district_code: str) -> Path:
    """The district's report and tables, above its communes' folders."""
    code = unit_codes.district_code(district_code)
    return province_output_dir(year, province_of_district(code)) / code


def scope_output_dir(year: int, scope_code: str) -> Path:
    """The consolidating unit's folder: its district's on the three-level map, the province's on
    the two-tier map."""
    unit = scope(year, scope_code)
    if unit.level == DISTRICT:
        return district_output_dir(year, unit.code)
    return province_output_dir(year, unit.code)


def commune_output_dir(year: int, commune_code: str) -> Path:
    unit = admin_map(year).commune(commune_code)
    return scope_output_dir(year, unit.parent_code) / unit.code


def feedback_dir(year: int, commune_code: str) -> Path:
    """Feedback to the commune sits beside the commune's other outputs, one subfolder."""
    return commune_output_dir(year, commune_code) / "phan-hoi"
