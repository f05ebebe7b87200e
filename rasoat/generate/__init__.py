"""Deterministic, realistic sample data: one workbook per commune of a district, plus history.

    generate_district("468", 2026, Path("out"), seed=1)

writes `<commune_code>.xlsx` (sheets `ho` and `thanh_vien`), `history.csv` (previous approved
rounds of the standard's period) and `manifest.json` (counts, file hashes, injected errors).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rasoat.admin_units import communes_of
from rasoat.classifier import classify
from rasoat.generate import errors as error_kinds
from rasoat.generate.history import draw_history
from rasoat.generate.households import allocate, draw_attributes, draw_deprivations, draw_income
from rasoat.generate.members import draw_members, eligibility, services
from rasoat.generate.profiles import load_profile
from rasoat.generate.writer import write_workbook
from rasoat.standards import standard_for_year

GENERATOR_VERSION = "1"


class GeneratorInconsistencyError(AssertionError):
    """The generated data does not classify to the status it was generated for (a generator bug)."""


@dataclass
class GenerationResult:
    district_code: str
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


def build_district(
    district_code: str, year: int, *, seed: int = 0, households: int | None = None, error_rate: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[dict[str, str]]]:
    """The district's households, members and history as frames (no files), plus injected errors."""
    profile = load_profile(district_code)
    standard = standard_for_year(year)
    communes = communes_of(district_code)
    # Entropy from (district, year, seed): the same call always draws the same numbers.
    rng = np.random.default_rng(np.random.SeedSequence([int(district_code), year, seed]))
    total = int(households or profile["households"])

    hh = allocate(rng, profile, communes, total, standard)
    hh = draw_attributes(rng, profile, hh)
    hh = draw_income(rng, profile, hh, standard)
    members = draw_members(rng, profile, hh, year)
    hh = draw_deprivations(rng, profile, hh, eligibility(hh, members), standard)
    members = services(rng, hh, members)

    heads = members.loc[members["position"] == 0].set_index("row")
    hh["head_name"] = heads["full_name"].reindex(hh.index).to_numpy()
    hh["head_id_number"] = heads["id_number"].reindex(hh.index).to_numpy()
    hh["reported_status"] = hh["status"]
    members["birth_text"] = np.where(
        members["year_only"],
        members["birth_date"].dt.year.astype(str),
        members["birth_date"].dt.strftime("%d/%m/%Y"),
    )

    check = classify(hh, standard)
    wrong = (check["status"].astype(object) != hh["status"]).to_numpy()
    if wrong.any():
        raise GeneratorInconsistencyError(
            f"{int(wrong.sum())} generated households do not classify as intended, e.g. "
            f"{', '.join(hh.loc[wrong, 'household_id'].head(5))}"
        )

    history = draw_history(rng, profile, hh, year, standard.first_year)
    injected = error_kinds.inject(rng, hh, members, error_rate) if error_rate > 0 else []
    return hh, members, history, injected


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
    hh, members, history, injected = build_district(
        district_code, year, seed=seed, households=households, error_rate=error_rate
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    files, per_commune = [], {}
    home_commune = hh["household_id"].str.slice(0, 5)  # injected errors may change commune_code itself
    member_home = members["household_id"].str.slice(0, 5)
    for commune in communes_of(district_code):
        mine = hh.loc[home_commune == commune.code]
        path = out_dir / f"{commune.code}.xlsx"
        write_workbook(path, mine, members.loc[member_home == commune.code])
        files.append(path)
        counts = mine["status"].value_counts()
        per_commune[commune.code] = {
            "households": len(mine),
            "members": int((member_home == commune.code).sum()),
            **{s: int(counts.get(s, 0)) for s in ("poor", "near_poor", "mstb", "non_poor")},
        }
        if progress:
            progress(commune.code, len(mine))

    history_path = out_dir / "history.csv"
    history.to_csv(history_path, index=False, lineterminator="\n")
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "district_code": f"{int(district_code):03d}",
        "year": year,
        "seed": seed,
        "standard": standard_for_year(year).label,
        "households": len(hh),
        "members": len(members),
        "communes": per_commune,
        "files": {p.name: _sha256(p) for p in [*files, history_path]},
        "error_rate": error_rate,
        "injected_errors": injected,
    }
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return GenerationResult(
        district_code=manifest["district_code"],
        year=year,
        seed=seed,
        out_dir=out_dir,
        files=files,
        history_path=history_path,
        manifest_path=manifest_path,
        households=len(hh),
        members=len(members),
        communes=per_commune,
        injected=injected,
    )
