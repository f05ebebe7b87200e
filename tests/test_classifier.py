"""The poverty rule at and around every threshold, for both standards and both areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rasoat.classifier import ClassificationInputError, classify
from rasoat.schema import INDICATOR_COLUMNS
from rasoat.standards import NoStandardError, Standard, standard_for_year

ND07 = standard_for_year(2024)
ND351 = standard_for_year(2028)


def household(
    area: str = "rural",
    income: float | None = None,
    b1: float | None = None,
    deprived: int = 0,
    agri: int | None = 0,
) -> dict[str, object]:
    flags = {c: int(i < deprived) for i, c in enumerate(INDICATOR_COLUMNS)}
    return {"area": area, "income_per_capita": income, "b1_score": b1, "agri_household": agri, **flags}


def run(rows: list[dict[str, object]], standard: Standard) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["income_per_capita"] = frame["income_per_capita"].astype("Float64")
    frame["b1_score"] = frame["b1_score"].astype("Float64")
    frame["agri_household"] = frame["agri_household"].astype("Int8")
    return classify(frame, standard)


def test_year_selects_standard() -> None:
    assert standard_for_year(2022).id == "ND07_2022_2026"
    assert standard_for_year(2026).id == "ND07_2022_2026"  # Decree 351/2025 keeps the old standard in 2026
    assert standard_for_year(2027).id == "ND351_2027_2030"
    assert standard_for_year(2030).id == "ND351_2027_2030"
    for year in (2021, 2031, 1999):
        with pytest.raises(NoStandardError, match=str(year)):
            standard_for_year(year)


def test_configured_values() -> None:
    assert ND07.income_ceiling == {"rural": 1_500_000, "urban": 2_000_000}
    assert ND07.mstb_band == {"rural": (1_500_000, 2_250_000), "urban": (2_000_000, 3_000_000)}
    assert ND351.income_ceiling == {"rural": 2_200_000, "urban": 2_800_000}
    assert ND351.indicators_provisional and not ND07.indicators_provisional
    assert ND07.b1_cutoff == {"rural": 140, "urban": 175} and ND07.b1_provisional
    assert len(ND07.indicators) == len(ND351.indicators) == 12
    assert ND07.min_deprivations == ND351.min_deprivations == 3


@pytest.mark.parametrize("standard", [ND07, ND351], ids=["ND07", "ND351"])
@pytest.mark.parametrize("area", ["rural", "urban"])
def test_income_ceiling_is_inclusive(standard: Standard, area: str) -> None:
    ceiling = standard.income_ceiling[area]
    rows = [
        household(area, ceiling - 1, deprived=3),
        household(area, ceiling, deprived=3),
        household(area, ceiling + 1, deprived=3),
        household(area, ceiling, deprived=2),
        household(area, ceiling + 1, deprived=2),
        household(area, 0, deprived=12),
        household(area, 0, deprived=0),
    ]
    result = run(rows, standard)
    assert list(result["status"]) == [
        "poor",
        "poor",
        "non_poor",
        "near_poor",
        "non_poor",
        "poor",
        "near_poor",
    ]
    assert list(result["criterion"][:3]) == ["income_le_ceiling", "income_le_ceiling", "income_above_ceiling"]
    assert list(result["deprivation_count"]) == [3, 3, 3, 2, 2, 12, 0]
    assert list(result["b2_score"]) == [30, 30, 30, 20, 20, 120, 0]


@pytest.mark.parametrize("area", ["rural", "urban"])
def test_deprivation_threshold(area: str) -> None:
    income = ND07.income_ceiling[area]
    result = run([household(area, income, deprived=d) for d in range(13)], ND07)
    assert list(result["status"]) == ["near_poor"] * 3 + ["poor"] * 10


def test_area_decides_ceiling() -> None:
    # 1,800,000 is above the rural ceiling and below the urban one under Decree 07/2021.
    result = run([household("rural", 1_800_000, deprived=4), household("urban", 1_800_000, deprived=4)], ND07)
    assert list(result["status"]) == ["non_poor", "poor"]
    # 2,500,000 under Decree 351/2025: above rural 2.2 M, below urban 2.8 M.
    result = run(
        [household("rural", 2_500_000, deprived=4), household("urban", 2_500_000, deprived=4)], ND351
    )
    assert list(result["status"]) == ["non_poor", "poor"]


@pytest.mark.parametrize("area", ["rural", "urban"])
def test_mstb_band(area: str) -> None:
    low, high = ND07.mstb_band[area]
    rows = [
        household(area, low, agri=1),  # at the ceiling: near-poor, not MSTB
        household(area, low + 1, agri=1),
        household(area, high, agri=1),  # upper bound inclusive
        household(area, high + 1, agri=1),
        household(area, low + 1, agri=0),  # MSTB is only for agricultural households
        household(area, low + 1, agri=None),
        household(area, low + 1, agri=1, deprived=6),  # no deprivation condition in the band
    ]
    result = run(rows, ND07)
    assert list(result["status"]) == ["near_poor", "mstb", "mstb", "non_poor", "non_poor", "non_poor", "mstb"]
    assert result["criterion"].iloc[1] == "mstb_band"


def test_no_mstb_band_under_decree_351() -> None:
    result = run([household("rural", 2_300_000, agri=1)], ND351)
    assert result["status"].iloc[0] == "non_poor"


@pytest.mark.parametrize("standard", [ND07, ND351], ids=["ND07", "ND351"])
@pytest.mark.parametrize("area", ["rural", "urban"])
def test_b1_path(standard: Standard, area: str) -> None:
    cutoff = standard.b1_cutoff[area]
    rows = [
        household(area, b1=cutoff - 1, deprived=3),
        household(area, b1=cutoff, deprived=3),
        household(area, b1=cutoff, deprived=2),
        household(area, b1=cutoff + 1, deprived=3),
        household(area, b1=cutoff + 1, agri=1),  # MSTB needs measured income, not the proxy
    ]
    result = run(rows, standard)
    assert list(result["status"]) == ["poor", "poor", "near_poor", "non_poor", "non_poor"]
    assert list(result["criterion"]) == ["b1_le_cutoff"] * 3 + ["b1_above_cutoff"] * 2
    assert set(result["income_path"]) == {"b1"}


def test_income_takes_precedence_over_b1() -> None:
    ceiling = ND07.income_ceiling["rural"]
    result = run(
        [household("rural", ceiling + 1, b1=0, deprived=5), household("rural", 0, b1=999, deprived=5)], ND07
    )
    assert list(result["status"]) == ["non_poor", "poor"]
    assert set(result["income_path"]) == {"income"}


def test_unclassifiable_rows_name_household_ids() -> None:
    frame = pd.DataFrame([household("rural", None, None), household("rural", 1)])
    frame["household_id"] = ["HH-A", "HH-B"]
    with pytest.raises(ClassificationInputError, match="HH-A"):
        classify(frame, ND07)
    frame = pd.DataFrame([household("moon", 1)])
    with pytest.raises(ClassificationInputError, match="area"):
        classify(frame, ND07)
    frame = pd.DataFrame([household("rural", 1)])
    frame["d05"] = 2
    with pytest.raises(ClassificationInputError, match="0/1"):
        classify(frame, ND07)


def test_result_keeps_index() -> None:
    frame = pd.DataFrame([household("rural", 1, deprived=3)] * 3, index=[10, 20, 30])
    assert list(classify(frame, ND07).index) == [10, 20, 30]


def reference_status(row: dict[str, object], standard: Standard) -> tuple[str, int, str]:
    """The rule as a civil servant reads it, one household at a time."""
    area = str(row["area"])
    count = sum(int(row[c]) for c in INDICATOR_COLUMNS)
    income, b1 = row["income_per_capita"], row["b1_score"]
    if income is not None:
        meets, criterion = income <= standard.income_ceiling[area], "income"
    else:
        meets, criterion = b1 <= standard.b1_cutoff[area], "b1"
    if meets:
        return ("poor" if count >= standard.min_deprivations else "near_poor"), count, criterion
    if (
        income is not None
        and standard.mstb_band is not None
        and row["agri_household"] == 1
        and standard.mstb_band[area][0] < income <= standard.mstb_band[area][1]
    ):
        return "mstb", count, criterion
    return "non_poor", count, criterion


households_strategy = st.fixed_dictionaries(
    {
        "area": st.sampled_from(["rural", "urban"]),
        "income_per_capita": st.one_of(
            st.none(),
            st.integers(0, 4_000_000),
            st.sampled_from([1_500_000, 2_000_000, 2_200_000, 2_250_000, 2_800_000, 3_000_000]),
            st.sampled_from([1_500_001, 2_000_001, 2_200_001, 2_250_001, 2_800_001, 3_000_001]),
        ),
        "b1_score": st.integers(0, 300),
        "agri_household": st.sampled_from([0, 1, None]),
        **{c: st.integers(0, 1) for c in INDICATOR_COLUMNS},
    }
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(households_strategy, min_size=1, max_size=60), year=st.integers(2022, 2030))
def test_vectorised_matches_row_by_row(rows: list[dict[str, object]], year: int) -> None:
    standard = standard_for_year(year)
    result = run(rows, standard)
    expected = [reference_status(r, standard) for r in rows]
    assert list(result["status"]) == [e[0] for e in expected]
    assert list(result["deprivation_count"]) == [e[1] for e in expected]
    assert list(result["income_path"]) == [e[2] for e in expected]
    assert (result["b2_score"].to_numpy() == np.array([e[1] for e in expected]) * 10).all()
