"""Deterministic, realistic sample data: one workbook per commune, plus history.

    generate_district("468", 2026, Path("out"), seed=1)  # the communes of a legacy district
    generate_communes("44", 2026, ["19597", "19603"], Path("out"), seed=1)  # units of the year's map

write `<commune_code>.xlsx` (sheets `ho` and `thanh_vien`), `history.csv` (previous approved
rounds of the standard's period) and `manifest.json` (counts, file hashes, injected errors); for
units of the two-tier map that took part of a divided old commune, also `assignments.csv`.

After the July 2025 reform a new commune's households come from its old constituent communes and
keep their ids (prefixed by the old code); history rows of the years before the reform are under
the old codes, later ones under the new codes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rasoat import unit_codes
from rasoat.admin.maps import AdminMap, UnknownUnitError, admin_map, legacy_map
from rasoat.admin_units import communes_of
from rasoat.classifier import classify
from rasoat.generate import errors as error_kinds
from rasoat.generate.history import draw_history
from rasoat.generate.households import (
    Home,
    allocate,
    draw_attributes,
    draw_deprivations,
    draw_income,
    legacy_homes,
)
from rasoat.generate.members import draw_members, eligibility, services
from rasoat.generate.profiles import Profile, has_profile, load_profile, profile_or_generic
from rasoat.generate.writer import write_workbook
from rasoat.standards import standard_for_year

# Part of the input cache's key (rasoat.generate.cache): bump when the same arguments give other data.
GENERATOR_VERSION = "3"
ASSIGNMENTS_FILE = "assignments.csv"
# Household columns the generator adds for itself: the commune whose workbook lists the household
# (fixed before mistakes change `commune_code`) and the one its id was made in.
HELPER_COLUMNS = ("workbook", "registered_commune")
ASSIGNMENT_COLUMNS = ["commune_code", "village", "new_commune_code"]
# A former town or ward is larger than a rural commune merged with it.
URBAN_HOME_WEIGHT = 1.5
_TYPE_WORD = re.compile(r"^(Thị trấn|Thị xã|Phường|Xã|Đặc khu)\s+")


class GeneratorInconsistencyError(AssertionError):
    """The generated data does not classify to the status it was generated for (a generator bug)."""


@dataclass
class GenerationResult:
    district_code: str | None  # None: communes of a province chosen one by one
    year: int
    seed: int
    out_dir: Path
    files: list[Path]
    history_path: Path
    manifest_path: Path
    households: int
    members: int
    communes: dict[str, dict[str, int]] = field(default_factory=dict)
    injected: list[dict[str, str]] = field(default_factory=list)
    province_code: str | None = None
    assignments_path: Path | None = None  # villages of divided old communes, when there are any


@dataclass(frozen=True)
class Scope:
    """What to generate: the units given a workbook, where their households were registered, the
    calibration profile, and the numbers the random draws start from."""

    communes: list[str]  # workbook units, in code order
    homes: list[Home]
    profile: Profile
    entropy: list[int]
    households: int  # the default total
    district_code: str | None = None
    province_code: str | None = None
    area_of: dict[str, str] | None = None  # area of each workbook unit when not its homes'
    divided: frozenset[str] = frozenset()  # homes split between successors
    reform: bool = False  # units of the two-tier map: history and assignments carry the conversion


@dataclass(frozen=True)
class Frames:
    households: pd.DataFrame
    members: pd.DataFrame
    history: pd.DataFrame
    injected: list[dict[str, str]]
    assignments: pd.DataFrame  # villages of divided homes (empty without any)


def district_scope(district_code: str, year: int, seed: int) -> Scope:
    profile = load_profile(district_code)
    communes = communes_of(district_code)
    return Scope(
        communes=[c.code for c in communes],
        homes=legacy_homes(communes),
        profile=profile,
        # Entropy from (district, year, seed): the same call always draws the same numbers.
        entropy=[int(district_code), year, seed],
        households=int(profile["households"]),
        district_code=unit_codes.district_code(district_code),
    )


def _requested(amap: AdminMap, province: str, communes: Sequence[str | int]) -> list[str]:
    """The codes asked for, each a unit of the year's map in `province` (refused otherwise, a closed
    code with the units that replaced it)."""
    if not communes:
        raise UnknownUnitError(f"chưa chọn xã nào của tỉnh {province}")
    amap.province_name(province)  # an unknown province is refused with its own message
    codes = sorted({unit_codes.commune_code(c) for c in communes})
    for code in codes:
        unit = amap.commune(code)
        if unit.province_code != province:
            raise UnknownUnitError(
                f"mã xã {code} ({unit.name}) thuộc {amap.province_name(unit.province_code)}, "
                f"không thuộc {amap.province_name(province)} ({province}) trong {amap.name_vi}"
            )
    return codes


def _old_unit(code: str, name: str, area: str) -> tuple[str, str]:
    """An old commune's village word and short name ("Thôn", "Cam Thành"), from the old map when it
    is there (a few were created in 2025 and are only in the conversion table)."""
    old = legacy_map()
    if old.has(code):
        unit = old.commune(code)
        area, name = unit.area_type, unit.name
    return ("Tổ dân phố" if area == "urban" else "Thôn"), _TYPE_WORD.sub("", name)


def commune_scope(province: str, year: int, communes: Sequence[str | int], seed: int) -> Scope:
    """Units of `year`'s map in `province`. On the two-tier map their households come from the old
    communes they were made of: each keeps its registration commune (and id); a divided old commune's
    villages are split between its successors, and only the requested ones get households."""
    province = unit_codes.province_code(province)
    amap = admin_map(year)
    codes = _requested(amap, province, communes)
    entropy = [int(province), year, seed, *map(int, codes)]
    if not amap.is_two_tier:
        units = [amap.commune(c) for c in codes]
        district = units[0].parent_code
        profile = load_profile(district)
        share = len(units) / len(amap.communes_of(district))
        return Scope(
            communes=codes,
            homes=[Home(u.code, u.area_type) for u in units],
            profile=profile,
            entropy=entropy,
            households=max(round(profile["households"] * share), len(units)),
            province_code=province,
        )

    area_of = {c: amap.area_type(c) for c in codes}
    homes: dict[str, Home] = {}
    pieces = 0.0  # old communes being generated, a divided one counted by the share of its parts
    for code in codes:
        for old in amap.constituents(code):
            if old.code in homes:  # a divided commune's other part, already placed
                continue
            successors = tuple(s.code for s in amap.successors(old.code)) if old.divided else (code,)
            wanted = frozenset(s for s in successors if s in area_of)
            label, short = _old_unit(old.code, old.name, amap.area_type(code))
            share = len(wanted) / len(successors)
            pieces += share
            homes[old.code] = Home(
                code=old.code,
                area_type=area_of[code],
                village_label=label,
                village_suffix=f" {short}",
                weight=(URBAN_HOME_WEIGHT if label == "Tổ dân phố" else 1.0) * share,
                successors=successors,
                wanted=wanted,
            )
        if not amap.constituents(code):  # an island unit created anew: its own households
            homes[code] = Home(code, area_of[code], successors=(code,), wanted=frozenset({code}))
            pieces += 1

    # The former district of the first unit with a profile calibrates all (a round's communes are
    # usually neighbours); households by default: that district's size per old commune.
    districts = [amap.former_district(c) for c in codes]
    with_profile = [d for d in districts if d is not None and has_profile(d)]
    first_old = next((c for code in codes for c in amap.constituents(code)), None)
    birth = first_old.province_code if first_old else province
    profile = profile_or_generic(with_profile[0] if with_profile else None, birth)
    if "households_per_commune" in profile.values:
        households = round(profile["households_per_commune"] * pieces)
    else:
        size = len(legacy_map().communes_of(profile.code))
        households = round(profile["households"] * pieces / size)
    return Scope(
        communes=codes,
        homes=sorted(homes.values(), key=lambda h: h.code),
        profile=profile,
        entropy=entropy,
        households=max(households, len(homes)),
        province_code=province,
        area_of=area_of,
        divided=frozenset(h.code for h in homes.values() if h.divided),
        reform=True,
    )


def _under_codes_of_their_year(history: pd.DataFrame) -> pd.DataFrame:
    """Rows of a year on the three-level map only under a code that year's map has. A ward formed
    on 1 January 2025 from wards merged then is in the conversion table but not on the old map: no
    list was kept under its code in 2022–2024, and `rasoat baseline import` refuses such rows, so
    its households have lists from the two-tier years only."""
    years = history["year"].drop_duplicates().tolist()
    maps = {int(y): admin_map(int(y)) for y in years}
    keep = pd.Series(True, index=history.index)
    for y, amap in maps.items():
        if not amap.is_two_tier:
            rows = (history["year"] == y).to_numpy()
            keep[rows] = history.loc[rows, "commune_code"].isin(amap.units.index).to_numpy()
    return history.loc[keep].reset_index(drop=True)


def build(scope: Scope, year: int, *, households: int | None = None, error_rate: float = 0.0) -> Frames:
    """The scope's households, members, history and village assignments as frames (no files)."""
    profile = scope.profile
    standard = standard_for_year(year)
    rng = np.random.default_rng(np.random.SeedSequence(scope.entropy))
    total = int(households or scope.households)

    hh, assignments = allocate(rng, profile, scope.homes, total, standard, scope.area_of)
    hh = draw_attributes(rng, profile, hh)
    hh = draw_income(rng, profile, hh, standard)
    members = draw_members(rng, profile, hh, year)
    hh = draw_deprivations(rng, profile, hh, eligibility(hh, members), standard)
    members = services(rng, hh, members)

    heads = members.loc[members["position"] == 0].set_index("row")
    hh["head_name"] = heads["full_name"].reindex(hh.index).to_numpy()
    hh["head_id_number"] = heads["id_number"].reindex(hh.index).to_numpy()
    hh["reported_status"] = hh["status"]
    members["birth_text"] = _birth_text(members)

    check = classify(hh, standard)
    wrong = (check["status"].astype(object) != hh["status"]).to_numpy()
    if wrong.any():
        raise GeneratorInconsistencyError(
            f"{int(wrong.sum())} generated households do not classify as intended, e.g. "
            f"{', '.join(hh.loc[wrong, 'household_id'].head(5))}"
        )

    two_tier = frozenset(y for y in range(standard.first_year, year) if admin_map(y).is_two_tier)
    history = draw_history(
        rng,
        profile,
        hh,
        year,
        standard.first_year,
        two_tier_years=two_tier if scope.reform else frozenset(),
        divided=scope.divided,
        reform_columns=scope.reform,
    )
    if scope.reform:
        history = _under_codes_of_their_year(history)
    # Which workbook a household goes to, fixed before mistakes (one may change commune_code).
    hh["workbook"] = hh["commune_code"].to_numpy(dtype=object)
    injected = error_kinds.inject(rng, hh, members, error_rate) if error_rate > 0 else []
    return Frames(hh, members, history, injected, assignments)


