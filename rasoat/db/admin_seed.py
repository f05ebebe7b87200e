"""Loading the administrative units (vietnam-provinces 0.6.0) into the database, idempotently."""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, select

from rasoat.admin_units import districts, units
from rasoat.db.models import Commune, District, Province


def seed_admin_units(engine: Engine) -> int:
    """Insert the units not yet present; returns how many communes were added."""
    communes, parents = units(), districts()
    with engine.begin() as conn:
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
