"""Administrative maps chosen by review year, read from the official tables in data/admin/."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import vietnam_provinces
import yaml

from rasoat.admin import ClosedUnitError, NoMapError, UnknownUnitError, admin_map, all_maps, maps, sources
from rasoat.admin.names import canonical_name, clean
from rasoat.config import PROJECT_ROOT

ADMIN = PROJECT_ROOT / "data" / "admin"


@pytest.mark.parametrize(("year", "two_tier"), [(2022, False), (2024, False), (2025, True), (2026, True)])
def test_map_chosen_by_year(year: int, two_tier: bool) -> None:
    assert admin_map(year).is_two_tier is two_tier


def test_the_choice_is_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving the boundary in maps.yaml moves the map: no year is written in code."""
    data = tmp_path / "data"
    shutil.copytree(ADMIN, data / "admin")
    config = yaml.safe_load((data / "admin" / "maps.yaml").read_text(encoding="utf-8"))
    config["maps"][0]["last_year"], config["maps"][1]["first_year"] = 2025, 2026
    config_file = data / "admin" / "maps.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RASOAT_DATA_DIR", str(data))
    for cached in (maps.all_maps, sources.patches, sources.pre_reform, sources.conversion):
        cached.cache_clear()
    try:
        assert not admin_map(2025).is_two_tier and admin_map(2026).is_two_tier
        config["maps"][1]["first_year"] = 2027  # 2026 now has no map
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        maps.all_maps.cache_clear()
        with pytest.raises(NoMapError, match="năm 2026"):
            admin_map(2026)
    finally:
        monkeypatch.undo()
        for cached in (maps.all_maps, sources.patches, sources.pre_reform, sources.conversion):
            cached.cache_clear()


def test_two_tier_counts() -> None:
    new = admin_map(2026)
    assert len(new.provinces()) == 34
    assert len(new.units) == 3321
    assert new.units["unit_type"].value_counts().to_dict() == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}
    assert new.units.index.str.fullmatch(r"\d{5}").all()
    assert len(new.communes_of("44")) == 78  # new Quảng Trị: old Quảng Trị and Quảng Bình
    assert len(new.divided_codes()) == 441
    assert len(new.conversion) == 10_571 and new.conversion["old_code"].nunique() == 10_033
    # Island units made without an old commune: no constituents, no former district.
    anew = [code for code in new.units.index if not new.constituents(code)]
    assert len(anew) == 5 and all(new.former_district(code) is None for code in anew)
    # Every row of the conversion that names an old commune is one unit's constituent and one of
    # that commune's successors (the lookups are indexed once per map, not masked per call).
    named = int(new.conversion["old_code"].notna().sum())
    assert sum(len(new.constituents(code)) for code in new.units.index) == named
    olds = new.conversion["old_code"].dropna().unique()
    assert sum(len(new.successors(code)) for code in olds) == named + sum(
        len(new.unlisted_old.get(code, ())) for code in olds
    )
    assert [s.code for s in new.successors(new.constituents("19597")[0].code)] == ["19597"]


def test_three_level_counts() -> None:
    old = admin_map(2024)
    assert len(old.units) == 10_051 and len(old.parents) == 696 and len(old.provinces()) == 63


def test_area_from_the_legal_type_changes_with_the_map() -> None:
    town = admin_map(2024).commune("19597")
    assert (town.name, town.unit_type, town.area_type, town.parent_code) == (
        "Thị trấn Cam Lộ",
        "Thị trấn",
        "urban",
        "468",
    )
    commune = admin_map(2026).commune("19597")
    assert (commune.name, commune.unit_type, commune.area_type, commune.parent_code) == (
        "Xã Cam Lộ",
        "Xã",
        "rural",
        "44",
    )
    assert admin_map(2026).province_of("19597") == "44"
    assert admin_map(2026).province_name("44") == "Tỉnh Quảng Trị"


def test_special_zone_area_is_configured_and_provisional() -> None:
    zones = admin_map(2026).units.query("unit_type == 'Đặc khu'")
    assert len(zones) == 13 and zones["area_provisional"].all()
    config = yaml.safe_load((ADMIN / "maps.yaml").read_text(encoding="utf-8"))["maps"][1]
    assert set(zones["area_type"]) == {config["area_by_type"]["Đặc khu"]}
    assert not admin_map(2026).commune("19597").area_provisional


def test_closed_code_is_refused_naming_its_successor() -> None:
    with pytest.raises(ClosedUnitError) as refused:
        admin_map(2026).commune("19600")  # Xã Cam Tuyền
    assert str(refused.value) == "mã xã 19600 không còn từ 01/07/2025: nay thuộc Xã Hiếu Giang (19603)"
    assert admin_map(2024).commune("19600").name == "Xã Cam Tuyền"
    with pytest.raises(UnknownUnitError) as unknown:
        admin_map(2026).commune("99999")
    assert not isinstance(unknown.value, ClosedUnitError)


