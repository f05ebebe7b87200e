"""Which unit consolidates a round: a district up to 2024, the province from the two-tier map on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rasoat.admin.scope import (
    DISTRICT,
    PROVINCE,
    Scope,
    ScopeError,
    commune_scope,
    scope,
    scope_from_options,
    scopes_of_province,
)
from rasoat.cli import app
from rasoat.pipeline.inbox import inbox_dir, scopes_with_inbox
from rasoat.pipeline.outputs import commune_output_dir, scope_output_dir

runner = CliRunner()


def test_the_scope_follows_the_year_map() -> None:
    assert scope(2024, "468") == Scope(2024, DISTRICT, "468")
    assert scope(2026, "44") == Scope(2026, PROVINCE, "44")
    assert scope(2026, 44).name == "Tỉnh Quảng Trị"
    assert scope(2024, 468).name == "Huyện Cam Lộ"
    assert scope(2024, "468").province_code == "45"  # old Quảng Trị
    assert {"19597", "19603"} <= set(scope(2026, "44").commune_codes)
    assert "19600" not in scope(2026, "44").commune_codes  # closed in July 2025
    assert commune_scope(2026, "19597") == Scope(2026, PROVINCE, "44")
    assert commune_scope(2024, "19597") == Scope(2024, DISTRICT, "468")
    assert [s.code for s in scopes_of_province(2026, "44")] == ["44"]
    assert "468" in [s.code for s in scopes_of_province(2024, "45")]
    assert scope(2026, "44").run_label == "province-44" and scope(2024, "468").label_vi == "huyện 468"


def test_a_district_of_a_two_tier_year_is_refused_in_one_sentence() -> None:
    with pytest.raises(ScopeError) as refused:
        scope_from_options(2026, "468", None)
    assert str(refused.value) == (
        "năm 2026 không còn cấp huyện (từ 01/07/2025 xã báo cáo thẳng tỉnh): "
        "chạy đợt rà soát theo tỉnh bằng --province"
    )
    assert scope_from_options(2026, None, "44") == Scope(2026, PROVINCE, "44")
    assert scope_from_options(2024, "468", None) == Scope(2024, DISTRICT, "468")
    assert scope_from_options(2024, None, "45") is None  # a legacy province: each district
    with pytest.raises(ScopeError, match="không có tỉnh mã 99"):
        scope(2026, "99")


def test_cli_refuses_a_district_round_in_2026(rasoat_home: Path) -> None:
    result = runner.invoke(app, ["round", "start", "--year", "2026", "--district", "468"])
    assert result.exit_code == 2, result.output
    assert "năm 2026 không còn cấp huyện" in result.output.replace("\n", " ")
    assert "Lỗi không mong đợi" not in result.output


def test_inbox_and_outputs_of_a_two_tier_round(rasoat_home: Path) -> None:
    assert inbox_dir(2026, "44") == rasoat_home / "inbox" / "2026" / "44"
    assert inbox_dir(2024, "468") == rasoat_home / "inbox" / "2024" / "468"
    assert scopes_with_inbox(2026, "44") == []
    inbox_dir(2026, "44").mkdir(parents=True)
    (inbox_dir(2026, "44") / "19597.xlsx").write_bytes(b"x")
    assert scopes_with_inbox(2026, "44") == ["44"]
    assert scope_output_dir(2026, "44") == rasoat_home / "output" / "2026" / "44"
    assert commune_output_dir(2026, "19597") == rasoat_home / "output" / "2026" / "44" / "19597"
    assert commune_output_dir(2024, "19597") == rasoat_home / "output" / "2024" / "45" / "468" / "19597"


def test_units_formed_across_former_districts_are_flagged() -> None:
    from tasks.consolidation import cross_district_units

    units = scope(2026, "01").map
    across = [c.code for c in units.communes_of("01") if len(units.former_districts(c.code)) > 1]
    assert across  # Hà Nội has wards made from communes of several old districts
    flagged = cross_district_units(2026, "01", [across[0], "19597"])
    assert list(flagged) == [across[0]] and len(flagged[across[0]]) > 1
    assert cross_district_units(2026, "44", ["19597", "19603"]) == {}  # both from Cam Lộ alone
    assert cross_district_units(2024, "468", ["19597"]) == {}
