"""Movements of poor and near-poor households against the previous approved round (reports R2/R3).

For a group G (poor, or near-poor) and its sibling O (near-poor, or poor), each household that is in
G at either end of the year gets one movement:

- `stayed`          G last year and G now;
- `to_sibling`      G → O (R2 col 2 "thoát nghèo thành cận nghèo"; R3 col 3 "cận nghèo thành nghèo");
- `escaped`         G → non-poor or MSTB (R2 col 3 "vượt chuẩn cận nghèo"; R3 col 2 "thoát cận nghèo");
- `other_decrease`  G last year, no longer in the roster (died, moved away, merged): col 4;
- `from_sibling`    O → G: col 5;
- `re_entered`      non-poor last year, but G in an earlier year of the standard's period: col 6
                    ("tái nghèo" / "tái cận nghèo");
- `new`             non-poor last year and never G earlier in the period: col 7 ("phát sinh mới");
- `other_increase`  not in last year's roster (moved in, split off): col 8.

Column 9 (end of period) = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 holds by construction, for households and
for persons. Persons are counted at the household's current size while it is still in the roster
(so R2 col 2 = R3 col 5 in persons too), and the size change of a household that started in G goes
to col 4 or col 8, the columns the reports reserve for "thay đổi nhân khẩu".
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from rasoat.schema import Status


class Movement(StrEnum):
    NONE = "none"
    STAYED = "stayed"
    TO_SIBLING = "to_sibling"
    ESCAPED = "escaped"
    OTHER_DECREASE = "other_decrease"
    FROM_SIBLING = "from_sibling"
    RE_ENTERED = "re_entered"
    NEW = "new"
    OTHER_INCREASE = "other_increase"


MOVEMENTS: tuple[Movement, ...] = tuple(Movement)
MOVEMENT_DTYPE = pd.CategoricalDtype([m.value for m in MOVEMENTS])

GROUPS: dict[str, tuple[Status, Status]] = {
    "poor": (Status.POOR, Status.NEAR_POOR),
    "near_poor": (Status.NEAR_POOR, Status.POOR),
}

# Report column (1..9) of each movement, per table: R2 lists "to near-poor" before "escaped above
# near-poor"; R3 lists "escaped near-poverty" before "became poor".
REPORT_COLUMNS: dict[str, dict[int, Movement]] = {
    "poor": {
        2: Movement.TO_SIBLING,
        3: Movement.ESCAPED,
        4: Movement.OTHER_DECREASE,
        5: Movement.FROM_SIBLING,
        6: Movement.RE_ENTERED,
        7: Movement.NEW,
        8: Movement.OTHER_INCREASE,
    },
    "near_poor": {
        2: Movement.ESCAPED,
        3: Movement.TO_SIBLING,
        4: Movement.OTHER_DECREASE,
        5: Movement.FROM_SIBLING,
        6: Movement.RE_ENTERED,
        7: Movement.NEW,
        8: Movement.OTHER_INCREASE,
    },
}
DECREASE_COLUMNS = (2, 3, 4)
INCREASE_COLUMNS = (5, 6, 7, 8)


def previous_round(history: pd.DataFrame, year: int, period_first_year: int) -> pd.DataFrame:
    """From a long history (`household_id`, `year`, `status`, `members`) build last year's roster
    with the flags re-entry needs: was the household poor / near-poor in an earlier year of the
    period (from `period_first_year` up to two years ago)?"""
    last = history.loc[history["year"] == year - 1, ["household_id", "status", "members"]]
    earlier = history.loc[(history["year"] >= period_first_year) & (history["year"] <= year - 2)]
    status = earlier["status"].astype("object")
    flags = (
        pd.DataFrame(
            {
                "household_id": earlier["household_id"].to_numpy(),
                "poor_earlier": (status == Status.POOR.value).to_numpy(),
                "near_poor_earlier": (status == Status.NEAR_POOR.value).to_numpy(),
            }
        )
        .groupby("household_id", sort=False)
        .any()
    )
    out = last.merge(flags, left_on="household_id", right_index=True, how="left")
    for column in ("poor_earlier", "near_poor_earlier"):
        out[column] = out[column].fillna(False).astype(bool)
    return out.reset_index(drop=True)


def _group_movement(
    prev: np.ndarray,
    now: np.ndarray,
    in_prev: np.ndarray,
    in_now: np.ndarray,
    earlier: np.ndarray,
    group: Status,
    sibling: Status,
) -> pd.Categorical:
    was_g, is_g = prev == group.value, now == group.value
    was_o, is_o = prev == sibling.value, now == sibling.value
    was_neither = in_prev & ~was_g & ~was_o
    choices = [
        (was_g & is_g, Movement.STAYED),
        (was_g & is_o, Movement.TO_SIBLING),
        (was_g & in_now, Movement.ESCAPED),
        (was_g, Movement.OTHER_DECREASE),
        (is_g & was_o, Movement.FROM_SIBLING),
        (is_g & was_neither & earlier, Movement.RE_ENTERED),
        (is_g & was_neither, Movement.NEW),
        (is_g, Movement.OTHER_INCREASE),
    ]
    codes = np.select(
        [mask for mask, _ in choices], [MOVEMENTS.index(m) for _, m in choices], default=0
    ).astype(np.int8)
    return pd.Categorical.from_codes(codes, dtype=MOVEMENT_DTYPE)


def compute_movements(
    current: pd.DataFrame, previous: pd.DataFrame, *, roster_complete: bool = True
) -> pd.DataFrame:
    """Movements of every household present in either round.

    `current`: `household_id`, `status`, `members`. `previous`: `household_id`, `status`,
    `members`, `poor_earlier`, `near_poor_earlier` (see `previous_round`).
    `roster_complete=False` says `previous` lists only poor and near-poor households (an imported
    list): an unlisted household was then non-poor last year, not absent, so it can be `new` but
    never `other_increase`.
    """
    cur = current.loc[:, ["household_id", "status", "members"]].copy()
    cur["status"] = cur["status"].astype("object")
    prev = previous.loc[:, ["household_id", "status", "members", "poor_earlier", "near_poor_earlier"]].rename(
        columns={"status": "previous_status", "members": "previous_members"}
    )
    prev["previous_status"] = prev["previous_status"].astype("object")
    merged = cur.merge(prev, on="household_id", how="outer", indicator=True, sort=False)
    in_now = (merged["_merge"] != "right_only").to_numpy()
    in_prev = (merged["_merge"] != "left_only").to_numpy()
    if not roster_complete:
        absent = ~in_prev
        merged.loc[absent, "previous_status"] = Status.NON_POOR.value
        merged.loc[absent, "previous_members"] = 0
        in_prev = np.ones(len(merged), dtype=bool)

    prev_status = merged["previous_status"].to_numpy(dtype=object)
    now_status = merged["status"].to_numpy(dtype=object)
    for name, (group, sibling) in GROUPS.items():
        earlier = merged[f"{name}_earlier"].fillna(False).to_numpy(dtype=bool)
        merged[f"{name}_movement"] = _group_movement(
            prev_status, now_status, in_prev, in_now, earlier, group, sibling
        )
    merged["members"] = merged["members"].fillna(0).astype("int64")
    merged["previous_members"] = merged["previous_members"].fillna(0).astype("int64")
    return merged.drop(columns=["_merge", "poor_earlier", "near_poor_earlier"])


def movement_table(movements: pd.DataFrame, group: str, by: str | None = None) -> pd.DataFrame:
    """R2 (`group="poor"`) or R3 (`group="near_poor"`) columns 1..9, households and persons.

    Returns one row per (`by` value, unit) with unit `households` or `persons`; `by=None` gives the
    two rows of the whole frame.
    """
    move = movements[f"{group}_movement"].astype("object").to_numpy()
    members = movements["members"].to_numpy(dtype=np.int64)
    prev_members = movements["previous_members"].to_numpy(dtype=np.int64)
    start = np.isin(
        move, [m.value for m in (Movement.STAYED, *(REPORT_COLUMNS[group][c] for c in DECREASE_COLUMNS))]
    )
    end = np.isin(
        move, [m.value for m in (Movement.STAYED, *(REPORT_COLUMNS[group][c] for c in INCREASE_COLUMNS))]
    )
    # Persons are counted at the household's current size whenever it is still in the roster, so a
    # poor→near household adds the same persons to R2 col 2 and R3 col 5. The size change of a
    # household that started in the group goes to col 4 (shrank) or col 8 (grew).
    gone = move == Movement.OTHER_DECREASE.value
    delta = np.where(start & ~gone, members - prev_members, 0)

    hh: dict[int, np.ndarray] = {1: start.astype(np.int64), 9: end.astype(np.int64)}
    persons: dict[int, np.ndarray] = {1: np.where(start, prev_members, 0), 9: np.where(end, members, 0)}
    for col, movement in REPORT_COLUMNS[group].items():
        hit = move == movement.value
        hh[col] = hit.astype(np.int64)
        persons[col] = np.where(hit, prev_members if movement is Movement.OTHER_DECREASE else members, 0)
    persons[4] = persons[4] + np.maximum(-delta, 0)
    persons[8] = persons[8] + np.maximum(delta, 0)

    keys = movements[by].to_numpy() if by else np.zeros(len(movements), dtype=np.int8)
    frames = []
    for unit, values in (("households", hh), ("persons", persons)):
        table = pd.DataFrame({f"c{c}": values[c] for c in range(1, 10)}).groupby(keys, sort=True).sum()
        if by is None:  # the whole-frame rows exist even when no household moved
            table = table.reindex([0], fill_value=0)
        table["unit"] = unit
        frames.append(table)
    out = pd.concat(frames).rename_axis(by or "all").reset_index()
    return out.sort_values([by or "all", "unit"], kind="stable").reset_index(drop=True)
