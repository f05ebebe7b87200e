"""Realistic mistakes injected into generated submissions, each recorded for the validation tests.

Each kind is one thing communes really get wrong in their Excel files. Records name household ids
and columns only, never names or CCCD numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rasoat.schema import HEAD_RELATION, INDICATOR_COLUMNS, Status

FOREIGN_COMMUNE = "00001"  # Phường Phúc Xá, Hà Nội: exists, but in no sample district

Injector = Callable[[np.random.Generator, pd.DataFrame, pd.DataFrame, int], tuple[str, str] | None]


def _b2_mismatch(rng, hh, members, i):
    hh.at[i, "b2_score"] = int(hh.at[i, "b2_score"]) + int(rng.choice([-10, 10, 20]))
    return "ho", "b2_score"


def _flag_two(rng, hh, members, i):
    column = str(rng.choice(INDICATOR_COLUMNS))
    hh.at[i, column] = 2
    return "ho", column


def _negative_income(rng, hh, members, i):
    if pd.isna(hh.at[i, "income_per_capita"]):
        return None
    hh.at[i, "income_per_capita"] = -float(hh.at[i, "income_per_capita"])
    return "ho", "income_per_capita"


def _text_in_number(rng, hh, members, i):
    if pd.isna(hh.at[i, "income_per_capita"]):
        return None
    hh.at[i, "income_per_capita"] = f"{float(hh.at[i, 'income_per_capita']) / 1e6:.1f} triệu".replace(
        ".", ","
    )
    return "ho", "income_per_capita"


def _missing_village(rng, hh, members, i):
    hh.at[i, "village"] = None
    return "ho", "village"


def _duplicate_id(rng, hh, members, i):
    if i == 0 or hh.at[i - 1, "commune_code"] != hh.at[i, "commune_code"]:
        return None
    hh.at[i, "household_id"] = hh.at[i - 1, "household_id"]
    return "ho", "household_id"


def _members_mismatch(rng, hh, members, i):
    hh.at[i, "members"] = int(hh.at[i, "members"]) + 1
    return "ho", "members"


def _two_heads(rng, hh, members, i):
    rows = members.index[(members["row"] == i) & (members["position"] > 0)]
    if len(rows) == 0:
        return None
    members.at[rows[0], "relation"] = HEAD_RELATION
    return "thanh_vien", "relation"


def _no_head(rng, hh, members, i):
    rows = members.index[(members["row"] == i) & (members["position"] == 0)]
    members.at[rows[0], "relation"] = "Con"
    return "thanh_vien", "relation"


def _mstb_not_agri(rng, hh, members, i):
    hh.at[i, "reported_status"] = Status.MSTB.value
    hh.at[i, "agri_household"] = 0
    return "ho", "reported_status"


def _reported_disagrees(rng, hh, members, i):
    others = [s.value for s in Status if s.value != hh.at[i, "status"] and s is not Status.MSTB]
    hh.at[i, "reported_status"] = str(rng.choice(others))
    return "ho", "reported_status"


def _foreign_commune(rng, hh, members, i):
    hh.at[i, "commune_code"] = FOREIGN_COMMUNE
    return "ho", "commune_code"


def _cccd_leading_zero_lost(rng, hh, members, i):
    rows = members.index[(members["row"] == i) & members["id_number"].notna()]
    if len(rows) == 0:
        return None
    members.at[rows[0], "id_number"] = str(members.at[rows[0], "id_number"]).lstrip("0")
    return "thanh_vien", "id_number"


def _meeting_below_half(rng, hh, members, i):
    if pd.isna(hh.at[i, "meeting_agree_pct"]):
        return None
    hh.at[i, "meeting_agree_pct"] = int(rng.integers(20, 50))
    return "ho", "meeting_agree_pct"


def _duplicate_cccd(rng, hh, members, i):
    mine = members.index[(members["row"] == i) & members["id_number"].notna()]
    theirs = members.index[(members["row"] != i) & members["id_number"].notna()]
    if len(mine) == 0 or len(theirs) == 0:
        return None
    members.at[mine[0], "id_number"] = members.at[theirs[int(rng.integers(len(theirs)))], "id_number"]
    return "thanh_vien", "id_number"


INJECTORS: dict[str, Injector] = {
    "b2_mismatch": _b2_mismatch,
    "flag_not_binary": _flag_two,
    "negative_income": _negative_income,
    "text_in_number": _text_in_number,
    "missing_village": _missing_village,
    "duplicate_household_id": _duplicate_id,
    "members_count_mismatch": _members_mismatch,
    "two_heads": _two_heads,
    "no_head": _no_head,
    "mstb_not_agricultural": _mstb_not_agri,
    "reported_status_disagrees": _reported_disagrees,
    "commune_outside_district": _foreign_commune,
    "cccd_leading_zero_lost": _cccd_leading_zero_lost,
    "meeting_below_half": _meeting_below_half,
    "duplicate_cccd": _duplicate_cccd,
}


def inject(
    rng: np.random.Generator, hh: pd.DataFrame, members: pd.DataFrame, rate: float
) -> list[dict[str, str]]:
    """Alter `rate` of the households in place (kinds in turn, households at random); return records.

    A loop over the chosen households is fine here: it touches a few percent of a sample file."""
    # Communes type amounts as text ("4,2 triệu"): the column must be able to hold it.
    hh["income_per_capita"] = hh["income_per_capita"].astype(object)
    chosen = np.sort(rng.choice(len(hh), size=min(len(hh), round(rate * len(hh))), replace=False))
    kinds = list(INJECTORS)
    records = []
    for n, i in enumerate(chosen):
        for attempt in range(len(kinds)):
            kind = kinds[(n + attempt) % len(kinds)]
            household_id = str(hh.at[i, "household_id"])
            where = INJECTORS[kind](rng, hh, members, int(i))
            if where:
                # The workbook the household is in: its id's prefix is the old commune after a merger.
                if "workbook" in hh.columns:
                    commune = str(hh.at[i, "workbook"])
                elif kind != "commune_outside_district":
                    commune = str(hh.at[i, "commune_code"])
                else:
                    commune = household_id.split("-")[0]
                records.append(
                    {
                        "commune_code": commune,
                        "sheet": where[0],
                        "household_id": household_id,
                        "column": where[1],
                        "kind": kind,
                    }
                )
                break
    return records
