"""Bytes of a CSV export → text.

Order: a byte-order mark decides (UTF-8, UTF-16 LE/BE: Excel's "Unicode text" export is UTF-16 LE
with a BOM and TAB separators); then BOM-less UTF-16 recognised by its zero bytes; then UTF-8; then
Windows-1258. A UTF-8 file whose last character was cut by an interrupted upload or copy stays
UTF-8 (the cut character is dropped; the short last line is reported by the reader).
"""

from __future__ import annotations

import codecs

from rasoat.text import nfc

_SAMPLE = 4096


def _utf16_without_bom(content: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the text looks like UTF-16 without a BOM: mostly-ASCII text has
    a zero byte in nearly every other position. Vietnamese letters outside ASCII still keep it."""
    sample = content[:_SAMPLE]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_text(content: bytes) -> tuple[str, str]:
    """Return (text, encoding). Windows-1258 writes tone marks as separate combining characters,
    so every result is NFC-composed: 'Mã hộ' then compares equal whatever the encoding.

    Raises UnicodeDecodeError when no encoding fits (bytes undefined in Windows-1258)."""
    if content.startswith(codecs.BOM_UTF8):
        return _utf8(content[len(codecs.BOM_UTF8) :]), "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if content.startswith(bom):
            body = content[len(bom) :]
            return nfc(body[: len(body) - len(body) % 2].decode(name)), "utf-16"
    utf16 = _utf16_without_bom(content)
    if utf16 is not None:
        return nfc(content[: len(content) - len(content) % 2].decode(utf16)), utf16
    try:
        return _utf8(content), "utf-8"
    except UnicodeDecodeError:
        # Any byte sequence decodes under cp1258 except a few undefined bytes; those mean binary.
        return nfc(content.decode("cp1258")), "cp1258"


def _utf8(content: bytes) -> str:
    try:
        return nfc(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        # Only the last character is incomplete: a cut file, not another encoding.
        if exc.reason == "unexpected end of data" and exc.start >= len(content) - 3:
            return nfc(content[: exc.start].decode("utf-8"))
        raise
