"""Provincial standards: selection by year and province, classification under the applied and the
national standard, both statuses in the database, and a loader that refuses inconsistent files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, insert, inspect, select, text
from typer.testing import CliRunner

from rasoat.applied_standard import round_standard, standard_for_district
from rasoat.classifier import classify_both
from rasoat.cli import app
from rasoat.config import data_dir
from rasoat.db import get_or_create_round, save_classifications, session_scope, store_submission
from rasoat.db.engine import make_engine
from rasoat.db.migrate import downgrade, upgrade
from rasoat.db.models import (
    Classification,
    Commune,
    District,
    Province,
    ReviewRound,
    StandardRecord,
    Submission,
)
from rasoat.documents.bases import review_bases
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.standards import load_standards, national_of, standard_for, standard_for_year

YEAR = 2025
BAC_NINH = "24"  # two-tier map; also the former Bắc Giang on the legacy map
FORMER_BAC_NINH = "27"  # legacy map
BAC_NINH_CITY = "256"  # a legacy district of the former Bắc Ninh
QUANG_TRI = "45"
runner = CliRunner()


def test_bac_ninh_2025_selects_its_own_standard() -> None:
    for code in (BAC_NINH, FORMER_BAC_NINH):
        standard = standard_for(YEAR, code)
        assert standard.id == "BN_2025" and standard.provincial
        assert national_of(standard) == standard_for_year(YEAR)
    assert standard_for_district(YEAR, BAC_NINH_CITY).id == "BN_2025"


def test_other_provinces_and_years_get_the_national_standard() -> None:
    assert standard_for(YEAR, QUANG_TRI) == standard_for_year(YEAR)
    assert standard_for(2024, BAC_NINH).id == "ND07_2022_2026"
    assert standard_for(2027, BAC_NINH).id == "ND351_2027_2030"  # nothing configured: national


def test_the_provincial_standard_states_what_the_resolution_says_and_inherits_the_rest() -> None:
    bac_ninh, national = standard_for(YEAR, BAC_NINH), standard_for_year(YEAR)
    assert bac_ninh.income_ceiling == {"rural": 1_750_000, "urban": 2_250_000}
    assert bac_ninh.min_deprivations == 3
    assert bac_ninh.indicators == national.indicators and bac_ninh.b1_cutoff == national.b1_cutoff
    # History and certificates span the national period the provincial standard sits in.
    assert (bac_ninh.period_first_year, bac_ninh.period_last_year) == (2022, 2026)
    assert standard_for_year(YEAR).scope is None  # the national selector never returns a provincial one


def _frame() -> pd.DataFrame:
    rows = [  # (area, income, deprived indicators, agricultural)
        ("rural", 1_600_000, 3, 0),  # poor in Bắc Ninh, non-poor nationally (not agricultural)
        ("rural", 1_600_000, 1, 1),  # near-poor in Bắc Ninh, MSTB nationally
        ("rural", 1_400_000, 4, 0),  # poor under both
        ("urban", 2_100_000, 0, 0),  # near-poor in Bắc Ninh, non-poor nationally
        ("urban", 2_300_000, 5, 0),  # above both ceilings
        ("rural", 1_750_000, 3, 0),  # at the provincial ceiling: inclusive
        ("rural", 2_000_000, 0, 1),  # MSTB under both
    ]
    frame = pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(len(rows))],
            "area": [r[0] for r in rows],
            "income_per_capita": pd.array([r[1] for r in rows], dtype="Float64"),
            "b1_score": pd.array([None] * len(rows), dtype="Float64"),
            "agri_household": pd.array([r[3] for r in rows], dtype="Int8"),
        }
    )
    for i, column in enumerate(INDICATOR_COLUMNS):
        frame[column] = [int(i < r[2]) for r in rows]
    return frame


EXPECTED = {
    "status": ["poor", "near_poor", "poor", "near_poor", "non_poor", "poor", "mstb"],
    "national_status": ["non_poor", "mstb", "poor", "non_poor", "non_poor", "non_poor", "mstb"],
}


def test_each_household_is_classified_under_both_standards() -> None:
    bac_ninh = standard_for(YEAR, BAC_NINH)
    result = classify_both(_frame(), bac_ninh, national_of(bac_ninh))
    assert result["status"].astype(str).tolist() == EXPECTED["status"]
    assert result["national_status"].astype(str).tolist() == EXPECTED["national_status"]
    national = standard_for_year(YEAR)
    same = classify_both(_frame(), national, national)
    assert (same["status"] == same["national_status"]).all()


def test_both_statuses_are_recorded(engine: Engine) -> None:
    bac_ninh = standard_for_district(YEAR, BAC_NINH_CITY)
    with session_scope(engine) as s:
        review_round = get_or_create_round(s, YEAR, "district", BAC_NINH_CITY, bac_ninh, "tester")
        assert (review_round.standard_id, review_round.standard_version) == (bac_ninh.id, bac_ninh.version)
        submission, _ = store_submission(s, review_round, "09163", "09163.xlsx", b"bytes", "xa")
        frame = _frame().assign(commune_code="09163", members=3)
        result = classify_both(frame, bac_ninh, national_of(bac_ninh))
        classified = frame[["household_id", "commune_code", "members"]].join(result)
        save_classifications(s, submission, classified, bac_ninh, national_of(bac_ninh))
    with session_scope(engine) as s:
        stored_round = s.scalars(select(ReviewRound)).one()
        assert round_standard(stored_round) == bac_ninh
        rows = s.execute(
            select(
                Classification.status,
                Classification.national_status,
                Classification.standard_id,
                Classification.national_standard_id,
            ).order_by(Classification.household_id)
        ).all()
    assert [r.status for r in rows] == EXPECTED["status"]
    assert [r.national_status for r in rows] == EXPECTED["national_status"]
    assert {(r.standard_id, r.national_standard_id) for r in rows} == {("BN_2025", "ND07_2022_2026")}


def test_documents_cite_the_national_decree_and_the_resolution() -> None:
    bases = review_bases(standard_for(YEAR, BAC_NINH))
    assert any("Nghị định số 07/2021/NĐ-CP" in b for b in bases)
    assert any("Hội đồng nhân dân tỉnh Bắc Ninh" in b for b in bases)
    assert not any("Bắc Ninh" in b for b in review_bases(standard_for(YEAR, QUANG_TRI)))


def _copy_national(directory: Path) -> None:
    for path in (data_dir() / "standards").glob("nd*.yaml"):
        (directory / path.name).write_bytes(path.read_bytes())


def _provincial(directory: Path, name: str, **changes: object) -> None:
    raw = yaml.safe_load((data_dir() / "standards" / "bac_ninh_2025.yaml").read_bytes()) | changes
    (directory / name).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_loader_refuses_an_unknown_extends(tmp_path: Path) -> None:
    _copy_national(tmp_path)
    _provincial(tmp_path, "p.yaml", extends="ND99_2099")
    with pytest.raises(ValueError, match="unknown national standard"):
        load_standards(tmp_path)


def test_loader_refuses_overlapping_scopes(tmp_path: Path) -> None:
    _copy_national(tmp_path)
    _provincial(tmp_path, "a.yaml")
    _provincial(tmp_path, "b.yaml", id="BN_2025_BIS", scope={"province": "27"})  # same province, legacy code
    with pytest.raises(ValueError, match="overlap for the same province"):
        load_standards(tmp_path)
    _provincial(tmp_path, "b.yaml", id="BN_2025_BIS", period={"first_year": 2026, "last_year": 2026})
    assert [s.id for s in load_standards(tmp_path) if s.scope] == ["BN_2025", "BN_2025_BIS"]


def test_loader_refuses_values_a_provincial_file_cannot_set(tmp_path: Path) -> None:
    _copy_national(tmp_path)
    _provincial(tmp_path, "p.yaml", indicators_provisional=True)
    with pytest.raises(ValueError, match="cannot state indicators_provisional"):
        load_standards(tmp_path)


def test_loader_refuses_a_period_outside_the_extended_standard(tmp_path: Path) -> None:
    _copy_national(tmp_path)
    _provincial(tmp_path, "p.yaml", period={"first_year": 2026, "last_year": 2027})
    with pytest.raises(ValueError, match="period must lie within"):
        load_standards(tmp_path)


def test_migration_gives_existing_rows_their_status_as_national_status(empty_database_url: str) -> None:
    """Rows classified before provincial standards existed were classified under the national one."""
    engine = make_engine(empty_database_url)
    upgrade(engine, "0005")
    national = standard_for_year(YEAR)
    rows = [
        (Province, {"code": "45", "name": "Tỉnh Quảng Trị"}),
        (District, {"code": "468", "name": "Huyện Cam Lộ", "province_code": "45"}),
        (Commune, {"code": "19597", "name": "Thị trấn Cam Lộ", "district_code": "468", "area_type": "urban"}),
        (
            StandardRecord,
            {
                "id": national.id,
                "version": national.version,
                "sha256": national.sha256,
                "name": national.name_vi,
                "first_year": 2022,
                "last_year": 2026,
            },
        ),
        (
            ReviewRound,
            {
                "id": 1,
                "year": YEAR,
                "standard_id": national.id,
                "standard_version": national.version,
                "scope_level": "district",
                "scope_code": "468",
                "created_by": "t",
            },
        ),
        (
            Submission,
            {
                "id": 1,
                "round_id": 1,
                "commune_code": "19597",
                "version": 1,
                "file_name": "f.xlsx",
                "content": b"x",
                "sha256": "0" * 64,
                "size_bytes": 1,
                "received_by": "t",
            },
        ),
        (
            Classification,
            {
                "round_id": 1,
                "submission_id": 1,
                "commune_code": "19597",
                "household_id": "H1",
                "status": "near_poor",
                "deprivation_count": 1,
                "b2_score": 10,
                "criterion": "income_le_ceiling",
                "income_path": "income",
                "standard_id": national.id,
                "standard_version": national.version,
            },
        ),
    ]
    with engine.begin() as conn:
        for model, values in rows:
            conn.execute(insert(model.__table__).values(**values))
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT national_status, national_standard_id, national_standard_version FROM classifications"
            )
        ).one()
    assert tuple(row) == ("near_poor", national.id, national.version)
    downgrade(engine, "0005")
    assert "national_status" not in {c["name"] for c in inspect(engine).get_columns("classifications")}
    engine.dispose()


def test_a_national_edit_changes_the_provincial_hash(tmp_path: Path) -> None:
    """Inherited values are part of the provincial standard: editing them must show in its hash,
    so `record_standard` refuses the edit until the provincial file's version is bumped too."""
    _copy_national(tmp_path)
    _provincial(tmp_path, "p.yaml")
    before = {s.id: s.sha256 for s in load_standards(tmp_path)}
    national = tmp_path / "nd07_2022_2026.yaml"
    national.write_text(
        national.read_text(encoding="utf-8").replace("rural: 140", "rural: 141"), encoding="utf-8"
    )
    after = {s.id: s.sha256 for s in load_standards(tmp_path)}
    assert after["BN_2025"] != before["BN_2025"]


def test_cli_lists_the_provincial_standard_and_classifies_under_it(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["standards"])
    assert listed.exit_code == 0 and "BN_2025" in listed.output and "tỉnh 24" in listed.output
    out = tmp_path / "out.csv"
    sample = data_dir() / "sample" / "468" / "19597.xlsx"
    result = runner.invoke(
        app, ["classify", str(sample), "--year", str(YEAR), "--province", BAC_NINH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Bắc Ninh" in result.output  # the summary names the standard applied
