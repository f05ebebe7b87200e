"""The sample-data generator: deterministic, calibrated per district, consistent, readable, with
realistic injected mistakes that the reader (or later validation) really finds."""

from __future__ import annotations

import hashlib
import io
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rasoat.admin.maps import UnknownUnitError, admin_map
from rasoat.admin_units import communes_of
from rasoat.ages import reference_date
from rasoat.classifier import classify
from rasoat.cli import app
from rasoat.generate import build_district, generate_communes, generate_district, writer
from rasoat.generate import cache as generation_cache
from rasoat.generate.cache import cached_generation
from rasoat.generate.profiles import load_profile
from rasoat.generate.writer import write_workbook
from rasoat.intake import read_submission_path
from rasoat.movements import Movement, compute_movements, previous_round
from rasoat.schema import HEAD_RELATION, HOUSEHOLD_COLUMNS, INDICATOR_COLUMNS, MEMBER_COLUMNS
from rasoat.standards import standard_for_year

YEAR = 2026
STANDARD = standard_for_year(YEAR)
RATE_TOLERANCE = 0.003  # ±0.3 percentage points

# District code → (households, poor rate, near-poor rate or None) from the issue.
TARGETS: dict[str, tuple[int, float, float | None]] = {
    "468": (15_000, 0.026, 0.030),  # Cam Lộ, Quảng Trị
    "615": (18_100, 0.149, None),  # Đắk Hà, Kon Tum
    "436": (30_900, 0.012, 0.018),  # Thành phố Hà Tĩnh
}


