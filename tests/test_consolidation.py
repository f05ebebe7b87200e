"""District and province consolidation: the tables R1–R11 and the checks of their invariants.

1. A generated district (Cam Lộ, 3,000 households) classified and compared with its history: every
   invariant of §6.3 holds, the Great Expectations suite passes, totals agree with a direct count.
2. Hand-made frames pin each column's arithmetic: rates to 2 decimals (half up), blank rates for a
   zero denominator, total row = sum with rates recomputed, a commune with no data, R2/R3 persons,
   children's ages at the reference date.
3. A deliberately broken cell makes the matching check fail (and only the expected ones).
4. The province roll-up of two districts equals the sum of the districts.
(Size: `benchmarks/bench_consolidation.py` times 300,000 households.)
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from rasoat.admin_units import communes_of, districts
from rasoat.config import PROJECT_ROOT
from rasoat.consolidation import (
    HEADERS_VI,
    TABLES,
    ConsolidatedTables,
    ConsolidationInput,
    ConsolidationInputError,
    Unit,
    ages_at_reference,
    as_units,
    check_tables,
    checks_frame,
    consolidate,
    consolidate_province,
    poor_rates,
    rate,
    roster_poor_rates,
    run_checks,
)
from rasoat.consolidation.settings import load_settings
from rasoat.consolidation.tables import to_wide
from rasoat.generate.review import generated_review
from rasoat.movements import movement_table
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.standards import standard_for_year
from rasoat.validation import CheckResult, Severity

YEAR = 2026
STANDARD = standard_for_year(YEAR)


def district_unit(code: str) -> Unit:
    row = districts().set_index("district_code").loc[code]
    return Unit(code, row["district_name"], "district")


def review(code: str, seed: int, households: int) -> dict[str, object]:
    """Generate, classify and compare with last year, as `rasoat demo` does, then consolidate."""
    g = generated_review(code, YEAR, seed=seed, households=households)
    return {
        "hh": g.households,
        "members": g.members,
        "classified": g.classified,
        "previous": g.previous,
        "moves": g.moves,
        "input": g.input,
        "tables": consolidate(g.input),
    }


@pytest.fixture(scope="module")
def cam_lo() -> dict[str, object]:
    return review("468", seed=7, households=3000)


def failed(results: list[CheckResult]) -> dict[str, int]:
    return {r.check.removeprefix("consolidated."): r.failed for r in results if not r.success}


# 1. A generated district --------------------------------------------------------------------------


def test_generated_district_passes_every_check(cam_lo) -> None:
    tables: ConsolidatedTables = cam_lo["tables"]
    previous = roster_poor_rates(cam_lo["previous"], "468")
    results = check_tables(tables, previous)
    suite = json.loads((PROJECT_ROOT / "expectations" / "consolidated.json").read_text(encoding="utf-8"))
    assert len(results) == len(suite["expectations"])
    assert failed(results) == {}
    by_key = {r.check: r for r in results}
    n_rows = 1 + len(communes_of("468"))
    assert by_key["consolidated.r2_identity_persons"].evaluated == n_rows
    assert by_key["consolidated.r1_sum"].evaluated == 1  # only the district row has rows under it
    assert by_key["consolidated.commune_has_data"].evaluated == n_rows - 1
    assert by_key["consolidated.poor_rate_change"].evaluated == n_rows  # every unit had a rate last year
    frame = checks_frame(tables, previous)
    exact = [c for c in frame.columns if c.endswith(("_identity_households", "_identity_persons", "_rates"))]
    assert (frame[exact] == 0).all().all()


def test_generated_totals_agree_with_a_direct_count(cam_lo) -> None:
    hh, classified, tables = cam_lo["hh"], cam_lo["classified"], cam_lo["tables"]
    status = classified["status"].astype("object")
    r1 = tables["r1"].set_index("code")
    top = r1.loc["468"]
    assert top["level"] == "district" and top["tt"] == "" and top["name"] == "Huyện Cam Lộ"
    assert top["households"] == len(hh) == 3000 and top["persons"] == hh["members"].sum()
    for s in ("poor", "near_poor", "mstb"):
        assert top[f"{s}_households"] == (status == s).sum()
        assert top[f"{s}_persons"] == hh.loc[status == s, "members"].sum()
    assert top["poor_households_rate"] == round((status == "poor").sum() / len(hh) * 100, 2)
    per_commune = hh.assign(poor=status == "poor").groupby("commune_code")["poor"].sum()
    assert (r1.loc[per_commune.index, "poor_households"] == per_commune).all()

    # R2/R3 total rows are movement_table over the whole district (departed households included).
    for key, group in (("r2", "poor"), ("r3", "near_poor")):
        whole = movement_table(cam_lo["moves"], group).set_index("unit")
        mine = tables[key].loc[tables[key]["level"] == "district"].set_index("unit")
        for unit in ("households", "persons"):
            assert mine.loc[unit, [f"c{i}" for i in range(1, 10)]].tolist() == (
                whole.loc[unit, [f"c{i}" for i in range(1, 10)]].tolist()
            )
    previous = cam_lo["previous"]
    r2 = tables["r2"].set_index(["code", "unit"])
    assert r2.loc[("468", "households"), "c1"] == (previous["status"] == "poor").sum()
    assert r2.loc[("468", "persons"), "c1"] == previous.loc[previous["status"] == "poor", "members"].sum()
    assert r2.loc[("468", "households"), "c4"] > 0  # the history has departed households

    poor = hh.loc[status == "poor"]
    r4 = tables["r4"].set_index("code").loc["468"]
    assert r4[list(INDICATOR_COLUMNS)].tolist() == poor[list(INDICATOR_COLUMNS)].sum().tolist()
    assert r4["total_deprivations"] == poor[list(INDICATOR_COLUMNS)].to_numpy().sum()


def test_generated_children_counts_agree_with_a_direct_merge(cam_lo) -> None:
    hh, members, classified = cam_lo["hh"], cam_lo["members"], cam_lo["classified"]
    status = hh[["household_id", "d03"]].assign(status=classified["status"].astype("object"))
    m = members.merge(status, on="household_id", suffixes=("_generated", ""))
    m["age"] = ages_at_reference(m, YEAR)
    m = m.loc[m["status"].isin(["poor", "near_poor"]) & (m["age"] < 16)]
    r11 = cam_lo["tables"]["r11"].set_index("code").loc["468"]
    assert r11["children"] == len(m) > 0
    assert r11["poor_children"] == (m["status"] == "poor").sum()
    assert r11["children_no_insurance"] == ((m["age"] >= 6) & (m["has_health_insurance"] == 0)).sum()
    assert r11["children_malnourished"] == (m["d03"] == 1).sum()
    assert r11["children_out_of_school"] == ((m["age"] >= 3) & (m["in_school"] == 0)).sum()


def test_ages_match_the_generator_up_to_its_leap_day_approximation(cam_lo) -> None:
    members = cam_lo["members"]
    ages = ages_at_reference(members, YEAR)
    assert (np.abs(ages - members["age"].to_numpy()) <= 1).all()
    assert (ages == members["age"].to_numpy()).mean() > 0.99


# 2. Hand-made frames ------------------------------------------------------------------------------

A, B, C = "00001", "00002", "00003"  # C has no household this year (one departed household)
UNIT = Unit("001", "Huyện Thử", "district")
COMMUNES = as_units([(A, "Xã A"), (B, "Phường B"), (C, "Xã C")])
REF = pd.Timestamp(YEAR, 9, 1)


def household(hid: str, commune: str, status: str, members: int, **extra) -> dict[str, object]:
    flags = dict.fromkeys(INDICATOR_COLUMNS, 0)
    for code in extra.pop("deprived", ()):
        flags[code] = 1
    row = {
        "household_id": hid,
        "commune_code": commune,
        "members": members,
        "ethnicity": "Kinh",
        "poverty_cause": None,
        "no_labour_capacity": 0,
        "merit_household": 0,
        **flags,
        "status": status,
        "deprivation_count": sum(flags.values()),
        "previous_status": "non_poor",
        "previous_members": members,
        "poor_movement": "none",
        "near_poor_movement": "none",
    }
    row.update(extra)
    return row


def small_households() -> pd.DataFrame:
    rows = [
        # a1: poor both years, grew from 3 to 4 persons; minority; 3 deprivations incl. nutrition.
        household(
            "A1", A, "poor", 4, deprived=("d01", "d02", "d03"), ethnicity="Ê Đê", previous_status="poor",
            previous_members=3, poor_movement="stayed", poverty_cause="Thiếu vốn", no_labour_capacity=1,
        ),
        # a2: near-poor last year, poor now; cause not stated; merit household.
        household(
            "A2", A, "poor", 2, deprived=("d04", "d05", "d06", "d07"), previous_status="near_poor",
            poor_movement="from_sibling", near_poor_movement="to_sibling", merit_household=1,
        ),
        # a3: poor last year, near-poor now.
        household(
            "A3", A, "near_poor", 3, deprived=("d08",), previous_status="poor",
            poor_movement="to_sibling", near_poor_movement="from_sibling", poverty_cause="land",
        ),
        household("A4", A, "non_poor", 2),
        # b1: newly poor among 800 one-person households; a cause outside the list ("other").
        household(
            "B0001", B, "poor", 1, deprived=("d09", "d10", "d11"), poor_movement="new",
            poverty_cause="Thiên tai",
        ),
        *(household(f"B{i:04d}", B, "non_poor", 1) for i in range(2, 801)),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def small_members() -> pd.DataFrame:
    def born(years: int, days_after: int = 0) -> pd.Timestamp:
        return REF - pd.DateOffset(years=years) + pd.Timedelta(days=days_after)

    rows = [
        ("A1", born(40), None, 1, None),
        ("A1", born(10), None, 0, 0),  # no insurance, out of school, malnourished (d03 household)
        ("A1", born(4), None, 0, 1),  # no insurance but under 6: not counted as deprived
        ("A1", born(15), None, 1, 1),  # 15 on the reference day
        ("A2", born(35), None, 1, None),
        ("A2", born(5), None, 1, 0),  # aged 3..15 and not in school
        ("A2", None, 2016, 1, 1),  # birth year only: taken as born on 1 January, aged 10
        ("A3", None, 1980, 1, None),  # birth year only
        ("A3", born(16), None, 1, 0),  # turns 16 on the reference day: not a child
        ("A3", born(16, days_after=1), None, 1, 1),  # 16 tomorrow: still a child
        ("A4", born(8), None, 0, 0),  # non-poor household: not in R11
        ("ZZZ", born(8), None, 0, 0),  # household not in the submissions: ignored
    ]
    frame = pd.DataFrame(
        rows, columns=["household_id", "birth_date", "birth_year", "has_health_insurance", "in_school"]
    )
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    frame["birth_year"] = frame["birth_year"].astype("Int64")
    return frame


def small_input(**changes) -> ConsolidationInput:
    departed = pd.DataFrame(
        {"household_id": ["C1"], "commune_code": [C], "previous_status": ["poor"], "previous_members": [2]}
    )
    values = {
        "unit": UNIT,
        "communes": COMMUNES,
        "year": YEAR,
        "households": small_households(),
        "members": small_members(),
        "departed": departed,
    }
    values.update(changes)
    return ConsolidationInput(**values)


@pytest.fixture(scope="module")
def small() -> ConsolidatedTables:
    return consolidate(small_input())


def rows(table: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    if unit is not None:
        table = table.loc[table["unit"] == unit]
    return table.set_index("code")


def test_rate_rounds_half_up_and_is_blank_without_denominator() -> None:
    out = rate(np.array([1, 1, 2, 1, 0, 5]), np.array([800, 3, 3, 7, 0, 0]))
    assert out[:4].tolist() == [0.13, 33.33, 66.67, 14.29]  # 1/800 = 0.125 → 0.13 (round() gives 0.12)
    assert math.isnan(out[4]) and math.isnan(out[5])


def test_r1_counts_rates_total_and_commune_without_data(small) -> None:
    r1 = rows(small["r1"])
    assert list(small["r1"]["code"]) == ["001", A, B, C] and list(small["r1"]["tt"]) == ["", "1", "2", "3"]
    a, b, c, total = r1.loc[A], r1.loc[B], r1.loc[C], r1.loc["001"]
    assert (a["households"], a["persons"], a["poor_households"], a["near_poor_households"]) == (4, 11, 2, 1)
    assert (a["poor_households_rate"], a["near_poor_households_rate"]) == (50.0, 25.0)
    assert (a["poor_persons"], a["poor_persons_rate"], a["near_poor_persons_rate"]) == (6, 54.55, 27.27)
    assert (b["households"], b["poor_households"], b["poor_households_rate"]) == (800, 1, 0.13)
    assert a["mstb_households"] == 0 and a["mstb_households_rate"] == 0.0
    # A listed commune without data: a row of zeros, blank rates, flagged.
    assert c["no_data"] and not a["no_data"] and not total["no_data"]
    assert (c[[k for k in TABLES["r1"].count_keys]] == 0).all()
    assert c[[col.key for col in TABLES["r1"].rate_columns]].isna().all()
    # The total row sums the communes and recomputes its rates (not 50 + 0.13).
    assert (total["households"], total["persons"], total["poor_households"]) == (804, 811, 3)
    assert total["poor_households_rate"] == 0.37 and total["poor_persons_rate"] == 0.86  # 3/804, 7/811
    assert total["near_poor_households_rate"] == 0.12  # 1/804 = 0.1244
    assert small["r1"]["poor_households_rate"].dtype == "float64"
    assert small["r1"]["households"].dtype == "int64"


def test_r2_r3_households_and_persons(small) -> None:
    def cols(table: pd.DataFrame, code: str, unit: str) -> list[int]:
        return rows(table, unit).loc[code, [f"c{i}" for i in range(1, 10)]].tolist()

    r2, r3 = small["r2"], small["r3"]
    assert list(r2["unit"][:2]) == ["households", "persons"] and len(r2) == 8
    #                                    1  2  3  4  5  6  7  8  9
    assert cols(r2, A, "households") == [2, 1, 0, 0, 1, 0, 0, 0, 2]
    assert cols(r2, A, "persons") == [6, 3, 0, 0, 2, 0, 0, 1, 6]  # a1 grew by one person: col 8
    assert cols(r2, B, "households") == [0, 0, 0, 0, 0, 0, 1, 0, 1]
    assert cols(r2, C, "households") == [1, 0, 0, 1, 0, 0, 0, 0, 0]  # the departed household
    assert cols(r2, C, "persons") == [2, 0, 0, 2, 0, 0, 0, 0, 0]
    assert cols(r2, "001", "persons") == [8, 3, 0, 2, 2, 0, 1, 1, 7]
    assert cols(r3, A, "households") == [1, 0, 1, 0, 1, 0, 0, 0, 1]
    assert cols(r3, A, "persons") == [2, 0, 2, 0, 3, 0, 0, 0, 3]
    assert cols(r3, C, "households") == [0] * 9


def test_deprivation_tables_and_blank_rates(small) -> None:
    r4, r5, r6, r7 = (rows(small[k]) for k in ("r4", "r5", "r6", "r7"))
    assert r4.loc[A, ["poor_households", "total_deprivations"]].tolist() == [2, 7]
    assert r4.loc[A, ["d01", "d04", "d08", "d09"]].tolist() == [1, 1, 0, 0]
    assert r4.loc["001", ["poor_households", "total_deprivations", "d01", "d09"]].tolist() == [3, 10, 1, 1]
    assert r5.loc[A, ["d01_rate", "d07_rate", "d08_rate"]].tolist() == [50.0, 50.0, 0.0]
    assert r5.loc[B, ["d09_rate", "d12_rate"]].tolist() == [100.0, 0.0]
    assert r5.loc["001", "d01_rate"] == 33.33
    assert (
        r5.loc[C, "poor_households"] == 0 and r5.loc[C, [f"{d}_rate" for d in INDICATOR_COLUMNS]].isna().all()
    )
    assert r6.loc[A, ["near_poor_households", "total_deprivations", "d08"]].tolist() == [1, 1, 1]
    assert r7.loc[A, "d08_rate"] == 100.0 and r7.loc[B, "d08_rate"] != r7.loc[B, "d08_rate"]  # blank
    assert list(small["r5"].columns) == [
        "level",
        "tt",
        "code",
        "name",
        "parent_code",
        "no_data",
        *TABLES["r5"].keys,
    ]


def test_groups_ethnicity_causes_children(small) -> None:
    r8, r9, r10, r11 = (rows(small[k]) for k in ("r8", "r9", "r10", "r11"))

    def values(frame: pd.DataFrame, code: str, columns: str) -> list[float]:
        return frame.loc[code, columns.split()].tolist()

    assert values(r8, A, "poor_households poor_no_labour_capacity poor_merit") == [2, 1, 1]
    assert values(r9, A, "minority_households minority_poor_households minority_poor_rate") == [1, 1, 100.0]
    assert values(r9, A, "kinh_households kinh_poor_rate kinh_near_poor_rate") == [3, 33.33, 33.33]
    assert r9.loc[B, "minority_households"] == 0 and math.isnan(r9.loc[B, "minority_poor_rate"])
    assert values(r10, A, "cause_capital cause_not_stated cause_land") == [1, 1, 0]  # a3 is near-poor
    assert r10.loc[B, "cause_other"] == 1
    assert values(r10, "001", "poor_households cause_capital cause_other cause_not_stated") == [3, 1, 1, 1]
    poor = "poor_children poor_children_no_insurance poor_children_malnourished poor_children_out_of_school"
    assert values(r11, A, poor) == [5, 1, 3, 2]
    assert values(r11, A, "near_poor_children near_poor_children_out_of_school") == [1, 0]
    assert values(r11, A, "children children_no_insurance children_out_of_school") == [6, 1, 2]
    assert r11.loc[B, "children"] == 0


def test_hand_made_tables_pass_the_checks_with_a_no_data_warning(small) -> None:
    outcome = run_checks(small)
    assert outcome.passed and not outcome.blocking
    assert failed(outcome.results) == {"commune_has_data": 1}
    warning = outcome.failures.iloc[0]
    assert (warning["severity"], warning["code"]) == ("warning", C)
    assert warning["message_vi"] == "Xã C (00003) chưa có dữ liệu hộ trong các hồ sơ đã được chấp nhận"


def test_all_communes_without_data() -> None:
    empty = small_households().iloc[0:0]
    tables = consolidate(small_input(households=empty, members=None, departed=None))
    r1 = rows(tables["r1"])
    assert r1["no_data"].all() and (r1["households"] == 0).all() and r1["poor_households_rate"].isna().all()
    assert set(failed(check_tables(tables))) == {"commune_has_data"}


def test_headers_follow_the_official_layouts() -> None:
    assert HEADERS_VI["r1"]["name"] == "Phường/Xã" and HEADERS_VI["r1"]["tt"] == "TT"
    assert [c.number for c in TABLES["r1"].columns][:4] == ["1", "2", "3", "4=3/1*100"]
    assert [c.number for c in TABLES["r1"].columns][-1] == "14=13/2*100"
    assert HEADERS_VI["r2"]["c9"] == "Tổng số hộ nghèo cuối kỳ" and HEADERS_VI["r2"]["unit"] == "Phân tổ"
    assert HEADERS_VI["r3"]["c3"].endswith("Số hộ cận nghèo trở thành hộ nghèo")
    assert HEADERS_VI["r4"]["total_deprivations"] == "Tổng số thiếu hụt"
    assert HEADERS_VI["r10"]["cause_illness"].endswith("Ốm đau, tai nạn")
    for key, spec in TABLES.items():
        assert set(spec.keys) <= set(HEADERS_VI[key]) and len(set(spec.keys)) == len(spec.keys)


def test_input_errors_name_codes_not_people() -> None:
    wrong = small_households()
    wrong.loc[0, "commune_code"] = "99999"
    with pytest.raises(ConsolidationInputError, match="99999"):
        consolidate(small_input(households=wrong))
    with pytest.raises(ConsolidationInputError, match="previous_members"):
        consolidate(small_input(households=small_households().drop(columns="previous_members")))
    twice = pd.concat([small_households().iloc[:1], small_households()], ignore_index=True)
    with pytest.raises(ConsolidationInputError, match="A1"):
        consolidate(small_input(households=twice))


# 3. Broken tables ---------------------------------------------------------------------------------


def edit(tables: ConsolidatedTables, key: str, code: str, column: str, delta: float, unit: str | None = None):
    frame = tables[key].copy()
    where = frame["code"] == code
    if unit is not None:
        where &= frame["unit"] == unit
    assert where.sum() == 1
    frame.loc[where, column] = frame.loc[where, column] + delta
    return tables.with_table(key, frame)


COMMUNE = "19603"  # Xã Thanh An


# (table, row code, column, change, unit) → the checks that must fail, and only those.
BROKEN = [
    ("r2", COMMUNE, "c9", 1, "households", "r2_identity_households r2_sum r2_end_vs_r1_households"),
    ("r2", COMMUNE, "c3", 1, "persons", "r2_identity_persons r2_sum"),
    ("r2", COMMUNE, "c2", 1, "households", "r2_identity_households r2_sum poor_to_near_households"),
    ("r3", COMMUNE, "c3", -1, "persons", "r3_identity_persons r3_sum near_to_poor_persons"),
    ("r1", "468", "households", 1, None, "r1_sum r9_vs_r1"),  # rates: 78/3001 still rounds to 2.60
    ("r1", COMMUNE, "poor_households_rate", 0.01, None, "r1_rates"),
    ("r5", COMMUNE, "d02_rate", -0.01, None, "r5_rates"),
    ("r4", COMMUNE, "d05", 50, None, "r4_sum r4_total_vs_indicators r4_indicators_over_households r5_rates"),
    ("r4", COMMUNE, "total_deprivations", -100, None, "r4_sum r4_total_vs_indicators r4_min_deprivations"),
    ("r6", COMMUNE, "total_deprivations", 100, None, "r6_sum r6_total_vs_indicators r6_max_deprivations"),
    ("r10", COMMUNE, "cause_land", 1, None, "r10_sum r10_vs_r1"),
    ("r11", COMMUNE, "poor_children_no_insurance", 1000, None, "r11_sum r11_consistency"),
]


@pytest.mark.parametrize(("key", "code", "column", "delta", "unit", "expected"), BROKEN)
def test_a_broken_cell_fails_the_matching_checks(cam_lo, key, code, column, delta, unit, expected) -> None:
    broken = edit(cam_lo["tables"], key, code, column, delta, unit)
    outcome = run_checks(broken)
    assert set(failed(outcome.results)) == set(expected.split())
    assert not outcome.passed
    assert all(r.severity is Severity.BLOCKING for r in outcome.blocking)


def test_poor_rate_change_is_a_warning_at_the_configured_threshold(cam_lo) -> None:
    tables = cam_lo["tables"]
    threshold = load_settings().poor_rate_change_warning_pp
    now = poor_rates(tables)
    near = (now + threshold - 0.01).to_dict()
    far = {**near, COMMUNE: float(now[COMMUNE] + threshold + 0.01)}
    assert failed(check_tables(tables, near)) == {}
    outcome = run_checks(tables, far)
    assert failed(outcome.results) == {"poor_rate_change": 1}
    assert outcome.passed and [w.severity for w in outcome.warnings] == [Severity.WARNING]
    assert outcome.failures["code"].tolist() == [COMMUNE]
    # Last year's own tables can serve as the previous rates.
    assert failed(check_tables(tables, tables)) == {}


# 4. Province roll-up -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_districts(cam_lo) -> tuple[ConsolidatedTables, ConsolidatedTables]:
    return cam_lo["tables"], review("615", seed=3, households=2000)["tables"]


PROVINCE = Unit("99", "Tỉnh thử nghiệm", "province")  # 468 and 615 are in different real provinces


def test_province_rollup_equals_the_sum_of_its_districts(two_districts) -> None:
    d1, d2 = two_districts
    province = consolidate_province([d1, d2], PROVINCE)
    assert failed(check_tables(province)) == {}
    for key, spec in TABLES.items():
        if spec.derived_from:
            continue
        wide = to_wide(spec, province[key])
        counts = [
            c for c in wide.columns if c not in ("level", "tt", "code", "name", "parent_code", "no_data")
        ]
        top = wide.loc[wide["level"] == "province", counts].iloc[0]
        parts = [
            to_wide(spec, d[key]).loc[lambda f: f["parent_code"].isna(), counts].iloc[0] for d in (d1, d2)
        ]
        assert (top == parts[0] + parts[1]).all(), key
    r1 = province["r1"]
    assert list(r1["tt"][:3]) == ["", "1", "1.1"] and r1.loc[r1["code"] == "615", "tt"].item() == "2"
    assert len(r1) == 1 + 2 + len(communes_of("468")) + len(communes_of("615"))
    top = r1.iloc[0]
    assert top["poor_households_rate"] == rate([top["poor_households"]], [top["households"]])[0]
    # District rows keep the district's own figures, commune rows too.
    for d in (d1, d2):
        mine = d["r1"].drop(columns=["level", "tt", "parent_code"]).set_index("code")
        theirs = r1.drop(columns=["level", "tt", "parent_code"]).set_index("code").loc[mine.index]
        pd.testing.assert_frame_equal(mine, theirs)
    # R5 of the province is recomputed from its R4.
    r4, r5 = province["r4"].iloc[0], province["r5"].iloc[0]
    assert r5["d01_rate"] == rate([r4["d01"]], [r4["poor_households"]])[0]


def test_province_without_commune_rows(two_districts) -> None:
    province = consolidate_province(list(two_districts), PROVINCE, with_communes=False)
    assert list(province["r1"]["level"]) == ["province", "district", "district"]
    assert list(province["r2"]["unit"]) == ["households", "persons"] * 3
    assert failed(check_tables(province)) == {}
    broken = edit(province, "r1", "468", "poor_households", 1)
    assert {"r1_sum", "r1_rates", "r2_end_vs_r1_households"} <= set(failed(check_tables(broken)))


# 5. Suite file and size -----------------------------------------------------------------------------


def test_suite_file_is_a_gx_suite_with_complete_meta(small) -> None:
    from great_expectations.core import ExpectationSuite

    raw = json.loads((PROJECT_ROOT / "expectations" / "consolidated.json").read_text(encoding="utf-8"))
    suite = ExpectationSuite(**raw)
    assert suite.name == "consolidated" and len(suite.expectations) == len(raw["expectations"])
    columns = set(checks_frame(small).columns)
    keys = set()
    for expectation in raw["expectations"]:
        meta = expectation["meta"]
        assert meta["check"].startswith("consolidated.") and meta["check"] not in keys
        keys.add(meta["check"])
        assert meta["severity"] in ("blocking", "warning") and meta["title_vi"] and meta["expected_vi"]
        assert expectation["severity"] == ("critical" if meta["severity"] == "blocking" else "warning")
        assert expectation["kwargs"]["column"] in columns
    warnings = {e["meta"]["check"] for e in raw["expectations"] if e["meta"]["severity"] == "warning"}
    assert warnings == {"consolidated.poor_rate_change", "consolidated.commune_has_data"}
    threshold = next(e for e in raw["expectations"] if e["meta"]["check"] == "consolidated.poor_rate_change")
    assert threshold["kwargs"]["max_value"] == {"$PARAMETER": "poor_rate_change_warning_pp"}
