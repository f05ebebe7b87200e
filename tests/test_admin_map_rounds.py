"""A round reads its own year's map: identification of files, default areas, `rasoat classify`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rasoat.cli import app
from rasoat.intake import read_submission
from rasoat.pipeline.identify import Filing, UnidentifiedCommuneError, identify
from rasoat.schema import HOUSEHOLD_COLUMNS, INDICATOR_COLUMNS

runner = CliRunner()


def _household(household_id: str, commune: str, income: int) -> dict[str, object]:
    row: dict[str, object] = {c.name: None for c in HOUSEHOLD_COLUMNS}
    row.update(
        household_id=household_id,
        commune_code=commune,
        village="Thôn 1",
        head_name="Nguyễn Văn An",
        ethnicity="Kinh",
        members=3,
        area=None,  # no area given: the commune's area on the round's map applies
        income_per_capita=income,
        agri_household=0,
        reported_status="poor",
    )
    for i, indicator in enumerate(INDICATOR_COLUMNS):
        row[indicator] = 1 if i < 3 else 0
    return row


def _csv(rows: list[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    names = [c.name for c in HOUSEHOLD_COLUMNS if c.name in rows[0]]
    writer = csv.DictWriter(buf, fieldnames=names)
    writer.writeheader()
    writer.writerows([{k: "" if r[k] is None else r[k] for k in names} for r in rows])
    return buf.getvalue().encode()


def test_identify_on_the_year_map() -> None:
    assert identify("19597.xlsx", year=2024) == Filing("19597", "468")
    assert identify("19600.xlsx", year=2024) == Filing("19600", "468")
    assert identify("19600.xlsx") == Filing("19600", "468")  # no year: the three-level map
    # Xã Cam Lộ keeps the code of Thị trấn Cam Lộ; on the two-tier map it reports to the province.
    assert identify("19597.xlsx", None, "44", year=2026) == Filing("19597", "44")
    assert identify("19597.xlsx", year=2026) == Filing("19597", "44")
    with pytest.raises(UnidentifiedCommuneError) as refused:
        identify("19600.xlsx", year=2026)
    assert str(refused.value) == "mã xã 19600 không còn từ 01/07/2025: nay thuộc Xã Hiếu Giang (19603)"
    with pytest.raises(UnidentifiedCommuneError, match="được chia cho"):
        identify("x.xlsx", "18082", year=2025)
    with pytest.raises(UnidentifiedCommuneError, match="thuộc tỉnh 44, không thuộc tỉnh 42"):
        identify("19597.xlsx", None, "42", year=2026)
    with pytest.raises(UnidentifiedCommuneError, match="không thuộc huyện 615"):
        identify("19597.xlsx", None, "615", year=2024)


def test_default_area_follows_the_year_map() -> None:
    content = _csv([_household("19597-01-00001", "19597", 1_900_000)])
    before = read_submission(content, "19597.csv", year=2024).households
    after = read_submission(content, "19597.csv", year=2026).households
    assert before["area"].tolist() == ["urban"]  # Thị trấn Cam Lộ
    assert after["area"].tolist() == ["rural"]  # Xã Cam Lộ
    assert read_submission(content, "19597.csv").households["area"].tolist() == ["urban"]


@pytest.mark.parametrize(("year", "area", "poor"), [(2024, "urban", True), (2026, "rural", False)])
def test_classify_uses_the_year_map(tmp_path: Path, year: int, area: str, poor: bool) -> None:
    """1.9 million VND a person: poor under the urban ceiling (2 million), above the rural one."""
    source = tmp_path / "19597.csv"
    source.write_bytes(_csv([_household("19597-01-00001", "19597", 1_900_000)]))
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(source), "--year", str(year), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["area"] == area
    assert (row["status"] == "poor") is poor


def test_classify_refuses_a_closed_code(tmp_path: Path) -> None:
    source = tmp_path / "19600.csv"
    source.write_bytes(_csv([_household("19600-01-00001", "19600", 1_000_000)]))
    result = runner.invoke(app, ["classify", str(source), "--year", "2026", "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "mã xã 19600 không còn từ 01/07/2025: nay thuộc Xã Hiếu Giang (19603)" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "o.csv").exists()
