"""The shape of administrative unit codes: province 2 digits, district 3, commune 5, zero-padded text.

Codes arrive as numbers from spreadsheets (`468`, `19597.0` read as 19597) and as text from names
and URLs; every lookup normalises them here so `45`, `045` and `"45"` name the same unit.
"""

from __future__ import annotations

import re

# A commune's code inside a file name: `19597.xlsx`, `xa-19597-v2.xlsx`; not part of a longer number.
COMMUNE_CODE_IN_NAME = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def commune_codes_in(name: str) -> list[str]:
    """Every 5-digit code standing on its own in `name`, in order (a date or a phone number is not one)."""
    return COMMUNE_CODE_IN_NAME.findall(name)


def province_code(code: str | int) -> str:
    return f"{int(code):02d}"


def district_code(code: str | int) -> str:
    return f"{int(code):03d}"


def commune_code(code: str | int) -> str:
    return f"{int(code):05d}"
