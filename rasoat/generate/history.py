"""Previous approved rounds of the standard's period, so movements (R2/R3) are not trivial.

Last year's status is drawn from P(last year | now) per status; the non-poor row is solved so that
last year's district rates match the profile's `previous_rates`. Earlier years chain backwards the
same way, then re-entries ("tái nghèo") and first entries ("phát sinh mới") are made consistent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rasoat.generate.households import household_ids
from rasoat.generate.profiles import Profile
from rasoat.schema import Status

POOR, NEAR, MSTB, NON = (s.value for s in (Status.POOR, Status.NEAR_POOR, Status.MSTB, Status.NON_POOR))
ABSENT = "absent"
DEPARTED_SERIAL_BASE = 90_000
# Where a divided old commune's household lives now: read by `rasoat baseline import`.
REFORM_COLUMNS = ["new_commune_code", "village"]


def _step_back(rng: np.random.Generator, now: np.ndarray, rows: dict[str, dict[str, float]]) -> np.ndarray:
    """One year back: draw each household's earlier status from the row of its later status."""
    out = now.copy()
    u = rng.random(len(now))
    for status, row in rows.items():
        mask = now == status
        edges = np.cumsum(list(row.values()))
        choice = np.searchsorted(edges / edges[-1], u[mask], side="right")
        out[mask] = np.array(list(row), dtype=object)[np.minimum(choice, len(row) - 1)]
    return out


def _rows(profile: Profile, hh: pd.DataFrame) -> dict[str, dict[str, float]]:
    t = profile["transitions"]
    counts = hh["status"].value_counts()
    n = len(hh)
    poor, near = counts.get(POOR, 0), counts.get(NEAR, 0)
    others = max(n - poor - near, 1)
    departed = profile["departed_share"] * n
    target_poor = profile["previous_rates"]["poor"] * n
    target_near = profile["previous_rates"]["near_poor"] * n
    # Solve the non-poor row so last year's rates come out at the profile's previous_rates.
    x_poor = max(
        0.0,
        (
            target_poor
            - poor * t["poor"]["poor"]
            - near * t["near_poor"]["poor"]
            - departed * profile["departed_status"]["poor"]
        )
        / others,
    )
    x_near = max(
        0.0,
        (
            target_near
            - poor * t["poor"]["near_poor"]
            - near * t["near_poor"]["near_poor"]
            - departed * profile["departed_status"]["near_poor"]
        )
        / others,
    )
    absent = t["non_poor_absent"]
    non_row = {POOR: x_poor, NEAR: x_near, ABSENT: absent, NON: max(0.0, 1 - x_poor - x_near - absent)}
    mstb_row = {POOR: x_poor, NEAR: x_near, ABSENT: absent, MSTB: max(0.0, 1 - x_poor - x_near - absent)}
    return {POOR: dict(t["poor"]), NEAR: dict(t["near_poor"]), NON: non_row, MSTB: mstb_row}


def _departed(rng: np.random.Generator, profile: Profile, hh: pd.DataFrame) -> pd.DataFrame:
    """Households of last year's roster gone now: from the same communes and villages as others."""
    n = round(profile["departed_share"] * len(hh))
    pick = rng.integers(0, len(hh), n)
    statuses = profile["departed_status"]
    status = rng.choice(list(statuses), n, p=np.array(list(statuses.values())) / sum(statuses.values()))
    base = hh.iloc[pick]
    registered = _registered(base)
    ids = household_ids(registered, base["village_no"].to_numpy(), DEPARTED_SERIAL_BASE + np.arange(n))
    return pd.DataFrame(
        {
            "household_id": ids,
            "commune_code": base["commune_code"].to_numpy(),
            "registered_commune": registered,
            "village": base["village"].to_numpy(),
            "status": status,
            "members": np.where(status == POOR, rng.integers(1, 3, n), rng.integers(1, 6, n)),
        }
    )


def _registered(hh: pd.DataFrame) -> np.ndarray:
    """The commune each household was registered in (its id's prefix): before the reform, where
    it is listed."""
    column = "registered_commune" if "registered_commune" in hh.columns else "commune_code"
    return hh[column].to_numpy(dtype=object)


