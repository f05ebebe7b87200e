"""Re-homing last years' approved statuses onto the two-tier map of July 2025.

Statuses of 2022–2024 are recorded under the old (three-level) commune codes; the rounds from 2025
read history by the new codes. `rehome` moves each row of a long history (`household_id`,
`commune_code`, `year`, `status`, `members`) to the new unit that succeeded its commune:

- a row of a year on the two-tier map is already on the new codes: kept where it is;
- an old commune that went wholly into one new unit (or was only renamed / retyped): by code;
- an old commune divided between 2–5 new units (441 of them): by the household's own
  `new_commune_code` (where it lives now), else by its village (thôn/xóm) through the province's
  assignment table `commune_code, village, new_commune_code`. The new code must be one of the old
  unit's successors;
- anything else stays UNPLACED, with its reason. A household is never put in a unit by guess: a
  wrong unit would give that unit false movements (R2/R3) for five years.

A household keeps its id. Where a commune renumbered its households, the row under the new id carries
the old one (`former_household_id`, "mã hộ cũ"); the older rows recorded under the old id are then
linked to the new id (the old id is kept beside it) and, when it was divided, take the new id's unit.

Plain pandas, vectorised: a province's lists (≈ 1–4 million rows) are re-homed with merges on the
conversion table, never a Python loop over households. No database, no files.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, admin_map

# The canonical columns of a baseline list (the generator's history.csv), and the optional ones.
HISTORY_INPUT = ("household_id", "commune_code", "year", "status", "members")
OPTIONAL_INPUT = ("new_commune_code", "village", "former_household_id")
ASSIGNMENT_INPUT = ("commune_code", "village", "new_commune_code")

PLACED_COLUMNS = (
    "household_id",
    "commune_code",  # the new unit (two-tier map)
    "year",
    "status",
    "members",
    "recorded_commune_code",  # the code the list recorded it under (old map up to 2024)
    "recorded_household_id",  # the id it was recorded under when the commune renumbered, else NA
    "rule",  # how it was placed: RULES
)
UNPLACED_COLUMNS = (
    "household_id",
    "recorded_commune_code",
    "recorded_household_id",
    "year",
    "status",
    "members",
    "village",
    "new_commune_code",  # what the file said, if anything (not a successor, another province…)
    "reason",
)

RULES = ("new_map", "code", "column", "village")

# Why a row could not be placed, for the province officer who resolves it (Vietnamese).
REASONS_VI: dict[str, str] = {
    "no_successor": "bảng chuyển đổi đơn vị hành chính không ghi xã mới nào nhận xã cũ này",
    "divided_no_target": (
        "xã cũ được chia cho nhiều xã mới; hộ không có mã xã mới (cột new_commune_code) và không có tên thôn"
    ),
    "village_not_assigned": (
        "xã cũ được chia cho nhiều xã mới; thôn của hộ chưa có trong bảng phân bổ thôn (--assignments)"
    ),
    "not_successor": "mã xã mới ghi cho hộ không phải là xã nhận (một phần) xã cũ này",
    "other_province": "xã mới của hộ thuộc tỉnh khác",
    "duplicate_id": "mã hộ trùng với một hộ khác được chuyển về cùng xã mới trong cùng năm",
}
REASONS: tuple[str, ...] = tuple(REASONS_VI)


class RehomeError(ValueError):
    """The lists cannot be re-homed as given (conflicting new codes, an ambiguous renumbering, a bad
    assignment row). The message names lines (`line` column when the reader set it), never people."""


@dataclass(frozen=True)
class Rehomed:
    province_code: str
    target_map_id: str
    placed: pd.DataFrame  # PLACED_COLUMNS
    unplaced: pd.DataFrame  # UNPLACED_COLUMNS

    def unplaced_summary(self) -> pd.DataFrame:
        """Per (old commune, reason): households (distinct ids) and rows, for messages and the queue."""
        return unplaced_summary(self.unplaced)


def unplaced_summary(unplaced: pd.DataFrame) -> pd.DataFrame:
    columns = ["recorded_commune_code", "reason", "households", "rows"]
    if unplaced.empty:
        return pd.DataFrame(columns=columns)
    grouped = unplaced.groupby(["recorded_commune_code", "reason"], sort=True)["household_id"]
    return grouped.agg(households="nunique", rows="size").reset_index().loc[:, columns]


def successor_pairs(new_map: AdminMap) -> pd.DataFrame:
    """Distinct (old_code, new_code) pairs of the map's conversion table, with the patch table's
    successors of old codes the official table lacks."""
    if new_map.conversion is None:
        raise ValueError(f"{new_map.id}: no conversion table (not a two-tier map)")
    table = new_map.conversion.dropna(subset=["old_code"])[["old_code", "new_code"]]
    patched = [(old, new) for old, news in new_map.unlisted_old.items() for new in news]
    extra = pd.DataFrame(patched, columns=["old_code", "new_code"])
    pairs = pd.concat([table, extra], ignore_index=True) if patched else table
    return pairs.drop_duplicates().astype(str).reset_index(drop=True)


def village_key(values: pd.Series) -> pd.Series:
    """Village names compared as officials write them: NFC, case and spacing ignored ("Thôn  1" =
    "thôn 1"). Decomposed Vietnamese (NFD, from some exports) compares equal to precomposed."""
    text = values.astype("string")
    text = text.map(lambda v: unicodedata.normalize("NFC", v), na_action="ignore")
    return text.str.strip().str.split().str.join(" ").str.casefold().replace("", pd.NA)


def target_map_for(years: pd.Series | list[int]) -> AdminMap:
    """The two-tier map the lists are re-homed onto: the map of the round after the latest listed year
    (the round that will read them)."""
    target = admin_map(int(max(years)) + 1)
    if not target.is_two_tier:
        raise RehomeError(
            f"năm {int(max(years)) + 1} vẫn dùng danh mục ba cấp ({target.name_vi}): không cần chuyển mã xã"
        )
    return target


def _lines(frame: pd.DataFrame, mask: pd.Series | np.ndarray, limit: int = 5) -> str:
    picked = frame.loc[mask]
    if "line" in picked:
        return ", ".join(str(int(v)) for v in picked["line"].head(limit))
    return ", ".join(str(v) for v in picked.index[:limit])


def _codes(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().replace("", pd.NA)
    return text.str.zfill(5)


def _prepared(history: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in HISTORY_INPUT if c not in history]
    if missing:
        raise RehomeError(f"thiếu cột {', '.join(missing)}")
    frame = history.copy()
    for column in OPTIONAL_INPUT:
        if column not in frame:
            frame[column] = pd.NA
    frame["household_id"] = frame["household_id"].astype("string").str.strip()
    frame["former_household_id"] = (
        frame["former_household_id"].astype("string").str.strip().replace("", pd.NA)
    )
    frame["commune_code"] = _codes(frame["commune_code"])
    frame["new_commune_code"] = _codes(frame["new_commune_code"])
    frame["village"] = frame["village"].astype("string").str.strip().replace("", pd.NA)
    frame["year"] = frame["year"].astype("int64")
    return frame.reset_index(drop=True)


def _propagate(frame: pd.DataFrame, column: str, keys: list[str], rows: pd.Series) -> pd.Series:
    """The one non-missing value of `column` within each group of `keys` (restricted to `rows`),
    spread to the group's rows that lack it. Two different values in one group are refused."""
    values = frame[column].where(rows)
    per_group = frame.loc[rows & values.notna()].groupby(keys)[column].nunique()
    conflicting = per_group[per_group > 1]
    if not conflicting.empty:
        bad = (
            frame.set_index(keys).index.isin(conflicting.index) & values.notna().to_numpy() & rows.to_numpy()
        )
        raise RehomeError(
            f"một hộ của một xã cũ có nhiều giá trị khác nhau ở cột '{column}' "
            f"(các dòng {_lines(frame, bad)})"
        )
    first = frame.loc[rows & values.notna()].groupby(keys)[column].first().rename("_filled").reset_index()
    filled = frame[keys].merge(first, on=keys, how="left")["_filled"].astype("string")
    filled.index = frame.index
    return values.astype("string").fillna(filled).where(rows)


