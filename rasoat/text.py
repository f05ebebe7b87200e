"""Text normalisation shared by header matching and code-set matching."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENS = re.compile(r"\([^)]*\)")


def nfc(text: str) -> str:
    """Compose decomposed tone marks (Windows-1258 text decodes to combining characters)."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Trim, case-fold, drop diacritics and punctuation: 'Mã hộ', 'MA HO', 'ma_ho' all give 'ma ho'."""
    return _NON_ALNUM.sub(" ", strip_diacritics(str(text)).casefold()).strip()


def fold_compact(text: str) -> str:
    """fold() without any separators: 'H'Mông', 'H Mong', 'hmong' all give 'hmong'."""
    return fold(text).replace(" ", "")


def fold_header(text: str) -> str:
    """A header key: parenthesised units are ignored, so 'Thu nhập bình quân (đồng/người/tháng)'
    and 'Thu nhập bình quân' match the same column."""
    return fold(_PARENS.sub(" ", str(text)))


# Windows-1258 has single bytes for the Vietnamese base letters (â, ă, ê, ô, ơ, ư, đ) but writes the
# five tone marks as separate combining characters.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way Windows-1258 software writes it (decomposed tone marks)."""
    out: list[str] = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if c not in _TONE_MARKS)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258")
