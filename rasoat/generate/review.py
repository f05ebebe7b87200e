"""A generated district taken through a round's computation without the database: classified,
compared with its history, ready to consolidate. Tests and benchmarks of consolidation start here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rasoat.admin_units import communes_of, district_name
from rasoat.classifier import classify
from rasoat.consolidation import ConsolidationInput, Unit, as_units, departed_frame, household_frame
from rasoat.generate import build_district
from rasoat.movements import compute_movements, previous_round
from rasoat.standards import standard_for_year


@dataclass(frozen=True)
class GeneratedReview:
    households: pd.DataFrame
    members: pd.DataFrame
    classified: pd.DataFrame
    previous: pd.DataFrame  # last year's statuses, with each household's commune
    moves: pd.DataFrame
    input: ConsolidationInput


def generated_review(district_code: str, year: int, *, seed: int, households: int) -> GeneratedReview:
    """Generate, classify and compare with last year, as a round does, up to consolidation's input."""
    standard = standard_for_year(year)
    hh, members, history, _ = build_district(district_code, year, seed=seed, households=households)
    classified = classify(hh, standard)
    previous = previous_round(history, year, standard.first_year).merge(
        history[["household_id", "commune_code"]].drop_duplicates("household_id"), on="household_id"
    )
    current = hh[["household_id", "members"]].assign(status=classified["status"].astype("object"))
    moves = compute_movements(current, previous)
    inp = ConsolidationInput(
        Unit(district_code, district_name(district_code), "district"),
        as_units(communes_of(district_code)),
        year,
        household_frame(hh, classified, moves),
        members,
        departed_frame(moves, previous),
    )
    return GeneratedReview(hh, members, classified, previous, moves, inp)
