"""District consolidation on a real database: missing communes, explicit decisions, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from stages import accept

from rasoat.db import session_scope
from rasoat.db.models import AuditEntry, Consolidation
from rasoat.generate import generate_district
from rasoat.pipeline.baseline import BaselineError, import_baseline
from rasoat.pipeline.consolidation_stage import MissingCommunesError, consolidate_round

YEAR = 2024  # a district round (three-level map)
LATE = "19621"


@pytest.fixture(scope="module")
def camlo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("camlo")
    generate_district("468", YEAR, out, seed=2, households=800)
    return out


def _submit(engine: Engine, path: Path) -> int:
    return accept(engine, [path], YEAR)


def test_consolidation_waits_for_communes_unless_told(engine: Engine, camlo: Path) -> None:
    manifest = json.loads((camlo / "manifest.json").read_text(encoding="utf-8"))
    with session_scope(engine) as s:
        imported = import_baseline(s, camlo / "history.csv", "468", "huyen")
    assert imported.years == [2022, 2023]
    for path in sorted(camlo.glob("*.xlsx")):
        if path.stem != LATE:
            round_id = _submit(engine, path)

    with pytest.raises(MissingCommunesError) as missing, session_scope(engine) as s:
        consolidate_round(s, round_id, "huyen")
    assert missing.value.missing == {LATE: "chưa nộp"}
    assert "--without-missing" in str(missing.value)
    with pytest.raises(ValueError, match="lý do"), session_scope(engine) as s:
        consolidate_round(s, round_id, "huyen", without_missing=True)

    with session_scope(engine) as s:
        forced = consolidate_round(
            s, round_id, "huyen", without_missing=True, reason="Xã gửi muộn, họp ngày 20/11"
        )
    assert forced.forced and forced.passed and LATE not in forced.included
    r1 = forced.tables["r1"]
    assert bool(r1.loc[r1["code"] == LATE, "no_data"].iloc[0])
    with session_scope(engine) as s:
        record = s.get(Consolidation, forced.consolidation_id)
        assert record.forced and record.forced_reason.startswith("Xã gửi muộn")
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "round.consolidated")).one()
        assert logged.details["forced"] and logged.details["missing"] == {LATE: "chưa nộp"}

    _submit(engine, camlo / f"{LATE}.xlsx")
    with session_scope(engine) as s:
        full = consolidate_round(s, round_id, "huyen")
    assert full.passed and not full.missing and full.has_baseline
    assert full.data_sha256 != forced.data_sha256
    total = full.tables["r1"].iloc[0]
    expected = pd.DataFrame(manifest["communes"]).T.sum()
    assert total["households"] == manifest["households"] == expected["households"]
    assert total["poor_households"] == expected["poor"]
    assert total["near_poor_households"] == expected["near_poor"]
    history = pd.read_csv(camlo / "history.csv")
    last_year_poor = int(((history["year"] == YEAR - 1) & (history["status"] == "poor")).sum())
    r2 = full.tables["r2"]
    households_total = r2.loc[(r2["tt"] == "") & (r2["unit"] == "households")].iloc[0]
    assert households_total["c1"] == last_year_poor and households_total["c9"] == expected["poor"]
    assert not [c for c in full.checks if c.severity.value == "blocking" and not c.success]


def test_baseline_errors_name_row_and_column(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "history.csv"
    bad.write_text(
        "household_id,commune_code,year,status,members\nA,19597,2025,poor,3\nB,19597,2025,rich,2\n",
        encoding="utf-8",
    )
    with pytest.raises(BaselineError, match=r"history.csv, dòng 3, cột 'status'"), session_scope(engine) as s:
        import_baseline(s, bad, "468", "huyen")
    elsewhere = tmp_path / "other.csv"
    elsewhere.write_text(
        "household_id,commune_code,year,status,members\nA,23500,2025,poor,3\n", encoding="utf-8"
    )
    with pytest.raises(BaselineError, match="commune_code"), session_scope(engine) as s:
        import_baseline(s, elsewhere, "468", "huyen")
