"""Issuing agencies and signers: the People's Committee of a commune, district or province.

The agency block (box 2) is "ỦY BAN NHÂN DÂN" over the unit's name in capitals; the place name
(box 4) is the unit's name without its type ("Xã Cam Thành" → "Cam Thành"). The signature block
(box 7) follows Phụ lục III: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" for the collective, "KT. CHỦ TỊCH" /
"PHÓ CHỦ TỊCH" for a deputy, "CHỦ TỊCH" alone when the chairman decides in person.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasoat import unit_codes
from rasoat.admin_units import commune, district_name, province_name
from rasoat.text import fold

UNIT_PREFIXES = ("Thị trấn ", "Thị xã ", "Thành phố ", "Phường ", "Huyện ", "Quận ", "Tỉnh ", "Xã ")
UNKNOWN_SIGNER = "……………………"  # signed by hand: the name is written when the signer is known


@dataclass(frozen=True)
class Agency:
    key: str  # register key: "UBND-19597", "UBND-468", "UBND-45"
    level: str  # commune | district | province
    code: str
    unit_name: str  # "Xã Cam Thành"
    superior: str | None  # box 2's first line when the agency has a managing body (none for UBND)

    @property
    def name_upper(self) -> str:
        return f"ỦY BAN NHÂN DÂN {self.unit_name.upper()}"

    @property
    def block_lines(self) -> tuple[str, str]:
        return ("ỦY BAN NHÂN DÂN", self.unit_name.upper())

    @property
    def phrase(self) -> str:
        """The unit inside a sentence: its type in lower case, its name as written ("xã Cam Thành")."""
        for prefix in UNIT_PREFIXES:
            if self.unit_name.startswith(prefix):
                return prefix.lower() + self.unit_name.removeprefix(prefix)
        return self.unit_name

    @property
    def place(self) -> str:
        for prefix in UNIT_PREFIXES:
            if self.unit_name.startswith(prefix):
                return self.unit_name.removeprefix(prefix)
        return self.unit_name


@dataclass(frozen=True)
class Signature:
    authority: str | None  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", or None
    position: str  # "CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    name: str


def commune_agency(code: str) -> Agency:
    unit = commune(code)
    return Agency(f"UBND-{unit.code}", "commune", unit.code, unit.name, None)


def district_agency(code: str) -> Agency:
    code = unit_codes.district_code(code)
    return Agency(f"UBND-{code}", "district", code, district_name(code), None)


def province_agency(code: str) -> Agency:
    code = unit_codes.province_code(code)
    return Agency(f"UBND-{code}", "province", code, province_name(code), None)


def collective_signature(name: str = UNKNOWN_SIGNER) -> Signature:
    return Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", name)


def chairman_signature(name: str = UNKNOWN_SIGNER) -> Signature:
    return Signature(None, "CHỦ TỊCH", name)


def signature_for_position(position: str, name: str) -> Signature:
    """The block for a recorded approver: a vice-chairman signs "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" on behalf
    of the chairman, the chairman "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" for the committee."""
    folded = fold(position)
    if "pho chu tich" in folded:
        return Signature("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", name)
    if "chu tich" in folded:
        return Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", name)
    return Signature("TM. ỦY BAN NHÂN DÂN", position.upper(), name)
