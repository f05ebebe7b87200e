"""Consolidated tables as stored with their consolidation (JSON), and back."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from rasoat.consolidation.inputs import Unit
from rasoat.consolidation.tables import ConsolidatedTables


def tables_to_json(tables: ConsolidatedTables) -> dict[str, Any]:
    return {
        "unit": {"code": tables.unit.code, "name": tables.unit.name, "level": tables.unit.level},
        "year": tables.year,
        "min_deprivations": tables.min_deprivations,
        "tables": {k: json.loads(v.to_json(orient="split", index=False)) for k, v in tables.tables.items()},
    }


def tables_from_json(raw: dict[str, Any]) -> ConsolidatedTables:
    frames = {k: pd.DataFrame(v["data"], columns=v["columns"]) for k, v in raw["tables"].items()}
    return ConsolidatedTables(Unit(**raw["unit"]), int(raw["year"]), int(raw["min_deprivations"]), frames)
