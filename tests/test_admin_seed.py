"""Both administrative maps in the database, keyed by map, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from rasoat.admin import admin_map
from rasoat.db import session_scope
from rasoat.db.admin_seed import seed_admin_units
from rasoat.db.models import MapUnit, UnitConversion


def _counts(engine: Engine) -> dict[tuple[str, str], int]:
    with session_scope(engine) as s:
        rows = s.execute(
            select(MapUnit.map_id, MapUnit.level, func.count()).group_by(MapUnit.map_id, MapUnit.level)
        )
        return {(m, level): n for m, level, n in rows}


def test_both_maps_are_seeded_once(engine: Engine) -> None:
    old, new = admin_map(2024).id, admin_map(2026).id
    expected = {
        (old, "province"): 63,
        (old, "district"): 696,
        (old, "commune"): 10_051,
        (new, "province"): 34,
        (new, "commune"): 3_321,
    }
    assert _counts(engine) == expected
    assert seed_admin_units(engine) == 0  # again: nothing added
    assert _counts(engine) == expected
    with session_scope(engine) as s:
        town = s.get(MapUnit, (old, "commune", "19597"))
        commune = s.get(MapUnit, (new, "commune", "19597"))
        assert (town.name, town.unit_type, town.area_type, town.parent_code) == (
            "Thị trấn Cam Lộ",
            "Thị trấn",
            "urban",
            "468",
        )
        assert (commune.name, commune.unit_type, commune.area_type, commune.parent_code) == (
            "Xã Cam Lộ",
            "Xã",
            "rural",
            "44",
        )
        zones = s.scalars(select(MapUnit).where(MapUnit.map_id == new, MapUnit.unit_type == "Đặc khu")).all()
        assert len(zones) == 13 and all(z.area_provisional for z in zones)
        dai_nai = s.scalars(
            select(UnitConversion.new_code).where(UnitConversion.old_code == "18082", UnitConversion.divided)
        ).all()
        assert sorted(dai_nai) == ["18073", "18652"]
        assert s.scalar(select(func.count(func.distinct(UnitConversion.old_code)))) == 10_033
