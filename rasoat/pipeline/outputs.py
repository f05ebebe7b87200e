"""Where a round's outputs go: RASOAT_HOME/output/<year>/<province>/<district>/<commune>/."""

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


def feedback_dir(year: int, commune_code: str) -> Path:
    """Feedback to the commune sits beside the commune's other outputs, one subfolder."""
    return commune_output_dir(year, commune_code) / "phan-hoi"