def _relink(frame: pd.DataFrame, pairs: pd.DataFrame, only: pd.Series, legacy: pd.Series) -> pd.DataFrame:
    """Older rows recorded under a former id (`former_household_id` of a later row) take the new id.

    The former id is looked for among the rows that could be the same household: earlier years, and
    an old commune whose successors include the new id's unit (ids are often unique only within a
    commune, so a province-wide match on the id alone could link two different households)."""
    frame["recorded_household_id"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    has_link = frame["former_household_id"].notna()
    if not has_link.any():
        return frame
    links = frame.loc[has_link, ["household_id", "former_household_id", "year", "commune_code"]].copy()
    link_legacy = legacy[has_link]
    stated = frame.loc[has_link, "new_commune_code"]
    by_code = links["commune_code"].map(only)
    links["now"] = links["commune_code"].where(~link_legacy, stated.fillna(by_code))
    links = links.rename(columns={"household_id": "new_id", "year": "link_year", "commune_code": "link_code"})
    links["link_line"] = frame.loc[has_link, "line"] if "line" in frame else links.index

    rows = frame[["household_id", "commune_code", "year"]].assign(row=frame.index, legacy=legacy)
    cand = rows.merge(links, left_on="household_id", right_on="former_household_id")
    cand = cand.loc[cand["year"] < cand["link_year"]]
    known = cand["now"].notna()
    succeeded = (
        cand[["commune_code", "now"]]
        .merge(pairs, left_on=["commune_code", "now"], right_on=["old_code", "new_code"], how="left")[
            "new_code"
        ]
        .notna()
        .to_numpy()
    )
    same_unit = np.where(
        cand["legacy"].to_numpy(), succeeded, (cand["commune_code"] == cand["now"]).to_numpy()
    )
    fits = np.where(known.to_numpy(), same_unit, (cand["commune_code"] == cand["link_code"]).to_numpy())
    cand = cand.loc[fits]
    twice = cand["row"].duplicated(keep=False) | cand.duplicated(["link_line", "year"], keep=False)
    if twice.any():
        lines = ", ".join(str(v) for v in cand.loc[twice, "link_line"].drop_duplicates().head(5))
        raise RehomeError(
            f"cột 'former_household_id' (dòng {lines}): mã hộ cũ khớp với nhiều hộ trong cùng năm; "
            "không xác định được hộ nào đổi mã"
        )
    at = cand["row"].to_numpy()
    frame.loc[at, "recorded_household_id"] = frame.loc[at, "household_id"].to_numpy()
    frame.loc[at, "household_id"] = cand["new_id"].to_numpy()
    # The renumbered household's later row says where it lives now: its older rows follow it.
    missing_target = frame.loc[at, "new_commune_code"].isna().to_numpy()
    frame.loc[at[missing_target], "new_commune_code"] = cand["now"].to_numpy()[missing_target]
    return frame


def _checked_assignments(assignments: pd.DataFrame | None, pairs: pd.DataFrame) -> pd.DataFrame:
    """The village table, every target verified to be a successor of its old unit (a wrong row there
    would misplace a whole village, so it stops the import instead of queueing households)."""
    columns = ["commune_code", "village_key", "assigned"]
    if assignments is None or assignments.empty:
        return pd.DataFrame(columns=columns, dtype="string")
    missing = [c for c in ASSIGNMENT_INPUT if c not in assignments]
    if missing:
        raise RehomeError(f"bảng phân bổ thôn thiếu cột {', '.join(missing)}")
    table = assignments.copy()
    table["commune_code"] = _codes(table["commune_code"])
    table["assigned"] = _codes(table["new_commune_code"])
    table["village_key"] = village_key(table["village"])
    blank = table[["commune_code", "village_key", "assigned"]].isna().any(axis=1)
    if blank.any():
        raise RehomeError(
            f"bảng phân bổ thôn, dòng {_lines(table, blank)}: thiếu mã xã cũ, tên thôn hoặc mã xã mới"
        )
    ok = (
        table[["commune_code", "assigned"]]
        .merge(pairs, left_on=["commune_code", "assigned"], right_on=["old_code", "new_code"], how="left")[
            "new_code"
        ]
        .notna()
        .to_numpy()
    )
    if not ok.all():
        raise RehomeError(
            f"bảng phân bổ thôn, dòng {_lines(table, ~ok)}, cột 'new_commune_code': "
            "xã mới không phải là xã nhận (một phần) xã cũ của dòng đó"
        )
    table = table.drop_duplicates(["commune_code", "village_key", "assigned"])
    twice = table.duplicated(["commune_code", "village_key"], keep=False)
    if twice.any():
        raise RehomeError(
            f"bảng phân bổ thôn, dòng {_lines(table, twice)}: một thôn được phân cho hai xã mới"
        )
    return table.loc[:, columns]


def rehome(
    history: pd.DataFrame, province_code: str | int, assignments: pd.DataFrame | None = None
) -> Rehomed:
    """Place each row of `history` (HISTORY_INPUT, optionally OPTIONAL_INPUT and a `line` column for
    messages) in a unit of the two-tier map; see the module docstring for the rules.

    `province_code`: the (new) province importing the lists; a household placed in another
    province's unit is left unplaced for that province to import. `assignments`: ASSIGNMENT_INPUT."""
    province = unit_codes.province_code(province_code)
    frame = _prepared(history)
    if frame.empty:
        return Rehomed(
            province,
            "",
            pd.DataFrame(columns=list(PLACED_COLUMNS)),
            pd.DataFrame(columns=list(UNPLACED_COLUMNS)),
        )
    target = target_map_for(frame["year"])
    pairs = successor_pairs(target)
    counts = pairs.groupby("old_code")["new_code"].nunique()
    only = pairs.loc[pairs["old_code"].isin(counts.index[counts == 1])].set_index("old_code")["new_code"]

    two_tier_years = {int(y): admin_map(int(y)).is_two_tier for y in frame["year"].unique()}
    legacy = ~frame["year"].map(two_tier_years).astype(bool)

    frame = _relink(frame, pairs, only, legacy)
    keys = ["household_id", "commune_code"]
    # What the household's rows say about it holds for all its rows of that old commune: the column
    # is often filled only on the latest year's row.
    frame["new_commune_code"] = _propagate(frame, "new_commune_code", keys, legacy)
    frame["village"] = _propagate(frame, "village", keys, legacy)

    table = _checked_assignments(assignments, pairs)
    frame["village_key"] = village_key(frame["village"])
    assigned = frame[["commune_code", "village_key"]].merge(
        table, on=["commune_code", "village_key"], how="left"
    )
    frame["assigned"] = assigned["assigned"].to_numpy()

    n_successors = frame["commune_code"].map(counts).fillna(0).astype(int)
    stated, by_village = frame["new_commune_code"], frame["assigned"]
    stated_ok = (
        frame[["commune_code", "new_commune_code"]]
        .merge(
            pairs, left_on=["commune_code", "new_commune_code"], right_on=["old_code", "new_code"], how="left"
        )["new_code"]
        .notna()
        .to_numpy()
    )
    whole = legacy & (n_successors == 1)
    divided = legacy & (n_successors > 1)
    conditions = [
        ~legacy,
        legacy & (n_successors == 0),
        # A whole merge goes by code even when `new_commune_code` names another unit: the household
        # was on that commune's list, and a move since is a movement the 2025 round records
        # (departed there, moved in here), not a reason to rewrite last years' lists.
        whole,
        divided & stated.notna() & stated_ok,
        divided & stated.notna(),
        divided & by_village.notna(),
        divided & frame["village_key"].isna(),
    ]
    rules = ["new_map", "", "code", "column", "", "village", ""]
    reasons = ["", "no_successor", "", "", "not_successor", "", "divided_no_target"]
    frame["rule"] = np.select(conditions, rules, default="")
    frame["reason"] = np.select(conditions, reasons, default="village_not_assigned")
    targets = [
        frame["commune_code"],
        pd.Series(pd.NA, index=frame.index, dtype="string"),
        frame["commune_code"].map(only).astype("string"),
        stated,
        pd.Series(pd.NA, index=frame.index, dtype="string"),
        by_village.astype("string"),
        pd.Series(pd.NA, index=frame.index, dtype="string"),
    ]
    choice = np.select(conditions, list(range(len(conditions))), default=-1)
    frame["target"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for i, values in enumerate(targets):
        hit = choice == i
        frame.loc[hit, "target"] = values[hit]

    placed_now = frame["reason"] == ""
    province_of = target.units["province_code"]
    elsewhere = placed_now & (frame["target"].map(province_of) != province)
    frame.loc[elsewhere, "reason"] = "other_province"
    frame.loc[elsewhere, "new_commune_code"] = frame.loc[elsewhere, "target"]
    placed_now &= ~elsewhere
    # Two rows landing on one (unit, id, year) — the same id used by two old communes now merged,
    # or a relinked row meeting its new id's own row — cannot both be one household's status.
    clash = placed_now & frame.duplicated(["target", "household_id", "year"], keep=False)
    frame.loc[clash, "reason"] = "duplicate_id"
    placed_now &= ~clash

    frame["recorded_commune_code"] = frame["commune_code"]
    placed = frame.loc[placed_now].assign(commune_code=lambda f: f["target"])
    placed = placed.loc[:, list(PLACED_COLUMNS)].reset_index(drop=True)
    placed["commune_code"] = placed["commune_code"].astype(str)
    unplaced = frame.loc[~placed_now, list(UNPLACED_COLUMNS)].reset_index(drop=True)
    return Rehomed(province, target.id, placed, unplaced)