@cache
def full_district(code: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A whole district at its profile size (frames only; shared by the tests of this module)."""
    hh, members, history, injected = build_district(code, YEAR, seed=0)
    assert injected == []
    return hh, members, history


def classified_status(hh: pd.DataFrame) -> pd.Series:
    return classify(hh, STANDARD)["status"].astype(object)


def manifest_of(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def read_district(out: Path, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every commune workbook of `out` read back (all must read without problems)."""
    households, members = [], []
    for commune in communes_of(code):
        parsed = read_submission_path(out / f"{commune.code}.xlsx")
        assert parsed.problems == [], [str(p) for p in parsed.problems[:5]]
        assert parsed.extra_columns == []
        households.append(parsed.households)
        members.append(parsed.members)
    return pd.concat(households, ignore_index=True), pd.concat(members, ignore_index=True)


# 1. Determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        out = tmp_path / name
        result = generate_district("468", YEAR, out, seed=seed, households=400, error_rate=0.02)
        runs[name] = manifest_of(out)
        expected = {f"{c.code}.xlsx" for c in communes_of("468")} | {"history.csv"}
        assert set(runs[name]["files"]) == expected
        assert {p.name for p in out.iterdir()} == expected | {"manifest.json"}
        assert [p.name for p in result.files] == sorted(expected - {"history.csv"})
        for file, digest in runs[name]["files"].items():  # the manifest's hashes are the files'
            assert hashlib.sha256((out / file).read_bytes()).hexdigest() == digest

    a, b, c = runs["a"], runs["b"], runs["c"]
    assert a["files"] == b["files"]
    assert a == b  # counts and injected errors too
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()

    assert c["households"] == a["households"] == 400
    workbooks = [f for f in a["files"] if f.endswith(".xlsx")]
    assert all(a["files"][f] != c["files"][f] for f in workbooks)
    assert a["files"]["history.csv"] != c["files"]["history.csv"]
    assert a["injected_errors"] != c["injected_errors"]


# 2. Calibration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_district_calibration_as_classified(code: str) -> None:
    households, poor_target, near_target = TARGETS[code]
    hh, _, _ = full_district(code)

    assert len(hh) == households == load_profile(code)["households"]
    assert hh["household_id"].is_unique
    assert set(hh["commune_code"]) == {c.code for c in communes_of(code)}
    assert (hh["household_id"].str.slice(0, 5) == hh["commune_code"]).all()

    # The real classifier, not only the generator's label, decides the rates.
    status = classified_status(hh)
    assert (status.to_numpy() == hh["status"].to_numpy()).all()
    rates = status.value_counts(normalize=True)
    assert rates["poor"] == pytest.approx(poor_target, abs=RATE_TOLERANCE)
    if near_target is not None:
        assert rates["near_poor"] == pytest.approx(near_target, abs=RATE_TOLERANCE)
    assert rates["non_poor"] > 0.5

    minority_of_poor = (hh.loc[status == "poor", "ethnicity"] != "Kinh").mean()
    if code == "615":  # Đắk Hà: ≈ 94.5 % of poor households are ethnic minority
        assert minority_of_poor > 0.9
        assert (hh.loc[status == "non_poor", "ethnicity"] != "Kinh").mean() < minority_of_poor
    else:  # Cam Lộ and Hà Tĩnh: few ethnic minority households
        assert minority_of_poor < 0.1


# 3. Members consistent with their households -------------------------------------------------------


@pytest.mark.parametrize("code", ["615", "436"])
def test_members_are_consistent_and_plausible(code: str) -> None:
    hh, m, _ = full_district(code)
    row = m["row"].to_numpy()

    # One member row per person the household declares, in household order; one head, first.
    per_household = m.groupby("household_id").size().reindex(hh["household_id"]).to_numpy()
    assert (per_household == hh["members"].to_numpy()).all()
    assert (hh["household_id"].to_numpy()[row] == m["household_id"].to_numpy()).all()
    heads = m["relation"] == HEAD_RELATION
    assert (heads.groupby(m["household_id"]).sum() == 1).all()
    assert (heads == (m["position"] == 0)).all()
    head = m.loc[heads].set_index("row").reindex(range(len(hh)))
    assert (head["full_name"].to_numpy() == hh["head_name"].to_numpy()).all()
    assert (head["id_number"].fillna("").to_numpy() == hh["head_id_number"].fillna("").to_numpy()).all()

    # CCCD: 12 digits, unique, from age 14, encoding century/sex and year of birth.
    cards = m.loc[m["id_number"].notna()]
    assert cards["id_number"].str.fullmatch(r"\d{12}").all()
    assert cards["id_number"].is_unique
    assert m.loc[m["age"] < 14, "id_number"].isna().all()
    assert m.loc[m["age"] >= 14, "id_number"].notna().mean() > 0.9
    born = cards["birth_date"].dt.year
    assert (cards["id_number"].str.slice(4, 6).astype(int) == born % 100).all()
    century_sex = np.where(born >= 2000, 2, 0) + np.where(cards["sex"] == "Nam", 0, 1)
    assert (cards["id_number"].str.slice(3, 4).astype(int) == century_sex).all()
    home = cards["id_number"].str.slice(0, 3) == load_profile(code)["birth_province_code"]
    assert home.mean() > 0.8

    # Ages: within 0..100, the head an adult, spouses of marriageable age, generations in order.
    assert m["age"].between(0, 100).all()
    head_age = head["age"].to_numpy()[row]
    assert (head_age >= 18).all()
    relation = m["relation"]
    assert set(relation) <= {HEAD_RELATION, "Vợ", "Chồng", "Con", "Cháu", "Bố", "Mẹ"}
    assert (m.loc[relation.isin(["Vợ", "Chồng"]), "age"] >= 18).all()
    assert (m["age"] < head_age)[relation.isin(["Con", "Cháu"])].all()
    assert (m["age"] > head_age)[relation.isin(["Bố", "Mẹ"])].all()
    assert set(m["sex"]) == {"Nam", "Nữ"}
    assert (m.loc[relation.isin(["Chồng", "Bố"]), "sex"] == "Nam").all()
    assert (m.loc[relation.isin(["Vợ", "Mẹ"]), "sex"] == "Nữ").all()

    # Birth dates give the stated age on the reference date; only the elderly have a bare year.
    ref = pd.Timestamp(reference_date(YEAR))
    birth = m["birth_date"]
    month, day = birth.dt.month, birth.dt.day
    before_birthday = (month > ref.month) | ((month == ref.month) & (day > ref.day))
    age_on_ref = ref.year - birth.dt.year - before_birthday.astype(int)
    assert (birth <= ref).all()
    assert ((age_on_ref - m["age"]).abs() <= 1).all()
    assert m.loc[~m["year_only"], "birth_text"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    year_only = m.loc[m["year_only"]]
    assert (year_only["birth_text"] == year_only["birth_date"].dt.year.astype(str)).all()
    assert (m.loc[m["year_only"], "age"] >= 70).all()

    # Household flags agree with the people in the household.
    def per_household_any(mask: pd.Series) -> np.ndarray:
        return np.bincount(row, weights=mask.to_numpy(dtype=float), minlength=len(hh)) > 0

    child = per_household_any(m["age"] < 16)
    elderly = per_household_any(m["age"] >= 60)
    uninsured = per_household_any(m["has_health_insurance"] == 0)
    out_of_school = per_household_any(m["age"].between(3, 15) & (m["in_school"] == 0))
    assert not (hh["d03"].eq(1).to_numpy() & ~child).any()  # nutrition needs a child
    assert not (hh["d02"].eq(1).to_numpy() & ~(child | elderly)).any()  # dependents
    assert (hh["d04"].eq(1).to_numpy() == uninsured).all()  # health insurance
    assert (hh["d06"].eq(1).to_numpy() == out_of_school).all()  # school attendance
    assert m.loc[~m["age"].between(3, 24), "in_school"].isna().all()
    flags = hh[list(INDICATOR_COLUMNS)].to_numpy()
    assert np.isin(flags, [0, 1]).all()
    assert (hh["b2_score"].to_numpy() == flags.sum(axis=1) * STANDARD.b2_points_per_indicator).all()

    in_group = hh["status"].isin(["poor", "near_poor"]).to_numpy()
    assert hh.loc[in_group, "poverty_cause"].notna().all()
    assert hh.loc[~in_group, "poverty_cause"].isna().all()
    assert hh.loc[in_group, "meeting_agree_pct"].between(50, 100).all()
    assert (hh.loc[hh["status"] == "mstb", "agri_household"] == 1).all()
    assert (hh.loc[hh["status"] == "poor", "members"] >= 1).all()


# History: movements are not trivial ----------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_history_gives_every_kind_of_movement(code: str) -> None:
    hh, _, history = full_district(code)
    profile = load_profile(code)

    assert sorted(history["year"].unique()) == list(range(STANDARD.first_year, YEAR))
    assert not history.duplicated(["household_id", "year"]).any()
    last = history.loc[history["year"] == YEAR - 1]
    for status, target in profile["previous_rates"].items():
        assert (last["status"] == status).sum() / len(hh) == pytest.approx(target, abs=RATE_TOLERANCE)
    gone = ~last["household_id"].isin(hh["household_id"])
    assert gone.any()  # households in last year's roster that left
    assert last.loc[gone, "household_id"].str.slice(0, 5).isin(hh["commune_code"]).all()

    previous = previous_round(history, YEAR, STANDARD.first_year)
    movements = compute_movements(hh[["household_id", "status", "members"]], previous)
    for group in ("poor", "near_poor"):
        counts = movements[f"{group}_movement"].value_counts()
        for movement in Movement:
            if movement is not Movement.NONE:
                assert counts[movement.value] > 0, (group, movement)
        start = counts[["stayed", "to_sibling", "escaped", "other_decrease"]].sum()
        assert start == (last["status"] == group).sum()


# 4. Written workbooks read back as generated --------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_workbooks_read_back_and_classify_as_generated(tmp_path: Path, code: str) -> None:
    result = generate_district(code, YEAR, tmp_path, seed=3, households=1500)
    hh, members, history, _ = build_district(code, YEAR, seed=3, households=1500)
    read_hh, read_members = read_district(tmp_path, code)
    manifest = manifest_of(tmp_path)

    assert len(read_hh) == result.households == manifest["households"] == len(hh) == 1500
    assert len(read_members) == result.members == manifest["members"] == len(members)
    for commune, counts in manifest["communes"].items():
        assert (read_hh["commune_code"] == commune).sum() == counts["households"]

    read_hh = read_hh.set_index("household_id").loc[hh["household_id"]]
    status = classified_status(read_hh.reset_index())
    assert (status.to_numpy() == hh["status"].to_numpy()).all()
    assert (read_hh["reported_status"].to_numpy() == hh["status"].to_numpy()).all()
    for column in ("commune_code", "village", "area", "ethnicity", "members", *INDICATOR_COLUMNS):
        assert (read_hh[column].astype(object).to_numpy() == hh[column].astype(object).to_numpy()).all()
    for column in ("income_per_capita", "b1_score"):
        assert np.array_equal(
            read_hh[column].to_numpy(dtype=float, na_value=np.nan),
            hh[column].to_numpy(dtype=float),
            equal_nan=True,
        )

    # Members: the same people in the same order, CCCD kept as 12-digit text (leading zeros too),
    # birth dates and years as written.
    for column in ("household_id", "full_name", "relation", "sex", "id_number"):
        assert read_members[column].fillna("").tolist() == members[column].fillna("").tolist(), column
    for column in ("has_health_insurance", "in_school"):
        assert np.array_equal(
            read_members[column].to_numpy(dtype=float, na_value=np.nan),
            members[column].to_numpy(dtype=float),
            equal_nan=True,
        )
    exact = ~members["year_only"].to_numpy()
    assert (read_members["birth_date"].to_numpy()[exact] == members["birth_date"].to_numpy()[exact]).all()
    assert (read_members["birth_year"].to_numpy() == members["birth_date"].dt.year.to_numpy()).all()

    saved = pd.read_csv(result.history_path, dtype={"household_id": str, "commune_code": str})
    pd.testing.assert_frame_equal(saved, history, check_dtype=False)


def test_year_only_births_read_back_without_a_date(tmp_path: Path) -> None:
    generate_district("468", YEAR, tmp_path, seed=3, households=300)
    _, members, _, _ = build_district("468", YEAR, seed=3, households=300)
    _, read_members = read_district(tmp_path, "468")
    year_only = members["year_only"].to_numpy()
    assert year_only.any()
    assert read_members["birth_date"].isna().to_numpy()[year_only].all()


# 5. Injected errors --------------------------------------------------------------------------------


def test_injected_errors_are_recorded_without_personal_data_and_really_in_the_files(tmp_path: Path) -> None:
    code, n = "615", 2000
    generate_district(code, YEAR, tmp_path, seed=11, households=n, error_rate=0.02)
    manifest = manifest_of(tmp_path)
    records = manifest["injected_errors"]
    assert manifest["error_rate"] == 0.02
    assert len(records) == round(0.02 * n)
    kinds = {r["kind"] for r in records}
    assert len(kinds) >= 10
    assert {"text_in_number", "flag_not_binary"} <= kinds

    columns = {"ho": {c.name for c in HOUSEHOLD_COLUMNS}, "thanh_vien": {c.name for c in MEMBER_COLUMNS}}
    districts_communes = {c.code for c in communes_of(code)}
    for record in records:
        assert set(record) == {"commune_code", "sheet", "household_id", "column", "kind"}
        assert record["column"] in columns[record["sheet"]]
        assert re.fullmatch(r"\d{5}-\d{2}-\d{5}", record["household_id"])
        assert record["commune_code"] == record["household_id"][:5] in districts_communes
    assert len({r["household_id"] for r in records}) == len(records)  # one mistake per household

    # No names or CCCD numbers anywhere in the manifest (the file hashes aside).
    hh, members, _, _ = build_district(code, YEAR, seed=11, households=n)
    text = json.dumps({k: v for k, v in manifest.items() if k != "files"}, ensure_ascii=False)
    assert not re.search(r"(?<!\d)\d{9,12}(?!\d)", text)
    personal = set(members["full_name"]) | set(members["id_number"].dropna()) | set(hh["head_name"])
    assert not [value for value in personal if value in text]

    # Read each affected commune back; typing mistakes surface as problems located by row and column.
    parsed = {c: read_submission_path(tmp_path / f"{c}.xlsx") for c in {r["commune_code"] for r in records}}
    problems = set()
    for commune, p in parsed.items():
        ids = p.households.set_index("source_row")["household_id"]
        for problem in p.problems:
            assert problem.sheet == "ho" and problem.row is not None and problem.column
            assert problem.file == f"{commune}.xlsx"
            problems.add((commune, ids[problem.row], problem.column, problem.code))
    typed = {
        (r["commune_code"], r["household_id"], r["column"], problem_code)
        for r in records
        for kind, problem_code in (("text_in_number", "bad_int"), ("flag_not_binary", "bad_flag"))
        if r["kind"] == kind
    }
    assert problems == typed  # every typing mistake found, nothing else reported by the reader
    for p in parsed.values():
        for problem in p.problems:
            if problem.column == "income_per_capita":  # shown as the commune typed it
                assert re.fullmatch(r"\d+,\d triệu", problem.value)

    # The other mistakes are in the data too (for the validation stage to find).
    households = {c: p.households.set_index("household_id", drop=False) for c, p in parsed.items()}
    members_of = {c: p.members for c, p in parsed.items()}
    original = hh.set_index("household_id")
    for r in records:
        kind, c, hid = r["kind"], r["commune_code"], r["household_id"]
        if kind == "duplicate_household_id":
            assert hid not in households[c].index
            assert households[c]["household_id"].duplicated().any()
            continue
        row = households[c].loc[[hid]].iloc[0]  # first: a later row may have taken the same id
        mine = members_of[c].loc[members_of[c]["household_id"] == hid]
        if kind == "b2_mismatch":
            assert row["b2_score"] != row[list(INDICATOR_COLUMNS)].sum() * STANDARD.b2_points_per_indicator
        elif kind == "negative_income":
            assert row["income_per_capita"] < 0
        elif kind == "missing_village":
            assert pd.isna(row["village"])
        elif kind == "members_count_mismatch":
            assert row["members"] == len(mine) + 1
        elif kind == "two_heads":
            assert (mine["relation"] == HEAD_RELATION).sum() == 2
        elif kind == "no_head":
            assert (mine["relation"] == HEAD_RELATION).sum() == 0
        elif kind == "mstb_not_agricultural":
            assert row["reported_status"] == "mstb" and row["agri_household"] == 0
        elif kind == "reported_status_disagrees":
            assert row["reported_status"] != original.loc[hid, "status"]
        elif kind == "commune_outside_district":
            assert row["commune_code"] == "00001"
        elif kind == "cccd_leading_zero_lost":
            assert mine["id_number"].dropna().str.len().min() < 12
        elif kind == "meeting_below_half":
            assert row["meeting_agree_pct"] < 50
        elif kind == "duplicate_cccd":  # one member now carries another household's number
            others = members.loc[members["household_id"] != hid, "id_number"].dropna()
            assert mine["id_number"].dropna().isin(others).any()


# 6. Command line ----------------------------------------------------------------------------------


def test_cli_generate_writes_the_district(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "home"))
    out = tmp_path / "out"
    args = ["generate", "--district", "468", "--year", str(YEAR), "--households", "300", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--seed", "5", "--errors", "0.05"])
    assert result.exit_code == 0, result.output
    names = {f"{c.code}.xlsx" for c in communes_of("468")}
    assert {p.name for p in out.iterdir()} == names | {"history.csv", "manifest.json"}
    manifest = manifest_of(out)
    assert (manifest["households"], manifest["seed"], manifest["error_rate"]) == (300, 5, 0.05)
    assert len(manifest["injected_errors"]) == 15
    assert "300 hộ" in result.output


@pytest.mark.parametrize(
    ("district", "says"),
    [("999", "999"), ("001", "chưa có hồ sơ hiệu chỉnh cho huyện 001; có sẵn: 436, 468, 615")],
)  # no such district; a real district (Ba Đình) without a calibration profile
def test_cli_unknown_district_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, district: str, says: str
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("RASOAT_HOME", str(home))
    out = tmp_path / "out"
    args = ["generate", "--district", district, "--year", str(YEAR), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    output = " ".join(result.output.split())  # Rich wraps long lines
    assert result.exit_code == 2, output  # bad input, not an internal error
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in output and "Error" not in output
    assert "Lỗi:" in output and says in output
    assert not (home / "logs" / "cli-errors.log").exists()
    assert not out.exists() or not any(out.iterdir())


def test_cli_unknown_district_message_is_vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "home"))
    args = ["generate", "--district", "999", "--year", str(YEAR), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "huyện" in output and "no district" not in output


# 7. Units of the two-tier map (the July 2025 reform) -----------------------------------------------

CAM_LO_NEW = ["19597", "19603"]  # Xã Cam Lộ, Xã Hiếu Giang (Quảng Trị 44)
CAM_LO_OLD = ["19597", "19600", "19603", "19606", "19612", "19615", "19618", "19621"]  # district 468
HA_TINH_NEW = ["18073", "18652"]  # Phường Thành Sen, Phường Hà Huy Tập (Hà Tĩnh 42)
DAI_NAI = "18082"  # Phường Đại Nài: divided between the two


@pytest.fixture(scope="module")
def cam_lo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cam_lo")
    generate_communes("44", YEAR, CAM_LO_NEW, out, seed=5, households=400)
    return out


@pytest.fixture(scope="module")
def ha_tinh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ha_tinh")
    generate_communes("42", YEAR, HA_TINH_NEW, out, seed=5, households=400)
    return out


def history_of(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "history.csv", dtype=str, keep_default_na=False)


def test_cam_lo_old_codes_are_the_conversion_tables() -> None:
    two_tier = admin_map(YEAR)
    assert sorted(c.code for new in CAM_LO_NEW for c in two_tier.constituents(new)) == CAM_LO_OLD
    assert {c.code for c in communes_of("468")} == set(CAM_LO_OLD)


def test_two_tier_files_and_history_codes_per_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "home"))
    out = tmp_path / "out"
    args = ["generate", "--province", "44", "--year", str(YEAR), "--communes", ",".join(CAM_LO_NEW)]
    result = CliRunner().invoke(app, [*args, "--households", "300", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"19597.xlsx", "19603.xlsx", "history.csv", "manifest.json"}
    manifest = manifest_of(out)
    assert (manifest["province_code"], manifest["households"], list(manifest["communes"])) == (
        "44",
        300,
        CAM_LO_NEW,
    )

    history = history_of(out)
    assert list(history.columns) == [
        "household_id", "commune_code", "year", "status", "members", "new_commune_code", "village"
    ]  # fmt: skip
    codes = history.groupby("year")["commune_code"].agg(lambda s: sorted(set(s)))
    assert list(codes.index) == ["2022", "2023", "2024", "2025"]
    for year in ("2022", "2023", "2024"):
        assert codes[year] == CAM_LO_OLD
    assert codes["2025"] == CAM_LO_NEW
    assert (history[["new_commune_code", "village"]] == "").all().all()  # nothing divided in Cam Lộ


def test_wards_formed_on_1_january_2025_have_no_lists_under_their_code_before(tmp_path: Path) -> None:
    """Phường 26929 of Hồ Chí Minh City is made partly of a ward formed on 1 January 2025, under a
    code the old map (before July 2025) does not have: no 2022–2024 list names it."""
    old_map = admin_map(2024)
    constituents = {c.code for c in admin_map(YEAR).constituents("26929")}
    assert any(not old_map.has(c) for c in constituents)
    generate_communes("79", YEAR, ["26929"], tmp_path, seed=5, households=300)
    history = history_of(tmp_path)
    before = history.loc[history["year"] != "2025", "commune_code"]
    assert before.isin(old_map.units.index).all()
    assert (history["year"] == "2025").sum() > 0  # its households are listed from the two-tier years


def test_households_keep_their_old_ids_and_live_on_the_new_map(cam_lo: Path) -> None:
    two_tier, old_map = admin_map(YEAR), admin_map(2024)
    history = history_of(cam_lo)
    listed = {}
    for new in CAM_LO_NEW:
        parsed = read_submission_path(cam_lo / f"{new}.xlsx")
        assert parsed.problems == [], [str(p) for p in parsed.problems[:5]]
        hh = parsed.households
        prefixes = set(hh["household_id"].str.slice(0, 5))
        assert prefixes == {c.code for c in two_tier.constituents(new)}  # every old commune, no other
        assert set(hh["commune_code"]) == {new}  # the file is the new commune's
        assert set(hh["area"]) == {two_tier.area_type(new)} == {"rural"}
        listed.update(dict.fromkeys(hh["household_id"], new))
    # Thị trấn Cam Lộ was urban; its households are rural now (Xã Cam Lộ).
    assert old_map.area_type("19597") == "urban"
    town = [h for h in listed if h.startswith("19597-")]
    assert town and all(listed[h] == "19597" for h in town)

    before = history[history["year"] == "2024"]
    assert (before["commune_code"] == before["household_id"].str.slice(0, 5)).all()  # the same ids
    last = history[(history["year"] == "2025") & history["household_id"].isin(listed)]
    assert len(last) > 0.9 * len(listed)
    assert (last["commune_code"] == last["household_id"].map(listed)).all()


def test_divided_commune_is_split_by_village_in_history_and_assignments(ha_tinh: Path) -> None:
    history = history_of(ha_tinh)
    assignments = pd.read_csv(ha_tinh / "assignments.csv", dtype=str)
    assert list(assignments.columns) == ["commune_code", "village", "new_commune_code"]
    assert set(assignments["commune_code"]) == {DAI_NAI}
    assert set(assignments["new_commune_code"]) == set(HA_TINH_NEW)  # villages go to both
    assert not assignments.duplicated(["commune_code", "village"]).any()

    old = history[history["year"] != "2025"]
    divided = old[old["commune_code"] == DAI_NAI]
    assert len(divided) and (divided["village"] != "").all()
    assert set(divided["new_commune_code"]) == set(HA_TINH_NEW)
    assert (old.loc[old["commune_code"] != DAI_NAI, ["new_commune_code", "village"]] == "").all().all()
    # Both forms place every divided household alike: by its village.
    placed = divided.merge(assignments, on=["commune_code", "village"], suffixes=("", "_by_village"))
    assert len(placed) == len(divided)
    assert (placed["new_commune_code"] == placed["new_commune_code_by_village"]).all()

    lives = divided.drop_duplicates("household_id").set_index("household_id")["new_commune_code"]
    for new in HA_TINH_NEW:
        hh = read_submission_path(ha_tinh / f"{new}.xlsx").households
        mine = hh[hh["household_id"].str.startswith(f"{DAI_NAI}-")]
        assert len(mine)
        assert (mine["household_id"].map(lives).dropna() == new).all()
        by_village = mine.merge(assignments[assignments["new_commune_code"] == new], on="village")
        assert len(by_village) == len(mine)  # each in a village assigned to the commune it is listed in
    after = history[(history["year"] == "2025") & history["household_id"].str.startswith(f"{DAI_NAI}-")]
    assert (after["commune_code"] == after["household_id"].map(lives)).all()


@pytest.mark.parametrize(
    ("province", "codes", "says"),
    [
        ("44", "19597,19600", "mã xã 19600 không còn từ 01/07/2025: nay thuộc Xã Hiếu Giang (19603)"),
        ("42", "18082", "được chia cho Phường Thành Sen (18073) và Phường Hà Huy Tập (18652)"),
        ("44", "18073", "mã xã 18073 (Phường Thành Sen) thuộc Tỉnh Hà Tĩnh, không thuộc Tỉnh Quảng Trị (44)"),
    ],
)
def test_cli_refuses_codes_not_on_the_years_map_or_province(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, province: str, codes: str, says: str
) -> None:
    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "home"))
    out = tmp_path / "out"
    args = ["generate", "--province", province, "--year", str(YEAR), "--communes", codes, "--out", str(out)]
    result = CliRunner().invoke(app, args)
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "Lỗi:" in output and says in output and "Traceback" not in output
    assert not out.exists() or not any(out.iterdir())
    with pytest.raises(UnknownUnitError):
        generate_communes(province, YEAR, codes.split(","), out, households=50)


