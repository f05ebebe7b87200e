"""Issuing agencies and signers: the People's Committee of a commune, district or province.

A unit is named as the round's administrative map names it: `commune_agency("19597")` (no year) is
the three-level map's "Thị trấn Cam Lộ" under "Huyện Cam Lộ"; `commune_agency("19597", 2026)` is
the two-tier map's "Xã Cam Lộ" of province 44 (Quảng Trị since July 2025), which has no district.

The agency block (box 2) is "ỦY BAN NHÂN DÂN" over the unit's name in capitals; the place name
(box 4) is the unit's name without its type ("Xã Cam Thành" → "Cam Thành"). The signature block
(box 7) follows Phụ lục III: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" for the collective, "KT. CHỦ TỊCH" /
"PHÓ CHỦ TỊCH" for a deputy, "CHỦ TỊCH" alone when the chairman decides in person.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, admin_map, legacy_map
from rasoat.admin_units import district_name
from rasoat.text import fold

UNIT_PREFIXES = (
    "Thị trấn ",
    "Thị xã ",
    "Thành phố ",
    "Phường ",
    "Huyện ",
    "Quận ",
    "Tỉnh ",
    "Xã ",
    "Đặc khu ",  # the 13 special zones of the two-tier map (Đặc khu Vân Đồn …)
)
UNKNOWN_SIGNER = "……………………"  # signed by hand: the name is written when the signer is known


@dataclass(frozen=True)
class Agency:
    key: str  # register key: "UBND-19597", "UBND-468", "UBND-45"
    level: str  # commune | district | province
    code: str
    unit_name: str  # "Xã Cam Thành"
    superior: str | None  # box 2's first line when the agency has a managing body (none for UBND)
    # Named on the two-tier map (from July 2025): no district above it, and its documents cite the
    # laws of that period (`bases.period_year`).
    two_tier: bool = False

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


def _map(year: int | None) -> AdminMap:
    """The map a unit is named on: the year's map, or the three-level map when no year is given
    (the callers that work by district, whose names must not change)."""
    return legacy_map() if year is None else admin_map(year)


def commune_agency(code: str, year: int | None = None) -> Agency:
    """The commune's People's Committee, its name with its legal type on the year's map ("Xã Cam
    Lộ", "Phường Thành Sen", "Đặc khu Vân Đồn"); a code the map no longer has is refused
    (`ClosedUnitError` names what replaced it)."""
    units = _map(year)
    unit = units.commune(code)
    return Agency(f"UBND-{unit.code}", "commune", unit.code, unit.name, None, units.is_two_tier)


def district_agency(code: str) -> Agency:
    code = unit_codes.district_code(code)
    return Agency(f"UBND-{code}", "district", code, district_name(code), None)


def province_agency(code: str, year: int | None = None) -> Agency:
    """The province's People's Committee on the year's map: codes changed in July 2025 (Quảng Trị
    was 45 and is 44, merged with Quảng Bình, whose code 44 was)."""
    units = _map(year)
    code = unit_codes.province_code(code)
    return Agency(f"UBND-{code}", "province", code, units.province_name(code), None, units.is_two_tier)


def superior_agency(commune: Agency, year: int) -> Agency:
    """The body a commune reports to: its district on the three-level map, its province on the
    two-tier map (there is no district since 01/07/2025)."""
    units = _map(year if commune.two_tier else None)
    unit = units.commune(commune.code)
    if commune.two_tier:
        return province_agency(unit.province_code, year)
    return district_agency(unit.parent_code)


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
