"""Where a round's outputs go: RASOAT_HOME/output/<year>/<province>/<district>/<commune>/."""

from __future__ import annotations

from pathlib import Path

from rasoat.admin_units import commune as commune_unit
from rasoat.admin_units import province_of_district
from rasoat.config import home


def commune_output_dir(year: int, commune_code: str) -> Path:
    unit = commune_unit(commune_code)
    return (
        home()
        / "output"
        / str(year)
        / province_of_district(unit.district_code)
        / unit.district_code
        / unit.code
    )


def feedback_dir(year: int, commune_code: str) -> Path:
    """Feedback to the commune sits beside the commune's other outputs, one subfolder."""
    return commune_output_dir(year, commune_code) / "phan-hoi"
