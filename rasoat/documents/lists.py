"""The four lists a commune posts and recognises (QĐ 24/2021 Điều 4 bước 4–5; brief §7.6):
poor households, near-poor households, households that escaped poverty, households that escaped
near-poverty.

- poor / near-poor: this year's classification;
- escaped poverty: poor last year and not poor now (R2 columns 2 + 3: to near-poor, or above it);
- escaped near-poverty: near-poor last year and neither poor nor near-poor now (R3 column 2).
A household that went from poor to near-poor is on two lists, as in the commune decisions.
The counts therefore equal the consolidated tables (R1 columns 3/9 and 5/11, R2 2+3, R3 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat.movements import Movement
from rasoat.schema import Status

LIST_KEYS: tuple[str, ...] = ("poor", "near_poor", "escaped_poor", "escaped_near_poor")
LIST_TITLES_VI: dict[str, str] = {
    "poor": "DANH SÁCH HỘ NGHÈO",
    "near_poor": "DANH SÁCH HỘ CẬN NGHÈO",
    "escaped_poor": "DANH SÁCH HỘ THOÁT NGHÈO",
    "escaped_near_poor": "DANH SÁCH HỘ THOÁT CẬN NGHÈO",
}
LIST_LABELS_VI: dict[str, str] = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "escaped_poor": "Hộ thoát nghèo",
    "escaped_near_poor": "Hộ thoát cận nghèo",
}
# Columns of a list, in the order of the appendix and of the XLSX sheet.
LIST_COLUMNS: tuple[str, ...] = ("stt", "household_id", "head_name", "village", "ethnicity", "members")
LIST_HEADERS_VI: dict[str, str] = {
    "stt": "STT",
    "household_id": "Mã hộ",
    "head_name": "Họ và tên chủ hộ",
    "village": "Thôn, tổ dân phố",
    "ethnicity": "Dân tộc",
    "members": "Số khẩu",
}
ESCAPED_POOR_MOVES = (Movement.TO_SIBLING.value, Movement.ESCAPED.value)


@dataclass(frozen=True)
class ListCount:
    households: int
    persons: int


def list_masks(households: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which households are on each list (boolean masks over `households`' rows)."""
    status = households["status"].astype("object").to_numpy()
    poor_move = households["poor_movement"].astype("object").to_numpy()
    near_move = households["near_poor_movement"].astype("object").to_numpy()
    return {
        "poor": status == Status.POOR.value,
        "near_poor": status == Status.NEAR_POOR.value,
        "escaped_poor": np.isin(poor_move, ESCAPED_POOR_MOVES),
        "escaped_near_poor": near_move == Movement.ESCAPED.value,
    }


def household_lists(households: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each list of one commune, ordered by village then household id, numbered from 1."""
    masks = list_masks(households)
    out: dict[str, pd.DataFrame] = {}
    for key in LIST_KEYS:
        rows = households.loc[masks[key]].sort_values(["village", "household_id"], kind="stable")
        frame = pd.DataFrame(
            {
                "stt": np.arange(1, len(rows) + 1, dtype=np.int64),
                "household_id": rows["household_id"].astype("object").to_numpy(),
                "head_name": rows["head_name"].astype("object").fillna("").to_numpy(),
                "village": rows["village"].astype("object").fillna("").to_numpy(),
                "ethnicity": rows["ethnicity"].astype("object").fillna("").to_numpy(),
                "members": pd.to_numeric(rows["members"], errors="coerce")
                .fillna(0)
                .astype("int64")
                .to_numpy(),
            }
        )
        out[key] = frame
    return out


def list_counts(lists: dict[str, pd.DataFrame]) -> dict[str, ListCount]:
    return {k: ListCount(len(v), int(v["members"].sum())) for k, v in lists.items()}
