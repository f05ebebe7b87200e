"""Generated households: where they live, their intended status, and data consistent with it.

The status is drawn first (exact counts per commune from the profile's rates); income, B1 score and
deprivations are then drawn so that the real classifier gives that status back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rasoat.admin_units import Commune
from rasoat.generate.profiles import Profile
from rasoat.schema import ETHNIC_MAJORITY, INDICATOR_COLUMNS, POVERTY_CAUSES, Status
from rasoat.standards import Standard

STATUSES = [s.value for s in (Status.POOR, Status.NEAR_POOR, Status.MSTB, Status.NON_POOR)]
MIN_COMMUNE_HOUSEHOLDS = 30


def _split(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integer parts of `total` proportional to `weights` (largest remainders), each >= minimum."""
    raw = weights / weights.sum() * (total - minimum * len(weights))
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(raw - parts)[::-1][: total - minimum * len(weights) - parts.sum()]] += 1
    return parts + minimum


def allocate(
    rng: np.random.Generator, profile: Profile, communes: list[Commune], total: int, standard: Standard
) -> pd.DataFrame:
    """One row per household: commune, area, village, id and intended status."""
    sizes = _split(
        total, rng.dirichlet(np.full(len(communes), 6.0)), min(MIN_COMMUNE_HOUSEHOLDS, total // len(communes))
    )
    urban = np.array([c.area_type == "urban" for c in communes])
    factor = rng.lognormal(0.0, profile["commune_rate_spread"], len(communes))
    factor *= np.where(urban, profile["urban_rate_factor"], 1.0)
    factor *= total / (factor * sizes).sum()  # keep the district rate on target
    rates = profile["rates"]
    mstb_rate = rates["mstb"] if standard.mstb_band is not None else 0.0

    frames = []
    lo, hi = profile["villages"]
    for commune, size, f, is_urban in zip(communes, sizes, factor, urban, strict=True):
        counts = [
            round(min(rates["poor"] * f, 0.8) * size),
            round(min(rates["near_poor"] * f, 0.5) * size),
            round(mstb_rate * (0.4 if is_urban else 1.0) * size),
        ]
        status = np.repeat(STATUSES, [*counts, size - sum(counts)])
        rng.shuffle(status)
        n_villages = int(rng.integers(lo, hi + 1))
        village = np.sort(rng.choice(n_villages, size, p=rng.dirichlet(np.full(n_villages, 5.0)))) + 1
        serial = np.arange(1, size + 1)
        label = "Tổ dân phố" if is_urban else "Thôn"
        frames.append(
            pd.DataFrame(
                {
                    "commune_code": commune.code,
                    "area": commune.area_type,
                    "village_no": village,
                    "village": [f"{label} {v}" for v in village],  # per commune: ≤ 15 distinct
                    "household_id": [
                        f"{commune.code}-{v:02d}-{s:05d}" for v, s in zip(village, serial, strict=True)
                    ],
                    "status": status,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def draw_attributes(rng: np.random.Generator, profile: Profile, hh: pd.DataFrame) -> pd.DataFrame:
    """Ethnicity, household size, agriculture and the household-level flags."""
    n = len(hh)
    status = hh["status"].to_numpy()
    share = hh["status"].map(profile["ethnic_minority_share"]).to_numpy(dtype=float)
    minority = rng.random(n) < share
    groups = profile["ethnic_groups"]
    names = np.array(list(groups))
    weights = np.array(list(groups.values()), dtype=float)
    hh["ethnicity"] = np.where(minority, rng.choice(names, n, p=weights / weights.sum()), ETHNIC_MAJORITY)

    mean = hh["status"].map(profile["persons"]).to_numpy(dtype=float)
    hh["members"] = np.minimum(1 + rng.poisson(mean - 1.0), 14)

    agri_share = np.where(
        hh["area"].to_numpy() == "urban", profile["agri_share"]["urban"], profile["agri_share"]["rural"]
    )
    hh["agri_household"] = np.where(status == Status.MSTB.value, 1, (rng.random(n) < agri_share).astype(int))
    for column in ("no_labour_capacity", "merit_household"):
        hh[column] = (rng.random(n) < hh["status"].map(profile[column]).to_numpy(dtype=float)).astype(int)

    poor_or_near = np.isin(status, [Status.POOR.value, Status.NEAR_POOR.value])
    causes = profile["poverty_causes"]
    cause_codes = np.array(list(causes))
    cause_p = np.array(list(causes.values()), dtype=float)
    labels = np.array([POVERTY_CAUSES[c] for c in cause_codes])
    hh["poverty_cause"] = np.where(poor_or_near, rng.choice(labels, n, p=cause_p / cause_p.sum()), None)
    hh["meeting_agree_pct"] = np.where(poor_or_near, rng.integers(60, 101, n), np.nan)
    return hh


def draw_income(
    rng: np.random.Generator, profile: Profile, hh: pd.DataFrame, standard: Standard
) -> pd.DataFrame:
    """Income per person per month (rounded to 1,000 VND) or, for some households, only a B1 score."""
    n = len(hh)
    status = hh["status"].to_numpy()
    urban = hh["area"].to_numpy() == "urban"
    ceiling = np.where(urban, standard.income_ceiling["urban"], standard.income_ceiling["rural"]).astype(
        float
    )
    if standard.mstb_band is not None:
        top = np.where(urban, standard.mstb_band["urban"][1], standard.mstb_band["rural"][1]).astype(float)
    else:
        top = ceiling * 1.5
    u = rng.random(n)
    agri = hh["agri_household"].to_numpy() == 1
    above = np.where(agri & (standard.mstb_band is not None), top, ceiling)
    income = np.select(
        [status == Status.POOR.value, status == Status.NEAR_POOR.value, status == Status.MSTB.value],
        [ceiling * (0.35 + 0.65 * u), ceiling * (0.5 + 0.5 * u), ceiling + 1000 + (top - ceiling - 1000) * u],
        default=above * (1.0 + rng.lognormal(-0.6, 0.7, n)),
    )
    income = np.floor(income / 1000) * 1000
    # Rounding must not push an income over its status' bound.
    income = np.where(
        np.isin(status, [Status.POOR.value, Status.NEAR_POOR.value]), np.minimum(income, ceiling), income
    )
    income = np.where(status == Status.NON_POOR.value, np.maximum(income, above + 1000), income)

    cutoff = np.where(urban, standard.b1_cutoff["urban"], standard.b1_cutoff["rural"])
    b1_only = (rng.random(n) < profile["b1_only_share"]) & (status != Status.MSTB.value)
    meets = np.isin(status, [Status.POOR.value, Status.NEAR_POOR.value])
    b1 = np.where(meets, rng.integers(60, 1 + cutoff), cutoff + rng.integers(1, 120, n))
    hh["income_per_capita"] = np.where(b1_only, np.nan, income)
    hh["b1_score"] = np.where(b1_only, b1, np.nan)
    return hh


def draw_deprivations(
    rng: np.random.Generator, profile: Profile, hh: pd.DataFrame, eligible: np.ndarray, standard: Standard
) -> pd.DataFrame:
    """Which indicators each household is deprived in (Gumbel top-k over weighted indicators).

    `eligible` (households × 12) says which indicators can apply given the members (no nutrition or
    school deprivation without children of the right age)."""
    n = len(hh)
    status = hh["status"].to_numpy()
    minimum = standard.min_deprivations
    count = np.select(
        [status == Status.POOR.value, status == Status.NEAR_POOR.value],
        [
            minimum + rng.poisson(profile["extra_deprivations_poor"], n),
            rng.choice(len(profile["deprivations_near_poor"]), n, p=profile["deprivations_near_poor"]),
        ],
        default=rng.choice(len(profile["deprivations_other"]), n, p=profile["deprivations_other"]),
    )
    count = np.minimum(count, eligible.sum(axis=1))
    weights = np.log(np.asarray(profile["indicator_weights"], dtype=float))
    keys = np.where(eligible, weights + rng.gumbel(size=(n, 12)), -np.inf)
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    flags = (rank < count[:, None]).astype(np.int8)
    for i, column in enumerate(INDICATOR_COLUMNS):
        hh[column] = flags[:, i]
    hh["b2_score"] = flags.sum(axis=1) * standard.b2_points_per_indicator
    return hh
