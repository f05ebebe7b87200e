"""Normalising the official tables' text: NFC, single spaces, and the unit type's spelling.

The published files mix decomposed and composed Vietnamese, carry stray spaces and newlines, write
the type in varying case ("Thị Trấn", "xã", "Thị Xã") and once as "Xa" (for "Xã"). Names are
compared and shown in one canonical form; the word after the type (the proper name) is kept as
published, only its spacing is normalised.
"""

from __future__ import annotations

import re
import unicodedata

# Legal unit types, longest first so "Thị trấn" is not read as something shorter.
UNIT_TYPES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)
# Spellings of a type seen in the files that are not the canonical one (after case folding).
_TYPE_ALIASES = {"xa": "Xã"}
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFC, whitespace (spaces, newlines, tabs) collapsed to single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def split_type(name: str) -> tuple[str | None, str]:
    """`("Xã", "Cam Lộ")` for "xã  Cam Lộ"; `(None, name)` when the name starts with no known type."""
    name = clean(name)
    folded = name.casefold()
    for unit_type in UNIT_TYPES:
        if folded.startswith(unit_type.casefold() + " "):
            return unit_type, name[len(unit_type) + 1 :]
    first, _, rest = name.partition(" ")
    if rest and first.casefold() in _TYPE_ALIASES:
        return _TYPE_ALIASES[first.casefold()], rest
    return None, name


def canonical_name(name: str) -> str:
    """ "Thị trấn Mường Chà" for "Thị Trấn Mường Chà", "Xã Ea Kly" for "Xa Ea Kly"."""
    unit_type, rest = split_type(name)
    return rest if unit_type is None else f"{unit_type} {rest}"


# Notes of the conversion table, normalised so the same meaning compares equal.
_NOTE_FIXES = {"Nhâp một phần diện tích": "Nhập một phần diện tích"}


def clean_note(note: str) -> str:
    note = clean(note)
    return _NOTE_FIXES.get(note, note)