def draw_history(
    rng: np.random.Generator,
    profile: Profile,
    hh: pd.DataFrame,
    year: int,
    first_year: int,
    *,
    two_tier_years: frozenset[int] = frozenset(),
    divided: frozenset[str] = frozenset(),
    reform_columns: bool = False,
) -> pd.DataFrame:
    """Long history (`household_id`, `commune_code`, `year`, `status`, `members`), years
    `first_year` .. `year - 1`; empty when `year` is the first year of the period.

    Rows of a year on the three-level map are under the commune the household was registered in
    (the old code, its id's prefix); rows of `two_tier_years` under the unit listing it now. With
    `reform_columns`, two more: `new_commune_code` and `village`, given on the old-code rows of the
    `divided` old communes only (the code alone does not say which successor has the household)."""
    columns = ["household_id", "commune_code", "year", "status", "members"]
    if reform_columns:
        columns += REFORM_COLUMNS
    years = list(range(first_year, year))
    if not years:
        return pd.DataFrame(columns=columns)
    rows = _rows(profile, hh)
    now = hh["status"].to_numpy(dtype=object)
    last = _step_back(rng, now, rows)

    departed = _departed(rng, profile, hh)
    kept = ["household_id", "commune_code", "registered_commune", "village"]
    roster = pd.concat(
        [
            hh[["household_id", "commune_code", "village"]].assign(
                registered_commune=_registered(hh), last=last, now=now
            )[[*kept, "last", "now"]],
            departed.rename(columns={"status": "last"})[[*kept, "last"]].assign(now=ABSENT),
        ],
        ignore_index=True,
    )
    members = np.concatenate([hh["members"].to_numpy(), departed["members"].to_numpy()])
    change = rng.random(len(members)) < profile["member_change_share"]
    members = np.where(change, np.maximum(1, members + rng.choice([-1, 1], len(members))), members)

    statuses = {year - 1: roster["last"].to_numpy(dtype=object)}
    chain_rows = {k: {s: p for s, p in v.items() if s != ABSENT} for k, v in rows.items()}
    for y in range(year - 2, first_year - 1, -1):
        later = statuses[y + 1]
        earlier = _step_back(rng, np.where(later == ABSENT, NON, later), chain_rows)
        statuses[y] = np.where(later == ABSENT, ABSENT, earlier)  # moved in later: absent before too

    earlier_years = [y for y in years if y <= year - 2]
    for group, share in (
        (POOR, profile["re_entry_share"]["poor"]),
        (NEAR, profile["re_entry_share"]["near_poor"]),
    ):
        enters = (roster["now"].to_numpy() == group) & np.isin(statuses[year - 1], [NON, MSTB])
        for y in earlier_years:  # entries are "new" unless chosen as re-entries below
            statuses[y] = np.where(enters & (statuses[y] == group), NON, statuses[y])
        if earlier_years:
            re_entry = enters & (rng.random(len(roster)) < share)
            when = rng.choice(earlier_years, len(roster))
            for y in earlier_years:
                statuses[y] = np.where(re_entry & (when == y), group, statuses[y])

    listed = roster["commune_code"].to_numpy(dtype=object)
    registered = roster["registered_commune"].to_numpy(dtype=object)
    split = np.isin(registered, list(divided))
    frames = []
    for y in years:
        two_tier = y in two_tier_years
        frame = {
            "household_id": roster["household_id"],
            "commune_code": listed if two_tier else registered,
            "year": y,
            "status": statuses[y],
            "members": members,
        }
        if reform_columns:
            placed = split & (not two_tier)
            frame["new_commune_code"] = np.where(placed, listed, None)
            frame["village"] = np.where(placed, roster["village"].to_numpy(dtype=object), None)
        frames.append(pd.DataFrame(frame))
    history = pd.concat(frames, ignore_index=True)
    history = history.loc[history["status"] != ABSENT, columns]
    return history.sort_values(["year", "household_id"], kind="stable").reset_index(drop=True)