def test_divided_unit() -> None:
    new = admin_map(2026)
    assert [(s.code, s.name, s.note) for s in new.successors("18082")] == [
        ("18073", "Phường Thành Sen", "Nhập một phần"),
        ("18652", "Phường Hà Huy Tập", "Nhập một phần"),
    ]
    assert "18082" in new.divided_codes()
    with pytest.raises(ClosedUnitError, match=r"được chia cho Phường Thành Sen \(18073\) và Phường Hà Huy"):
        new.commune("18082")
    dai_nai = next(c for c in new.constituents("18652") if c.code == "18082")
    assert dai_nai.divided and dai_nai.district_code == "436"


def test_constituents_and_former_district() -> None:
    new = admin_map(2026)
    assert [c.code for c in new.constituents("19597")] == ["19597", "19612", "19618", "19621"]
    assert [c.code for c in new.constituents("19603")] == ["19600", "19603", "19606", "19615"]
    assert {c.district_code for c in new.constituents("19603")} == {"468"}
    assert new.former_district("19597") == "468"
    assert new.successors("19597") == [new.successors("19612")[0]]  # a whole merge: one successor
    assert admin_map(2024).successors("19600") == []  # the three-level map has no conversion


def test_names_are_nfc_and_canonical() -> None:
    for m in all_maps():
        names = pd.concat([m.units["name"], m.parents["name"], m.parents["province_name"]])
        assert (names.map(lambda n: unicodedata.normalize("NFC", n)) == names).all()
        assert not names.str.contains(r"\s\s|^\s|\s$|\n").any()
    conversion = admin_map(2026).conversion
    assert not conversion["new_name"].str.startswith("Xa ").any()
    assert admin_map(2026).commune("24496").name == "Xã Ea Kly"  # published as "Xa Ea Kly"
    assert canonical_name("Thị Trấn  Mường\nChà ") == "Thị trấn Mường Chà"
    assert clean("Nhập một phần\n ") == "Nhập một phần"


def test_patch_table_lists_exactly_the_codes_one_table_lacks() -> None:
    raw_old = pd.read_csv(ADMIN / sources.PRE_REFORM_FILE, dtype=str, keep_default_na=False)
    raw_new = pd.read_csv(ADMIN / sources.CONVERSION_FILE, header=1, dtype=str, keep_default_na=False)
    old = set(raw_old["Mã PX"].str.strip()) - {""}
    converted = set(raw_new["Mã Xã cũ"].str.strip()) - {""}
    patches = sources.patches()
    # 28 codes: the shared README's "29" counted the empty code of the five island districts.
    assert set(patches.legacy_only) == old - converted and len(patches.legacy_only) == 28
    assert patches.conversion_only == converted - old and len(patches.conversion_only) == 10
    assert patches.legal_types == {"27046": ("Xã", "Phường")}
    assert admin_map(2024).commune("27046").area_type == "urban"
    # A code the conversion table lacks is refused without inventing a successor.
    with pytest.raises(ClosedUnitError, match="không ghi đơn vị nào thay nó"):
        admin_map(2026).commune("03988")


def test_three_level_map_equals_vietnam_provinces_0_6_0() -> None:
    """Switching the three-level map to the official file changed no code, parent, name or area
    (names compared after the same normalisation: the package spells two cities "Thành Phố")."""
    with open(vietnam_provinces.FLAT_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        raw = pd.DataFrame(json.load(fh)).dropna(subset=["ward_code"])
    package = pd.DataFrame(
        {
            "name": raw["ward_name"].to_numpy(),
            "parent_code": raw["district_code"].astype(int).map("{:03d}".format).to_numpy(),
            "urban": raw["ward_name"].str.startswith(("Phường ", "Thị trấn ")).to_numpy(),
        },
        index=raw["ward_code"].astype(int).map("{:05d}".format),
    ).sort_index()
    ours = admin_map(2024).units
    assert list(ours.index) == list(package.index)
    assert (ours["name"] == package["name"]).all()
    assert (ours["parent_code"] == package["parent_code"]).all()
    assert ((ours["area_type"] == "urban") == package["urban"]).all()


def test_units_of_the_seed_districts_in_the_conversion() -> None:
    """§8.4 of the domain brief: the new units of Cam Lộ, Đắk Hà and Thành phố Hà Tĩnh."""
    new = admin_map(2026)
    names = {code: new.commune(code).name for code in ("18073", "18100", "18652", "18604", "18619", "18628")}
    assert names == {
        "18073": "Phường Thành Sen",
        "18100": "Phường Trần Phú",
        "18652": "Phường Hà Huy Tập",
        "18604": "Xã Thạch Khê",
        "18619": "Xã Đồng Tiến",
        "18628": "Xã Thạch Lạc",
    }
    assert new.commune("23500").name == "Xã Đăk Hà" and new.commune("23500").province_code == "51"