def _birth_text(members: pd.DataFrame) -> np.ndarray:
    """dd/mm/yyyy, or the year alone; formatted once per distinct date (far fewer than people)."""
    codes, dates = pd.factorize(members["birth_date"])
    full = np.asarray(dates.strftime("%d/%m/%Y"), dtype=object)[codes]
    year = np.asarray(dates.year.astype(str), dtype=object)[codes]
    return np.where(members["year_only"].to_numpy(), year, full)


def build_district(
    district_code: str, year: int, *, seed: int = 0, households: int | None = None, error_rate: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[dict[str, str]]]:
    """The district's households, members and history as frames (no files), plus injected errors."""
    frames = build(
        district_scope(district_code, year, seed), year, households=households, error_rate=error_rate
    )
    # The frames as before the reform's helpers (for a district they repeat `commune_code`).
    hh = frames.households.drop(columns=list(HELPER_COLUMNS))
    return hh, frames.members, frames.history, frames.injected


def build_communes(
    province: str,
    year: int,
    communes: Sequence[str | int],
    *,
    seed: int = 0,
    households: int | None = None,
    error_rate: float = 0.0,
) -> Frames:
    """Units of `year`'s map in `province` as frames (no files): see `commune_scope`."""
    scope = commune_scope(province, year, communes, seed)
    return build(scope, year, households=households, error_rate=error_rate)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate_district(
    district_code: str,
    year: int,
    out_dir: Path,
    *,
    seed: int = 0,
    households: int | None = None,
    error_rate: float = 0.0,
    progress: Callable[[str, int], None] | None = None,
) -> GenerationResult:
    """One workbook per commune of a legacy (three-level) district, plus history."""
    scope = district_scope(district_code, year, seed)
    frames = build(scope, year, households=households, error_rate=error_rate)
    return _write(scope, frames, out_dir, year, seed, error_rate, progress)


