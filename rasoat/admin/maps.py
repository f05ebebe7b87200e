"""`AdminMap`: the administrative units of a review round, chosen by year from `data/admin/maps.yaml`.

The three-level map (province, district, commune) holds for rounds up to 2024; the two-tier map of
July 2025 (province, commune) from the 2025 round on. A commune's area type (rural or urban, which
selects the poverty standard's ceiling) is read from its legal type on its round's map, so the same
code can change area: 19597 was Thị trấn Cam Lộ (urban) and is Xã Cam Lộ (rural) since July 2025.
A code of the old map that the two-tier map no longer has is refused with the units it went to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, NoReturn

import pandas as pd
import yaml

from rasoat import unit_codes
from rasoat.admin import sources

MAPS_FILE = "maps.yaml"


class UnknownUnitError(LookupError):
    pass


class ClosedUnitError(UnknownUnitError):
    """A code the round's map no longer has; the message names what replaced it."""


class NoMapError(LookupError):
    """No administrative map is configured for the requested review year."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str  # with its type: "Xã Cam Lộ"
    unit_type: str  # the legal type: Xã, Phường, Thị trấn, Đặc khu
    area_type: str  # "rural" or "urban"
    parent_code: str  # the district on the three-level map, the province on the two-tier map
    province_code: str
    area_provisional: bool = False  # the type's area is configured but not confirmed [R]


@dataclass(frozen=True)
class Successor:
    """A new unit an old commune went to (wholly, or in part when it was divided)."""

    code: str
    name: str
    note: str  # the conversion table's "Ghi chú", normalised: "Nhập toàn bộ", "Nhập một phần", …


@dataclass(frozen=True)
class Constituent:
    """An old commune that went (wholly or in part) into a new unit."""

    code: str
    name: str
    note: str
    district_code: str
    district_name: str
    province_code: str
    divided: bool  # part of it went elsewhere too: its households cannot be re-homed by code alone


@dataclass(frozen=True, eq=False)
class AdminMap:
    id: str
    name_vi: str
    legal_basis: str
    first_year: int | None
    last_year: int | None
    is_two_tier: bool
    effective_from: dt.date | None
    # Indexed by commune code: name, unit_type, area_type, area_provisional, parent_code,
    # province_code, province_name.
    units: pd.DataFrame = field(repr=False)
    # Indexed by parent code (district or province): name, province_code, province_name.
    parents: pd.DataFrame = field(repr=False)
    conversion: pd.DataFrame | None = field(default=None, repr=False)
    # Old codes the conversion table lacks, with the successors the patch table gives (maybe none).
    unlisted_old: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    divided: frozenset[str] = field(default=frozenset(), repr=False)  # old codes split between units

    def covers(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )

    @property
    def parent_level_vi(self) -> str:
        return "tỉnh" if self.is_two_tier else "huyện"

    # Units ------------------------------------------------------------------------------------------

    def has(self, code: str | int) -> bool:
        return unit_codes.commune_code(code) in self.units.index

    def commune(self, code: str | int) -> Unit:
        code = unit_codes.commune_code(code)
        if code not in self.units.index:
            self._refuse(code)
        r = self.units.loc[code]
        return Unit(
            code,
            r["name"],
            r["unit_type"],
            r["area_type"],
            r["parent_code"],
            r["province_code"],
            bool(r["area_provisional"]),
        )

    def communes_of(self, parent: str | int) -> list[Unit]:
        """The units of a district (three-level map) or of a province (two-tier map), in code order."""
        parent = self._parent_code(parent)
        return [self.commune(c) for c in self.units.index[self.units["parent_code"] == parent]]

    def parent_of(self, code: str | int) -> str:
        return self.commune(code).parent_code

    def province_of(self, code: str | int) -> str:
        """The province (2 digits) of a commune."""
        return self.commune(code).province_code

    def province_of_parent(self, parent: str | int) -> str:
        return str(self.parents.loc[self._parent_code(parent), "province_code"])

    def parent_name(self, parent: str | int) -> str:
        return str(self.parents.loc[self._parent_code(parent), "name"])

    def province_name(self, province: str | int) -> str:
        code = unit_codes.province_code(province)
        names = self.parents.loc[self.parents["province_code"] == code, "province_name"]
        if names.empty:
            raise UnknownUnitError(f"không có tỉnh mã {code} trong {self._where()}")
        return str(names.iloc[0])

    def provinces(self) -> list[str]:
        return sorted(self.parents["province_code"].unique())

    def parents_of(self, province: str | int) -> list[str]:
        """The districts of a province on the three-level map; the province itself on the two-tier one."""
        code = unit_codes.province_code(province)
        return sorted(self.parents.index[self.parents["province_code"] == code])

    def area_type(self, code: str | int) -> str:
        return self.commune(code).area_type

    def area_by_commune(self) -> pd.Series:
        """Commune code → area type, for a vectorised `households["commune_code"].map(...)`."""
        return self.units["area_type"]

    def _parent_code(self, parent: str | int) -> str:
        code = unit_codes.province_code(parent) if self.is_two_tier else unit_codes.district_code(parent)
        if code not in self.parents.index:
            raise UnknownUnitError(f"không có {self.parent_level_vi} mã {code} trong {self._where()}")
        return code

    def _where(self) -> str:
        return f"danh mục đơn vị hành chính ({self.name_vi})"

    # The reform's conversion (two-tier map) ----------------------------------------------------------

    def successors(self, old_code: str | int) -> list[Successor]:
        """The new units an old commune went to: one for a whole merge, 2–5 when it was divided."""
        if self.conversion is None:
            return []
        code = unit_codes.commune_code(old_code)
        found = list(self._successors_by_old.get(code, ()))
        for new in self.unlisted_old.get(code, ()):
            found.append(Successor(new, self.commune(new).name, "bảng sửa lỗi data/admin/patches.yaml"))
        return found

    def constituents(self, new_code: str | int) -> list[Constituent]:
        """The old communes a new unit was made from (none for the few island units created anew)."""
        if self.conversion is None:
            return []
        return list(self._constituents_by_new.get(unit_codes.commune_code(new_code), ()))

    # The conversion table grouped once per map: a boolean mask over its 10,571 rows per lookup cost
    # milliseconds, and reports and the generator look up every unit of a province or the country.
    def _conversion_rows(self) -> Iterator[Any]:
        """The conversion's rows that name an old commune (island units created anew name none).
        Asked only of a map that has a conversion: the callers answer for one without."""
        assert self.conversion is not None
        return self.conversion.dropna(subset=["old_code"]).itertuples()

    @cached_property
    def _successors_by_old(self) -> dict[str, tuple[Successor, ...]]:
        found: dict[str, list[Successor]] = {}
        for r in self._conversion_rows():
            found.setdefault(r.old_code, []).append(Successor(r.new_code, r.new_name, r.note))
        return {code: tuple(rows) for code, rows in found.items()}

    @cached_property
    def _constituents_by_new(self) -> dict[str, tuple[Constituent, ...]]:
        found: dict[str, list[Constituent]] = {}
        for r in self._conversion_rows():
            found.setdefault(r.new_code, []).append(
                Constituent(
                    r.old_code,
                    r.old_name,
                    r.note,
                    r.old_district_code,
                    r.old_district_name,
                    r.old_province_code,
                    r.old_code in self.divided,
                )
            )
        return {code: tuple(rows) for code, rows in found.items()}

    def divided_codes(self) -> frozenset[str]:
        """Old codes split between several new units."""
        return self.divided

    def former_district(self, new_code: str | int) -> str | None:
        """The old district of the constituent whose code the new unit kept (its seat): a grouping
        for reports that compare with the years before the reform. None for units created anew."""
        for c in self.constituents(new_code):
            if c.code == unit_codes.commune_code(new_code):
                return c.district_code
        return None

    def former_districts(self, new_code: str | int) -> list[str]:
        """Every old district the unit's constituents belonged to: more than one for a unit formed
        across former districts, which comparisons with the years before the reform must flag."""
        return sorted({c.district_code for c in self.constituents(new_code)})

    def _refuse(self, code: str) -> NoReturn:
        if self.conversion is None or not (code in self.unlisted_old or code in self._successors_by_old):
            raise UnknownUnitError(f"mã xã {code} không có trong {self._where()}")
        since = self.effective_from.strftime("%d/%m/%Y") if self.effective_from else "khi đổi danh mục"
        went = self.successors(code)
        if not went:
            raise ClosedUnitError(
                f"mã xã {code} không còn từ {since}; bảng chuyển đổi đơn vị hành chính không ghi đơn vị "
                "nào thay nó: dùng mã xã mới"
            )
        names = [f"{s.name} ({s.code})" for s in went]
        if len(went) == 1:
            raise ClosedUnitError(f"mã xã {code} không còn từ {since}: nay thuộc {names[0]}")
        raise ClosedUnitError(
            f"mã xã {code} không còn từ {since}: được chia cho {', '.join(names[:-1])} và {names[-1]}"
        )


def _divided(conversion: pd.DataFrame) -> frozenset[str]:
    pairs = conversion.dropna(subset=["old_code"]).drop_duplicates(["old_code", "new_code"])
    counts = pairs["old_code"].value_counts()
    return frozenset(counts.index[counts > 1])


# Building the maps ----------------------------------------------------------------------------------


def _area(types: pd.Series, config: dict, source: str) -> tuple[pd.Series, pd.Series]:
    area_by_type: dict[str, str] = config["area_by_type"]
    unknown = sorted(set(types) - set(area_by_type))
    if unknown:
        raise sources.AdminDataError(f"{source}: unit types without an area in {MAPS_FILE}: {unknown}")
    provisional = set(config.get("provisional_types") or ())
    return types.map(area_by_type), types.isin(provisional)


def _three_level(config: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = sources.pre_reform()
    parents = (
        frame.drop_duplicates("district_code")
        .set_index("district_code")[["district_name", "province_code", "province_name"]]
        .rename(columns={"district_name": "name"})
        .rename_axis("code")
    )
    communes = frame.dropna(subset=["commune_code"]).drop_duplicates("commune_code")
    area, provisional = _area(communes["unit_type"], config, config["source"])
    units = pd.DataFrame(
        {
            "name": communes["commune_name"].to_numpy(),
            "unit_type": communes["unit_type"].to_numpy(),
            "area_type": area.to_numpy(),
            "area_provisional": provisional.to_numpy(),
            "parent_code": communes["district_code"].to_numpy(),
            "province_code": communes["province_code"].to_numpy(),
            "province_name": communes["province_name"].to_numpy(),
        },
        index=pd.Index(communes["commune_code"].to_numpy(), name="code"),
    )
    return units.sort_index(), parents.sort_index()


def _two_tier(config: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    conversion = sources.conversion()
    new = conversion.drop_duplicates("new_code")
    if conversion.drop_duplicates(["new_code", "new_name", "province_code"]).shape[0] != len(new):
        raise sources.AdminDataError(f"{config['source']}: a new code with two names or provinces")
    area, provisional = _area(new["new_type"], config, config["source"])
    units = pd.DataFrame(
        {
            "name": new["new_name"].to_numpy(),
            "unit_type": new["new_type"].to_numpy(),
            "area_type": area.to_numpy(),
            "area_provisional": provisional.to_numpy(),
            "parent_code": new["province_code"].to_numpy(),
            "province_code": new["province_code"].to_numpy(),
            "province_name": new["province_name"].to_numpy(),
        },
        index=pd.Index(new["new_code"].to_numpy(), name="code"),
    )
    provinces = new.drop_duplicates("province_code")
    parents = pd.DataFrame(
        {
            "name": provinces["province_name"].to_numpy(),
            "province_code": provinces["province_code"].to_numpy(),
            "province_name": provinces["province_name"].to_numpy(),
        },
        index=pd.Index(provinces["province_code"].to_numpy(), name="code"),
    )
    return units.sort_index(), parents.sort_index(), conversion


def _year(value: object) -> int | None:
    return None if value is None else int(value)


def _build(config: dict) -> AdminMap:
    common = {
        "id": config["id"],
        "name_vi": config["name_vi"],
        "legal_basis": config["legal_basis"],
        "first_year": _year(config.get("first_year")),
        "last_year": _year(config.get("last_year")),
        "is_two_tier": bool(config["two_tier"]),
        "effective_from": config.get("effective_from"),
    }
    if not common["is_two_tier"]:
        units, parents = _three_level(config)
        return AdminMap(**common, units=units, parents=parents)
    units, parents, conversion = _two_tier(config)
    unlisted = dict(sources.patches().legacy_only)
    return AdminMap(
        **common,
        units=units,
        parents=parents,
        conversion=conversion,
        unlisted_old=unlisted,
        divided=_divided(conversion),
    )


@cache
def all_maps() -> tuple[AdminMap, ...]:
    """Every configured map, in the order of `maps.yaml`."""
    raw = yaml.safe_load((sources.admin_dir() / MAPS_FILE).read_text(encoding="utf-8"))
    return tuple(_build(config) for config in raw["maps"])


def admin_map(year: int) -> AdminMap:
    """The map of the review round of `year`."""
    found = [m for m in all_maps() if m.covers(year)]
    if len(found) != 1:
        configured = "; ".join(f"{m.id} ({m.first_year or '…'}–{m.last_year or '…'})" for m in all_maps())
        raise NoMapError(
            f"năm {year}: cần đúng một danh mục đơn vị hành chính, có {len(found)} "
            f"(đã cấu hình: {configured})"
        )
    return found[0]


def legacy_map() -> AdminMap:
    """The three-level map (the latest one configured): what the module-level functions of
    `rasoat.admin_units` read, for the callers that work by district."""
    return [m for m in all_maps() if not m.is_two_tier][-1]
