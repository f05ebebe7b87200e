"""Which commune a received file belongs to, and the unit its round consolidates (district or
province), on the map of the review year."""

from __future__ import annotations

from dataclasses import dataclass

from rasoat.admin.maps import UnknownUnitError, admin_map, legacy_map
from rasoat.admin.scope import DISTRICT, LEVEL_VI, PROVINCE, normalise
from rasoat.unit_codes import commune_codes_in


class UnidentifiedCommuneError(ValueError):
    """The file's commune cannot be told from its name or the command line, or is not on the map."""


@dataclass(frozen=True)
class Filing:
    commune_code: str
    scope_code: str  # the unit its round consolidates: its district (three-level map) or province


def identify(
    file_name: str,
    commune_code: str | None = None,
    scope_code: str | None = None,
    year: int | None = None,
) -> Filing:
    """The commune is given explicitly, or is the 5-digit code in the file name (`19597.xlsx`,
    `xa-19597-v2.xlsx`); its round's scope is the commune's own (its district on the three-level map,
    its province on the two-tier map) and, when given, must match it.

    The code must exist on the map of the review `year`: a code closed by the July 2025 reform is
    refused with the units it went to. Without a year the three-level map is used.

    The commune is never taken from the file's contents: a file is filed under the commune that sent
    it, and a `commune_code` column disagreeing with that is a validation finding, not a redirect."""
    code = commune_code
    if code is None:
        found = commune_codes_in(file_name)
        if len(set(found)) != 1:
            raise UnidentifiedCommuneError(
                f"không xác định được xã của tệp '{file_name}': đặt tên tệp theo mã xã (ví dụ 19597.xlsx) "
                "hoặc dùng --commune"
            )
        code = found[0]
    units = legacy_map() if year is None else admin_map(year)
    try:
        unit = units.commune(code)
    except UnknownUnitError as exc:
        raise UnidentifiedCommuneError(str(exc)) from None
    except ValueError:
        raise UnidentifiedCommuneError(f"mã xã {code} không có trong danh mục đơn vị hành chính") from None
    level = PROVINCE if units.is_two_tier else DISTRICT
    if scope_code is not None and unit.parent_code != normalise(level, scope_code):
        raise UnidentifiedCommuneError(
            f"{unit.name} ({unit.code}) thuộc {LEVEL_VI[level]} {unit.parent_code}, "
            f"không thuộc {LEVEL_VI[level]} {normalise(level, scope_code)}"
        )
    return Filing(unit.code, unit.parent_code)
