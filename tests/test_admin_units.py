"""Administrative units from vietnam-provinces 0.6.0 and their area types."""

from __future__ import annotations

import pytest

from rasoat.admin_units import UnknownUnitError, commune, communes_of, units


def test_legacy_three_level_list() -> None:
    frame = units()
    assert frame["province_code"].nunique() == 63
    assert len(frame) == frame["commune_code"].nunique() > 10_000
    assert frame["commune_code"].str.fullmatch(r"\d{5}").all()


@pytest.mark.parametrize(
    ("district", "count", "first", "first_area"),
    [("468", 8, "19597", "urban"), ("615", 11, "23500", "urban"), ("436", 27, "18073", "urban")],
)
def test_seed_districts(district: str, count: int, first: str, first_area: str) -> None:
    communes = communes_of(district)
    assert len(communes) == count
    assert communes[0].code == first and communes[0].area_type == first_area


def test_area_type_from_name() -> None:
    assert commune("19597").name == "Thị trấn Cam Lộ" and commune("19597").area_type == "urban"
    assert commune("19600").area_type == "rural"  # Xã Cam Tuyền
    assert commune("18073").area_type == "urban"  # Phường Nam Hà
    with pytest.raises(UnknownUnitError):
        commune("99999")
    with pytest.raises(UnknownUnitError):
        communes_of("999")
