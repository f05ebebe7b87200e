"""Generated inputs kept by their arguments: the same (scope, year, communes, households, seed,
errors, generator version) is generated once and then read from the cache.

    folder = cached_generation(year=2026, province="44", communes=["19597", "19603"], seed=1)

Benchmarks and demos ask for the same sample many times; generating and writing the workbooks is
most of their set-up. A folder appears complete or not at all: it is generated in a temporary
folder beside it and renamed into place, so a crash or a concurrent run never leaves half a sample.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rasoat import unit_codes
from rasoat.generate import GENERATOR_VERSION, generate_communes, generate_district


def default_cache_dir() -> Path:
    """RASOAT_HOME/cache/generated when RASOAT_HOME is set (one place per installation), else
    ~/.cache/rasoat/generated."""
    home = os.environ.get("RASOAT_HOME")
    base = Path(home).expanduser() / "cache" if home else Path.home() / ".cache" / "rasoat"
    return base / "generated"


def cache_key(
    *,
    year: int,
    district: str | None = None,
    province: str | None = None,
    communes: Sequence[str | int] = (),
    households: int | None = None,
    seed: int = 0,
    error_rate: float = 0.0,
) -> str:
    """The folder name for these arguments: readable scope and year, then a hash of everything."""
    if (district is None) == (province is None):
        raise ValueError("exactly one of district and province")
    codes = sorted({unit_codes.commune_code(c) for c in communes})
    scope = (
        f"d{unit_codes.district_code(district)}"
        if district is not None
        else f"p{unit_codes.province_code(province)}"
    )
    key = {
        "scope": scope,
        "year": year,
        "communes": codes,
        "households": households,
        "seed": seed,
        "error_rate": error_rate,
        "generator_version": GENERATOR_VERSION,
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return f"{scope}-{year}-{digest}"


def cached_generation(
    *,
    year: int,
    district: str | None = None,
    province: str | None = None,
    communes: Sequence[str | int] = (),
    households: int | None = None,
    seed: int = 0,
    error_rate: float = 0.0,
    cache_dir: Path | None = None,
) -> Path:
    """The folder with the generated sample for these arguments, generating it only when missing.

    `district`: every commune of a legacy district (`generate_district`); `province` with
    `communes`: units of the year's map (`generate_communes`)."""
    root = cache_dir or default_cache_dir()
    target = root / cache_key(
        year=year,
        district=district,
        province=province,
        communes=communes,
        households=households,
        seed=seed,
        error_rate=error_rate,
    )
    if (target / "manifest.json").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    try:
        if district is not None:
            generate_district(
                district, year, staging, seed=seed, households=households, error_rate=error_rate
            )
        else:
            generate_communes(
                str(province),
                year,
                communes,
                staging,
                seed=seed,
                households=households,
                error_rate=error_rate,
            )
        try:
            os.rename(staging, target)  # atomic on one file system
        except OSError:
            if not (target / "manifest.json").exists():  # not a concurrent run that finished first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