def test_two_tier_same_seed_same_files(tmp_path: Path, cam_lo: Path) -> None:
    again = generate_communes("44", YEAR, list(reversed(CAM_LO_NEW)), tmp_path / "a", seed=5, households=400)
    assert manifest_of(again.out_dir) == manifest_of(cam_lo)  # the order asked in does not matter
    other = generate_communes("44", YEAR, CAM_LO_NEW, tmp_path / "b", seed=6, households=400)
    assert manifest_of(other.out_dir)["files"] != manifest_of(cam_lo)["files"]


def test_legacy_district_keeps_its_format(tmp_path: Path) -> None:
    generate_district("468", YEAR, tmp_path, seed=1, households=100)  # so small none departed
    assert list(history_of(tmp_path).columns) == ["household_id", "commune_code", "year", "status", "members"]
    assert not (tmp_path / "assignments.csv").exists()


# 8. Input cache and the vectorised writer -----------------------------------------------------------


def test_cache_generates_once_atomically_then_returns_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = {"year": YEAR, "province": "44", "communes": CAM_LO_NEW, "households": 120, "seed": 3}
    first = cached_generation(**args, cache_dir=tmp_path)
    assert manifest_of(first)["households"] == 120
    stamp = (first / "manifest.json").stat().st_mtime_ns

    def fail(*a: object, **k: object) -> None:
        raise AssertionError("generated again")

    monkeypatch.setattr(generation_cache, "generate_communes", fail)
    assert cached_generation(**args, cache_dir=tmp_path) == first
    assert (first / "manifest.json").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no staging folder left

    monkeypatch.setenv("RASOAT_HOME", str(tmp_path / "home"))
    with pytest.raises(AssertionError, match="generated again"):  # another seed is another sample
        cached_generation(**{**args, "seed": 4})
    assert not any((tmp_path / "home" / "cache" / "generated").iterdir())  # the failure left nothing


