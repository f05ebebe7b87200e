"""Generated inputs for the scale benchmark, cached in a work directory and reused between runs.

    .venv/bin/python benchmarks/scale_data.py --work-dir /tmp/rasoat-bench [--province-households 380000]

The province is Hà Tĩnh (42): its 12 legacy districts and 210 communes, ≈ 380,000 households shared
out by number of communes. Only Thành phố Hà Tĩnh (436) has a calibration profile in data/districts,
so the work directory gets its own data directory (RASOAT_DATA_DIR) with a benchmark profile per
other district: rural Hà Tĩnh shapes (Cam Lộ's profile, province-wide rates), synthetic, not
calibrated. Generating the province takes several minutes; a district already generated with the same
size and seed (its manifest says so) is not generated again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from rasoat.admin_units import communes_of, districts
from rasoat.config import PROJECT_ROOT

YEAR = 2026
SEED = 7
PROVINCE = "42"  # Hà Tĩnh
PROVINCE_HOUSEHOLDS = 380_000
DISTRICT = "468"  # Cam Lộ: the project's calibrated sample district, ≈ 15,000 households
RURAL_TEMPLATE = "468"


@dataclass(frozen=True)
class Generated:
    district_code: str
    folder: Path
    households: int
    members: int
    communes: int


def prepare_data_dir(work_dir: Path) -> Path:
    """The project's data/ (standards, settings, profiles) plus benchmark profiles of Hà Tĩnh."""
    data = work_dir / "data"
    for part in ("standards", "districts"):
        shutil.copytree(PROJECT_ROOT / "data" / part, data / part, dirs_exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "data" / "consolidation.yaml", data / "consolidation.yaml")
    template = yaml.safe_load((PROJECT_ROOT / "data" / "districts" / f"{RURAL_TEMPLATE}.yaml").read_text())
    frame = districts()
    for row in frame.loc[frame["province_code"] == PROVINCE].itertuples():
        path = data / "districts" / f"{row.district_code}.yaml"
        if (PROJECT_ROOT / "data" / "districts" / path.name).exists():
            continue  # a real calibration profile wins
        profile = {
            **template,
            "code": row.district_code,
            "name": row.district_name,
            "birth_province_code": "042",
            # Hà Tĩnh's province-wide shape (benchmark only, not a calibration).
            "rates": {"poor": 0.028, "near_poor": 0.038, "mstb": 0.02},
            "previous_rates": {"poor": 0.033, "near_poor": 0.043},
            "ethnic_groups": {"Mường": 0.5, "Thái": 0.5},
            "ethnic_name_style": {"Mường": "kinh", "Thái": "kinh"},
        }
        path.write_text(
            "# Benchmark profile (synthetic, not calibrated): see benchmarks/scale_data.py\n"
            + yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    return data


def province_districts(province_code: str = PROVINCE) -> list[str]:
    frame = districts()
    codes = frame.loc[frame["province_code"] == province_code, "district_code"]
    return [c for c in codes if communes_of(c)]


def district_sizes(total: int, province_code: str = PROVINCE) -> dict[str, int]:
    """Households per district, in proportion to its number of communes."""
    counts = {code: len(communes_of(code)) for code in province_districts(province_code)}
    all_communes = sum(counts.values())
    return {code: round(total * n / all_communes) for code, n in counts.items()}


def _cached(folder: Path, households: int, seed: int) -> Generated | None:
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("seed") != seed or manifest.get("year") != YEAR:
        return None
    if abs(manifest["households"] - households) > len(manifest["communes"]):  # rounding per commune
        return None
    counts = (manifest["households"], manifest["members"], len(manifest["communes"]))
    return Generated(manifest["district_code"], folder, *counts)


def generate(work_dir: Path, district_code: str, households: int, seed: int = SEED) -> Generated:
    """One district's commune workbooks and history.csv under work_dir/files/<district>/<size>/."""
    from rasoat.generate import generate_district

    folder = work_dir / "files" / district_code / str(households)
    cached = _cached(folder, households, seed)
    if cached is not None:
        return cached
    started = time.perf_counter()
    result = generate_district(district_code, YEAR, folder, seed=seed, households=households)
    print(
        f"generated district {district_code}: {result.households:,} households, {len(result.files)} "
        f"communes in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return Generated(district_code, folder, result.households, result.members, len(result.files))


def generate_province(work_dir: Path, total: int, province_code: str = PROVINCE) -> list[Generated]:
    return [generate(work_dir, code, n) for code, n in district_sizes(total, province_code).items()]


# Province rounds on today's map (two-tier, from 2025): every unit of the province on the 2026 map.
TWO_TIER_SEED = 7
TWO_TIER_SHAPES: dict[str, tuple[str, int]] = {
    "hatinh": ("42", 380_000),  # Hà Tĩnh: 69 units
    "thanhhoa": ("38", 1_000_000),  # Thanh Hóa: 166 units
    "hcm": ("79", 4_000_000),  # Thành phố Hồ Chí Minh: 168 units
}


def two_tier_shape(shape: str, households: int | None = None) -> tuple[str, int]:
    """(province code, households) of a named shape; `households` overrides its size."""
    province, size = TWO_TIER_SHAPES[shape]
    return province, households or size


def two_tier_inputs(work_dir: Path, province: str, households: int, seed: int = TWO_TIER_SEED) -> Path:
    """Every unit of `province` on the 2026 map, from the seed cache under work_dir/generated
    (generated once: one <code>.xlsx per unit, history.csv, assignments.csv when needed)."""
    from rasoat.admin.maps import admin_map
    from rasoat.generate.cache import cached_generation

    codes = tuple(str(getattr(c, "code", c)) for c in admin_map(YEAR).communes_of(province))
    started = time.perf_counter()
    folder = cached_generation(
        year=YEAR,
        province=province,
        communes=codes,
        households=households,
        seed=seed,
        cache_dir=work_dir / "generated",
    )
    took = time.perf_counter() - started
    if took > 1:
        print(f"generated province {province}: {households:,} households, {len(codes)} units in {took:.0f} s")
    return folder


def use_data_dir(work_dir: Path) -> Path:
    """Point rasoat at the benchmark's data directory (before profiles or standards are loaded)."""
    data = prepare_data_dir(work_dir)
    os.environ["RASOAT_DATA_DIR"] = str(data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/rasoat-bench"))
    parser.add_argument("--province-households", type=int, default=PROVINCE_HOUSEHOLDS)
    parser.add_argument("--district-households", type=int, default=15_000)
    args = parser.parse_args()
    use_data_dir(args.work_dir)
    generate(args.work_dir, DISTRICT, args.district_households)
    parts = generate_province(args.work_dir, args.province_households)
    print(
        f"province {PROVINCE}: {sum(p.households for p in parts):,} households, "
        f"{sum(p.members for p in parts):,} members, {sum(p.communes for p in parts)} communes"
    )


if __name__ == "__main__":
    main()
