"""Bytes of a CSV export → text. UTF-8 (with or without BOM) first, then Windows-1258."""

from __future__ import annotations

import codecs

from rasoat.text import nfc


def decode_text(content: bytes) -> tuple[str, str]:
    """Return (text, encoding). Windows-1258 writes tone marks as separate combining characters,
    so every result is NFC-composed: 'Mã hộ' then compares equal whatever the encoding."""
    if content.startswith(codecs.BOM_UTF8):
        return nfc(content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return nfc(content.decode("utf-16")), "utf-16"
    try:
        return nfc(content.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        # Any byte sequence decodes under cp1258 except a few undefined bytes; those mean binary.
        return nfc(content.decode("cp1258")), "cp1258"
