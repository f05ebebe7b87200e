"""Loading the administrative maps into the database, idempotently.

Every configured map goes to `map_units` (keyed by map) and each two-tier map's conversion to
`unit_conversions`. The three-level map also fills `provinces`, `districts` and `communes`, the
tables submissions and rounds point to.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select

from rasoat.admin.maps import AdminMap, all_maps
from rasoat.admin_units import districts, units
from rasoat.db.models import Commune, District, MapUnit, Province, UnitConversion


def seed_admin_units(engine: Engine) -> int:
    """Insert the units not yet present; returns how many communes of the three-level tables were
    added (the per-map tables are filled alongside)."""
    with engine.begin() as conn:
        added = _seed_legacy_tables(conn)
        for admin_map in all_maps():
            _seed_map(conn, admin_map)
    return added


def _seed_legacy_tables(conn: Connection) -> int:
    communes, parents = units(), districts()
    have = conn.execute(select(func.count()).select_from(Commune)).scalar_one()
    if have >= len(communes):
        return 0
    tables = (
        (Province, parents, "province_code", {"province_code": "code", "province_name": "name"}),
        (
            District,
            parents,
            "district_code",
            {"district_code": "code", "district_name": "name", "province_code": "province_code"},
        ),
        (
            Commune,
            communes,
            "commune_code",
            {
                "commune_code": "code",
                "commune_name": "name",
                "district_code": "district_code",
                "area_type": "area_type",
            },
        ),
    )
    added = 0
    for model, frame, key, columns in tables:  # parents first: the foreign keys need them
        known = set(conn.execute(select(model.code)).scalars())
        rows = frame.drop_duplicates(key)
        rows = rows.loc[~rows[key].isin(known), list(columns)].rename(columns=columns)
        if len(rows):
            conn.execute(insert(model), rows.to_dict("records"))
        added = len(rows)  # ends as the communes' count
    return added


def map_unit_rows(admin_map: AdminMap) -> pd.DataFrame:
    """The map's provinces, districts (three-level map only) and communes as `map_units` rows."""
    parents = admin_map.parents.reset_index()
    provinces = parents.drop_duplicates("province_code")
    frames = [
        pd.DataFrame(
            {
                "level": "province",
                "code": provinces["province_code"],
                "name": provinces["province_name"],
                "parent_code": None,
            }
        )
    ]
    if not admin_map.is_two_tier:
        frames.append(
            pd.DataFrame(
                {
                    "level": "district",
                    "code": parents["code"],
                    "name": parents["name"],
                    "parent_code": parents["province_code"],
                }
            )
        )
    communes = admin_map.units.reset_index()
    frames.append(
        pd.DataFrame(
            {
                "level": "commune",
                "code": communes["code"],
                "name": communes["name"],
                "unit_type": communes["unit_type"],
                "area_type": communes["area_type"],
                "area_provisional": communes["area_provisional"].astype(bool),
                "parent_code": communes["parent_code"],
            }
        )
    )
    rows = pd.concat(frames, ignore_index=True)
    rows["map_id"] = admin_map.id
    rows["area_provisional"] = rows["area_provisional"].fillna(False).astype(bool)
    return rows.astype(object).where(rows.notna(), None)


def conversion_rows(admin_map: AdminMap) -> pd.DataFrame:
    """The (new unit, old commune) pairs of a two-tier map; none for the three-level map."""
    if admin_map.conversion is None:
        return pd.DataFrame()
    table = admin_map.conversion.dropna(subset=["old_code"]).drop_duplicates(["new_code", "old_code"])
    return pd.DataFrame(
        {
            "map_id": admin_map.id,
            "new_code": table["new_code"],
            "old_code": table["old_code"],
            "old_name": table["old_name"],
            "note": table["note"],
            "old_district_code": table["old_district_code"],
            "divided": table["old_code"].isin(admin_map.divided_codes()),
        }
    ).astype(object)


@cache
def _records(map_id: str) -> tuple[tuple[type, tuple[str, ...], list[dict]], ...]:
    """Each table's rows for one map, computed once per process (every test database is seeded)."""
    admin_map = next(m for m in all_maps() if m.id == map_id)
    return (
        (MapUnit, ("level", "code"), map_unit_rows(admin_map).to_dict("records")),
        (UnitConversion, ("new_code", "old_code"), conversion_rows(admin_map).to_dict("records")),
    )


def _seed_map(conn: Connection, admin_map: AdminMap) -> None:
    for model, key, rows in _records(admin_map.id):
        of_map = model.map_id == admin_map.id
        have = conn.execute(select(func.count()).select_from(model).where(of_map)).scalar_one()
        if have >= len(rows):
            continue  # loaded before: the map's data is versioned with the code
        if have:  # a load cut short: add what is missing
            known = set(conn.execute(select(*(getattr(model, k) for k in key)).where(of_map)))
            rows = [r for r in rows if tuple(r[k] for k in key) not in known]
        conn.execute(insert(model), rows)
