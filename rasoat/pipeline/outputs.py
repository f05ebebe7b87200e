"""Where a round's outputs go: RASOAT_HOME/output/<year>/<province>/<district>/<commune>/, and on the
two-tier map (a province round, no district) RASOAT_HOME/output/<year>/<province>/<commune>/."""

from __future__ import annotations

from pathlib import Path

from rasoat import unit_codes
from rasoat.admin_units import commune as commune_unit
from rasoat.admin_units import province_of_district
from rasoat.config import home


def province_output_dir(year: int, province_code: str) -> Path:
    """The province's decision, tables and round overview page."""
    return home() / "output" / str(year) / unit_codes.province_code(province_code)


def district_output_dir(year: int, district_code: str) -> Path:
    """The district's report and tables, above its communes' folders."""
    code = unit_codes.district_code(district_code)
    return province_output_dir(year, province_of_district(code)) / code


def commune_output_dir(year: int, commune_code: str) -> Path:
    unit = commune_unit(commune_code)
    return district_output_dir(year, unit.district_code) / unit.code


def province_commune_output_dir(year: int, province_code: str, commune_code: str) -> Path:
    """A commune of a province round (two-tier map): straight under its province's folder. The
    codes are the round's map's (province 44 = Quảng Trị since July 2025), not the three-level one's."""
    return province_output_dir(year, province_code) / unit_codes.commune_code(commune_code)


def feedback_dir(year: int, commune_code: str) -> Path:
    """Feedback to the commune sits beside the commune's other outputs, one subfolder."""
    return commune_output_dir(year, commune_code) / "phan-hoi"
