"""Which commune and district a received file belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from rasoat import unit_codes
from rasoat.admin_units import UnknownUnitError, commune
from rasoat.unit_codes import commune_codes_in


class UnidentifiedCommuneError(ValueError):
    """The file's commune cannot be told from its name or the command line."""


@dataclass(frozen=True)
class Filing:
    commune_code: str
    district_code: str


def identify(file_name: str, commune_code: str | None = None, district_code: str | None = None) -> Filing:
    """The commune is given explicitly, or is the 5-digit code in the file name (`19597.xlsx`,
    `xa-19597-v2.xlsx`); the district is the commune's own and, when given, must match it.

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
    try:
        unit = commune(code)
    except (UnknownUnitError, ValueError):
        raise UnidentifiedCommuneError(f"mã xã {code} không có trong danh mục đơn vị hành chính") from None
    if district_code is not None and unit.district_code != unit_codes.district_code(district_code):
        raise UnidentifiedCommuneError(
            f"xã {unit.code} ({unit.name}) thuộc huyện {unit.district_code}, "
            f"không thuộc huyện {district_code}"
        )
    return Filing(unit.code, unit.district_code)
