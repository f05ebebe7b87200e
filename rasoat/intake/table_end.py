"""Rows that belong to the list's layout, not to its households: total rows and what lies below the table.

An official list ends with a total row ("Tổng cộng", "Cộng"), the place-and-date line ("Cam Lộ, ngày
15 tháng 11 năm 2024"), the signature block ("Người lập biểu", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
"(Ký, ghi rõ họ tên)", the signers' names) and notes ("Ghi chú: …"); some lists also add a "Cộng thôn"
row after each village. Any of these may be written in any column, often in cells merged across
several. Read as households they give errors about a signer's name in an indicator column, or show
that name as a household id.

Decisions:
- a total row is a row whose household-id cell is blank (or holds the label itself), whose head name
  is blank, and one of whose cells, folded, is a total label ("tổng cộng", "cộng", "tổng số",
  optionally followed by the unit it sums: "cộng thôn 1", "tổng cộng toàn xã"). It is skipped
  wherever it is. A village named "Cộng Hòa" is not a label, and a row with a household id is a
  household whatever its village says;
- the table ends at its last household, the last row with at least DENSE_CELLS cells given in the
  known columns (a signature line has a few). Below it, from the first row holding a total label,
  a place-and-date line, a signature title or a note, every row is the table's end and is skipped.
  Rows between the last household and that marker stay households (a household typed in part is the
  commune's to complete, not ours to drop). Without a marker, only a tail of sparse rows holding text
  without any digit (signers' names under a title drawn in a text box) is cut: it has no household
  id, and shown as one it would put a signer's name in the feedback.

Only the rows whose id cell is blank (or starts like a total label) and the rows below the last
household are looked at cell by cell: a province's millions of household rows cost a few
vectorised passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat.text import fold

DENSE_CELLS = 5  # a household gives at least its id, commune, village, head, ethnicity, members
TRAILER_SCAN = 200  # non-blank rows below the last household looked at for the end marker
TRAILER_ROWS = 2000  # rows below the last household looked at (blank ones included)

# What a total may name after its label: the unit it sums, or a count ("Cộng: 5 hộ").
_UNITS = r"thon|to|to dan pho|xom|ban|ap|khu|khom|lang|buon|bon|doi|cum|xa|phuong|thi tran|toan xa|\d+"
_TOTAL = re.compile(rf"(?:tong cong|tong so|tong|cong)(?: (?:{_UNITS}|toan phuong|cac thon|so ho|ho)\b.*)?")
# A cheap first filter on the raw id cell: does it start like a total label?
_TOTAL_START = re.compile(r"^\s*(?:t[ổôo]ng|c[ộôo]ng)", re.IGNORECASE)
_LABEL_WORDS = ("tổng", "tông", "tong", "cộng", "công", "cong")
_PLACE_DATE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
_SIGNATURE = (
    "nguoi lap",
    "nguoi ky",
    "tm ",
    "t m ",
    "kt ",
    "k t ",
    "chu tich",
    "pho chu tich",
    "ky ",
    "ky ten",
    "xac nhan",
    "truong thon",
    "truong ban",
    "pho truong ban",
    "can bo",
    "cong chuc",
    "thu truong",
    "ban chi dao",
    "ke toan",
    "uy ban nhan dan",
    "ubnd",
    "dai dien",
    "thu ky",
    "giam doc",
)
_NOTE = ("ghi chu", "chu thich", "luu y", "chu y")
_DIGIT = re.compile(r"\d")

REASONS_VI = {
    "total_row": "dòng tổng cộng",
    "place_date": "dòng địa danh, ngày tháng",
    "signature": "khối chữ ký",
    "note": "ghi chú",
    "below_table": "dòng bên dưới bảng (tên người ký, …)",
}


@dataclass(frozen=True)
class LayoutRows:
    totals: list[int]  # spreadsheet rows of total rows inside the table
    end: list[tuple[int, str]]  # (row, reason) of the rows below the last household, skipped
    drop: pd.Series  # bool, by spreadsheet row: rows that are not households


def _folded(value: object) -> str:
    return fold(value) if isinstance(value, str) else ""


def _is_total(value: object) -> bool:
    return isinstance(value, str) and _TOTAL.fullmatch(_folded(value)) is not None


def _marker(value: object) -> str | None:
    """What a cell below the table is, if it marks the table's end."""
    if not isinstance(value, str):
        return None
    text = _folded(value)
    if not text:
        return None
    if _TOTAL.fullmatch(text):
        return "total_row"
    if _PLACE_DATE.search(text):
        return "place_date"
    if any(text == p.strip() or text.startswith(p if p.endswith(" ") else p + " ") for p in _SIGNATURE):
        return "signature"
    if text.startswith(_NOTE) or value.lstrip().startswith("*"):
        return "note"
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _only_words(nonblank: list[int], k: int, values: np.ndarray) -> bool:
    """Sparse rows at the very end holding only text without a digit (the signers' names under a
    signature title lost in a picture or a text box): no household id, no number, so no household.
    Only when every non-blank row from this one down is such a row."""
    rest = nonblank[nonblank.index(k) :]
    return all(
        all(isinstance(v, str) and not _DIGIT.search(v) for v in values[i] if not _blank(v)) for i in rest
    )