def _sheets(hh: pd.DataFrame, members: pd.DataFrame | None) -> list[tuple[str, list[str], np.ndarray]]:
    sheets = [(writer.HOUSEHOLD_SHEET, writer.HOUSEHOLD_COLUMNS, writer._household_frame(hh))]
    if members is not None:
        sheets.append((writer.MEMBER_SHEET, writer.MEMBER_COLUMNS, writer._member_frame(members)))
    return [
        (n, [c.header_vi for c in cols], writer._frame(f, [c.name for c in cols])) for n, cols, f in sheets
    ]


def test_vectorised_writer_writes_xlsxwriters_file_byte_for_byte() -> None:
    hh, members, _, _ = build_district("436", YEAR, seed=2, households=300, error_rate=0.05)
    for frame, people in ((hh, members), (hh, None), (hh.iloc[:0], members.iloc[:0])):
        fast, slow = io.BytesIO(), io.BytesIO()
        assert writer._fast(fast, _sheets(frame, people))  # nothing here needs xlsxwriter cell by cell
        writer.write_workbook_xlsxwriter(slow, _sheets(frame, people))
        assert fast.getvalue() == slow.getvalue()

    odd = hh.copy()
    odd.loc[odd.index[0], "village"] = "Tổ 1 & 2 <cũ>"  # escaped by xlsxwriter
    odd.loc[odd.index[1], "village"] = "=1+1"  # a formula to xlsxwriter
    assert not writer._fast(io.BytesIO(), _sheets(odd, members))
    fast, slow = io.BytesIO(), io.BytesIO()
    write_workbook(fast, odd, members)  # falls back to xlsxwriter, from the start of the buffer
    writer.write_workbook_xlsxwriter(slow, _sheets(odd, members))
    assert fast.getvalue() == slow.getvalue()
