"""Which commune and district a received file belongs to, on the map of the review year."""

from __future__ import annotations

from dataclasses import dataclass

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, UnknownUnitError, admin_map, legacy_map
from rasoat.unit_codes import commune_codes_in


class UnidentifiedCommuneError(ValueError):
    """The file's commune cannot be told from its name or the command line, or is not on the map."""


@dataclass(frozen=True)
class Filing:
    commune_code: str
    district_code: str


def identify(
    file_name: str,
    commune_code: str | None = None,
    district_code: str | None = None,
    year: int | None = None,
) -> Filing:
    """The commune is given explicitly, or is the 5-digit code in the file name (`19597.xlsx`,
    `xa-19597-v2.xlsx`); the district is the commune's own and, when given, must match it.

    The code must exist on the map of the review `year`: a code closed by the July 2025 reform is
    refused with the units it went to. Without a year the three-level map is used (the callers that
    run district rounds and pass no year yet).

    On the two-tier map a commune has no district; rounds are still keyed by district, so the file
    is filed under the former district of the unit's seat (the old unit whose code it kept, from the
    conversion table): the grouping a province keeps to compare with the years before the reform.

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
    own_district = _district_of(units, unit.code, unit.name)
    if district_code is not None and own_district != unit_codes.district_code(district_code):
        raise UnidentifiedCommuneError(
            f"xã {unit.code} ({unit.name}) thuộc huyện {own_district}, không thuộc huyện {district_code}"
        )
    return Filing(unit.code, own_district)


def _district_of(units: AdminMap, code: str, name: str) -> str:
    if not units.is_two_tier:
        return units.parent_of(code)
    former = units.former_district(code)
    if former is None:
        # The few island units created without an old commune have no former district to file under.
        raise UnidentifiedCommuneError(
            f"{name} ({code}) không có huyện cũ tương ứng: chưa tiếp nhận được tệp theo huyện cho đơn vị này"
        )
    return former