def _row_marker(values: np.ndarray) -> str | None:
    for value in values:
        found = _marker(value)
        if found is not None:
            return found
    return None


def total_rows(
    raw: pd.DataFrame, keep: pd.Series, ids: pd.Series | None, heads: pd.Series | None
) -> pd.Series:
    """Kept rows that are total rows (see the module's decisions)."""
    totals = pd.Series(False, index=raw.index)
    if ids is None or not keep.any():
        return totals
    missing = ids.isna().to_numpy()
    candidates = keep.to_numpy() & missing
    strings = ids[~missing]
    if pd.api.types.infer_dtype(strings, skipna=False) != "string":  # numbers typed as ids
        strings = strings.astype(str)
    # One substring search over the joined, lower-cased column (C speed) tells whether any id cell
    # could be a label ("Tổng cộng" typed in the id column); only then is each cell matched.
    joined = "\n".join(strings.tolist()).lower()
    if any(word in joined for word in _LABEL_WORDS):
        labelled = np.flatnonzero(~missing)[strings.str.match(_TOTAL_START).to_numpy(dtype=bool)]
        candidates[labelled] = keep.to_numpy()[labelled]
    candidates = pd.Series(candidates, index=raw.index)
    if not candidates.any():
        return totals
    if heads is not None:  # a named head makes a household; folded only on the few candidates
        named = heads[candidates.to_numpy()]
        named = named[named.notna().to_numpy()]
        not_total = named.index[~named.map(_is_total).to_numpy(dtype=bool)]
        candidates.loc[not_total] = False
    if not candidates.any():
        return totals
    block = raw.loc[candidates]
    found = np.zeros(len(block), dtype=bool)
    for j in block.columns:  # the few columns, each over the few candidate rows
        column = block[j]
        texts = column[column.map(type).eq(str).to_numpy()]
        if len(texts):
            hit = texts.map(_is_total).to_numpy(dtype=bool)
            found[block.index.get_indexer(texts.index[hit])] = True
    totals.loc[block.index[found]] = True
    return totals


def layout_rows(raw: pd.DataFrame, keep: pd.Series, given: np.ndarray, totals: pd.Series) -> LayoutRows:
    """Total rows and the table's end. `given`: known-column cells given per row; `keep`: non-blank."""
    drop = totals.copy()
    households = keep.to_numpy() & (given >= DENSE_CELLS) & ~totals.to_numpy()
    end: list[tuple[int, str]] = []
    positions = np.flatnonzero(households)
    if len(positions):
        below = raw.iloc[positions[-1] + 1 : positions[-1] + 1 + TRAILER_ROWS]
        values = below.to_numpy(dtype=object)
        nonblank = [k for k in range(len(values)) if not all(map(_blank, values[k]))][:TRAILER_SCAN]
        for k in nonblank:
            reason = _row_marker(values[k])
            if reason is None and not end and not _only_words(nonblank, k, values):
                continue  # between the last household and the marker: still households
            end.append((int(below.index[k]), reason or "below_table"))
        if end:
            first = end[0][0]
            drop |= drop.index >= first
    total_list = [int(r) for r in totals[totals].index if not end or r < end[0][0]]
    return LayoutRows(totals=total_list, end=end, drop=drop)