def generate_communes(
    province: str,
    year: int,
    communes: Sequence[str | int],
    out_dir: Path,
    *,
    seed: int = 0,
    households: int | None = None,
    error_rate: float = 0.0,
    progress: Callable[[str, int], None] | None = None,
) -> GenerationResult:
    """One workbook per unit of `year`'s map in `province` (see `commune_scope`), plus history and,
    when a divided old commune is among their constituents, `assignments.csv`."""
    scope = commune_scope(province, year, communes, seed)
    frames = build(scope, year, households=households, error_rate=error_rate)
    return _write(scope, frames, out_dir, year, seed, error_rate, progress)


def _write(
    scope: Scope,
    frames: Frames,
    out_dir: Path,
    year: int,
    seed: int,
    error_rate: float,
    progress: Callable[[str, int], None] | None,
) -> GenerationResult:
    hh, members = frames.households, frames.members
    out_dir.mkdir(parents=True, exist_ok=True)
    files, per_commune = [], {}
    workbook = hh["workbook"].to_numpy(dtype=object)
    member_workbook = workbook[members["row"].to_numpy()]
    for code in scope.communes:
        mine = hh.loc[workbook == code]
        theirs = member_workbook == code
        path = out_dir / f"{code}.xlsx"
        write_workbook(path, mine, members.loc[theirs])
        files.append(path)
        counts = mine["status"].value_counts()
        per_commune[code] = {
            "households": len(mine),
            "members": int(theirs.sum()),
            **{s: int(counts.get(s, 0)) for s in ("poor", "near_poor", "mstb", "non_poor")},
        }
        if progress:
            progress(code, len(mine))

    history_path = out_dir / "history.csv"
    frames.history.to_csv(history_path, index=False, lineterminator="\n")
    written = [*files, history_path]
    assignments_path = None
    if scope.reform and not frames.assignments.empty:
        assignments_path = out_dir / ASSIGNMENTS_FILE
        frames.assignments[ASSIGNMENT_COLUMNS].to_csv(assignments_path, index=False, lineterminator="\n")
        written.append(assignments_path)
    where = (
        {"district_code": scope.district_code}
        if scope.district_code
        else {"province_code": scope.province_code, "map": admin_map(year).id}
    )
    manifest = {
        "generator_version": GENERATOR_VERSION,
        **where,
        "year": year,
        "seed": seed,
        "standard": standard_for_year(year).label,
        "households": len(hh),
        "members": len(members),
        "communes": per_commune,
        "files": {p.name: _sha256(p) for p in written},
        "error_rate": error_rate,
        "injected_errors": frames.injected,
    }
    if scope.reform:
        manifest["registered_in"] = {h.code: sorted(h.wanted) for h in scope.homes}
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return GenerationResult(
        district_code=scope.district_code,
        year=year,
        seed=seed,
        out_dir=out_dir,
        files=files,
        history_path=history_path,
        manifest_path=manifest_path,
        households=len(hh),
        members=len(members),
        communes=per_commune,
        injected=frames.injected,
        province_code=scope.province_code,
        assignments_path=assignments_path,
    )
