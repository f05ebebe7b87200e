"""Movements of poor and near-poor households (reports R2/R3) and the column-9 identity."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rasoat.movements import compute_movements, movement_table, previous_round

YEAR = 2024
PERIOD_START = 2022

# household → statuses in 2022, 2023 (last year) and 2024 (now); None = not in that year's roster.
CASES: dict[str, tuple[str | None, str | None, str | None]] = {
    "stay_poor": ("poor", "poor", "poor"),
    "poor_to_near": ("poor", "poor", "near_poor"),
    "poor_escaped_above": ("poor", "poor", "non_poor"),
    "poor_to_mstb": (None, "poor", "mstb"),
    "poor_gone": ("poor", "poor", None),
    "near_to_poor": (None, "near_poor", "poor"),
    "re_poor": ("poor", "non_poor", "poor"),
    "re_poor_via_mstb": ("poor", "mstb", "poor"),
    "new_poor": ("non_poor", "non_poor", "poor"),
    "new_poor_was_near_earlier": ("near_poor", "non_poor", "poor"),
    "moved_in_poor": (None, None, "poor"),
    "stay_near": ("near_poor", "near_poor", "near_poor"),
    "near_escaped": (None, "near_poor", "non_poor"),
    "near_gone": ("near_poor", "near_poor", None),
    "re_near": ("near_poor", "non_poor", "near_poor"),
    "new_near": (None, "non_poor", "near_poor"),
    "moved_in_near": (None, None, "near_poor"),
    "always_non": ("non_poor", "non_poor", "non_poor"),
}

EXPECTED_POOR = {
    "stay_poor": "stayed",
    "poor_to_near": "to_sibling",
    "poor_escaped_above": "escaped",
    "poor_to_mstb": "escaped",
    "poor_gone": "other_decrease",
    "near_to_poor": "from_sibling",
    "re_poor": "re_entered",
    "re_poor_via_mstb": "re_entered",
    "new_poor": "new",
    "new_poor_was_near_earlier": "new",
    "moved_in_poor": "other_increase",
}
EXPECTED_NEAR = {
    "poor_to_near": "from_sibling",
    "near_to_poor": "to_sibling",
    "stay_near": "stayed",
    "near_escaped": "escaped",
    "near_gone": "other_decrease",
    "re_near": "re_entered",
    "new_near": "new",
    "new_poor_was_near_earlier": "none",
    "moved_in_near": "other_increase",
}


def history_and_current(
    members: dict[str, tuple[int, int]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    members = members or {}
    rows, current = [], []
    for hh, statuses in CASES.items():
        before, now = members.get(hh, (2, 2))
        for year, status in zip((2022, 2023), statuses[:2], strict=True):
            if status:
                rows.append({"household_id": hh, "year": year, "status": status, "members": before})
        if statuses[2]:
            current.append({"household_id": hh, "status": statuses[2], "members": now})
    return pd.DataFrame(rows), pd.DataFrame(current)


def test_every_category() -> None:
    history, current = history_and_current()
    moves = compute_movements(current, previous_round(history, YEAR, PERIOD_START)).set_index("household_id")
    for hh in CASES:
        assert moves.loc[hh, "poor_movement"] == EXPECTED_POOR.get(hh, "none"), hh
        assert moves.loc[hh, "near_poor_movement"] == EXPECTED_NEAR.get(hh, "none"), hh


def test_history_outside_period_is_ignored() -> None:
    history = pd.DataFrame(
        [
            {"household_id": "h", "year": 2021, "status": "poor", "members": 3},  # before the 2022 standard
            {"household_id": "h", "year": 2023, "status": "non_poor", "members": 3},
        ]
    )
    current = pd.DataFrame([{"household_id": "h", "status": "poor", "members": 3}])
    moves = compute_movements(current, previous_round(history, YEAR, PERIOD_START))
    assert moves["poor_movement"].iloc[0] == "new"


def test_imported_list_without_non_poor_households() -> None:
    """An imported baseline lists only poor and near-poor households: unlisted means non-poor."""
    previous = pd.DataFrame(
        [
            {
                "household_id": "a",
                "status": "poor",
                "members": 2,
                "poor_earlier": False,
                "near_poor_earlier": False,
            }
        ]
    )
    current = pd.DataFrame(
        [
            {"household_id": "a", "status": "poor", "members": 2},
            {"household_id": "b", "status": "poor", "members": 4},
        ]
    )
    complete = compute_movements(current, previous).set_index("household_id")
    listed = compute_movements(current, previous, roster_complete=False).set_index("household_id")
    assert complete.loc["b", "poor_movement"] == "other_increase"
    assert listed.loc["b", "poor_movement"] == "new"


def test_table_columns_and_persons() -> None:
    sizes = {"stay_poor": (3, 5), "poor_to_near": (2, 2), "near_to_poor": (4, 1), "poor_gone": (1, 1)}
    history, current = history_and_current(sizes)
    moves = compute_movements(current, previous_round(history, YEAR, PERIOD_START))
    r2 = movement_table(moves, "poor").set_index("unit")
    hh, persons = r2.loc["households"], r2.loc["persons"]
    # start: stay_poor, poor_to_near, poor_escaped_above, poor_to_mstb, poor_gone
    assert hh["c1"] == 5 and hh["c2"] == 1 and hh["c3"] == 2 and hh["c4"] == 1
    assert hh["c5"] == 1 and hh["c6"] == 2 and hh["c7"] == 2 and hh["c8"] == 1
    assert hh["c9"] == 7
    assert persons["c1"] == 3 + 2 + 2 + 2 + 1
    assert persons["c8"] == 2 + 2  # moved-in household + stay_poor grew from 3 to 5
    assert persons["c5"] == 1  # the household that came from near-poor has 1 member now
    r3 = movement_table(moves, "near_poor").set_index("unit")
    # poor→near in R2 col 2 equals R3 col 5; near→poor in R3 col 3 equals R2 col 5.
    assert r2.loc["households", "c2"] == r3.loc["households", "c5"]
    assert r3.loc["households", "c3"] == r2.loc["households", "c5"]


def assert_identity(table: pd.DataFrame) -> None:
    c = {i: table[f"c{i}"] for i in range(1, 10)}
    assert (c[9] == c[1] - c[2] - c[3] - c[4] + c[5] + c[6] + c[7] + c[8]).all()


statuses = st.sampled_from(["poor", "near_poor", "mstb", "non_poor", None])


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            statuses, statuses, statuses, st.integers(1, 12), st.integers(1, 12), st.sampled_from("ABC")
        ),
        min_size=1,
        max_size=80,
    )
)
def test_identity_holds_on_random_rosters(data: list[tuple]) -> None:
    history, current = [], []
    for i, (s2022, s2023, s2024, before, now, commune) in enumerate(data):
        hh = f"h{i}"
        for year, status in ((2022, s2022), (2023, s2023)):
            if status:
                history.append({"household_id": hh, "year": year, "status": status, "members": before})
        if s2024:
            current.append({"household_id": hh, "status": s2024, "members": now, "commune": commune})
    history_frame = pd.DataFrame(history, columns=["household_id", "year", "status", "members"])
    current_frame = pd.DataFrame(current, columns=["household_id", "status", "members", "commune"])
    moves = compute_movements(current_frame, previous_round(history_frame, YEAR, PERIOD_START))
    for group in ("poor", "near_poor"):
        table = movement_table(moves, group)
        assert_identity(table)
        ends = table.set_index("unit")["c9"]
        assert ends["households"] == (current_frame["status"] == group).sum()
        assert ends["persons"] == current_frame.loc[current_frame["status"] == group, "members"].sum()
    r2 = movement_table(moves, "poor").set_index("unit")
    r3 = movement_table(moves, "near_poor").set_index("unit")
    assert (r2["c2"] == r3["c5"]).all() and (r3["c3"] == r2["c5"]).all()
