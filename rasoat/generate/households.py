"""Generated households: where they live, their intended status, and data consistent with it.

The status is drawn first (exact counts per commune from the profile's rates); income, B1 score and
deprivations are then drawn so that the real classifier gives that status back.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Home:
    """A commune households were registered in: their ids start with its code, for good.

    Before the July 2025 reform a home is simply a commune of the district. After it, a home is an
    old commune inside a new one: its households are listed in the new commune's workbook but keep
    the ids (and villages) they had. A divided old commune's villages are split between its
    successors in contiguous blocks, so a village, and every household in it, goes to one of them."""

    code: str
    area_type: str  # of the unit listing its households on the round's map: sets the rate factor
    village_label: str = ""  # "Thôn" / "Tổ dân phố"; empty: from area_type
    # After a merger several old communes share a workbook and all have a "Thôn 1": their names
    # carry the old commune's ("Thôn 1 Cam Thành") so they stay distinct there.
    village_suffix: str = ""
    weight: float = 1.0  # relative size (a former town is larger than a rural commune)
    successors: tuple[str, ...] = ()  # the units its villages are listed in now; () = itself
    wanted: frozenset[str] = frozenset()  # successors being generated: other ones' villages stay empty

    @property
    def divided(self) -> bool:
        return len(self.successors) > 1

    def listed_in(self, village_no: np.ndarray, n_villages: int) -> np.ndarray:
        """The commune whose workbook lists each village (numbered 1..n_villages) now."""
        if not self.successors:
            return np.full(len(village_no), self.code, dtype=object)
        blocks = self.village_blocks(n_villages)
        return np.asarray(self.successors, dtype=object)[blocks[village_no - 1]]

    def village_blocks(self, n_villages: int) -> np.ndarray:
        """Per village 1..n, the index of the successor it went to (contiguous blocks, ≥ 1 each)."""
        k = max(len(self.successors), 1)
        sizes = _split(n_villages, np.ones(k), minimum=1)
        return np.repeat(np.arange(k), sizes)


def legacy_homes(communes: list[Commune]) -> list[Home]:
    return [Home(c.code, c.area_type) for c in communes]


def _join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays (numpy string ufuncs: no Python loop)."""
    out = np.asarray(parts[0], dtype=str)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part, dtype=str))
    return out


def household_ids(codes: np.ndarray | str, village_no: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """`CCCCC-VV-SSSSS`: registration commune, village, serial (the format communes use)."""
    if len(serial) == 0:  # numpy's zfill cannot size an empty array
        return np.empty(0, dtype=object)
    village = np.strings.zfill(np.asarray(village_no).astype(str), 2)
    number = np.strings.zfill(np.asarray(serial).astype(str), 5)
    return _join(codes, "-", village, "-", number).astype(object)


def allocate(
    rng: np.random.Generator,
    profile: Profile,
    homes: list[Home],
    total: int,
    standard: Standard,
    area_of: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per household: where it is listed (`commune_code`), where it was registered
    (`registered_commune`, its id's prefix), area, village, id and intended status.

    `area_of` gives the area of the units households are listed in when it is not their home's
    (after the reform: the new unit's, from today's map). Second frame: where each village of a
    divided home went (`commune_code`, `village`, `new_commune_code`), all its villages, with
    households or not."""
    weights = rng.dirichlet(np.full(len(homes), 6.0)) * np.array([h.weight for h in homes])
    sizes = _split(total, weights, min(MIN_COMMUNE_HOUSEHOLDS, total // len(homes)))
    urban = np.array([h.area_type == "urban" for h in homes])
    factor = rng.lognormal(0.0, profile["commune_rate_spread"], len(homes))
    factor *= np.where(urban, profile["urban_rate_factor"], 1.0)
    factor *= total / (factor * sizes).sum()  # keep the district rate on target
    rates = profile["rates"]
    mstb_rate = rates["mstb"] if standard.mstb_band is not None else 0.0

    frames, placed = [], []
    lo, hi = profile["villages"]
    # A loop over the (few) communes; everything per household inside it is vectorised.
    for home, size, f, is_urban in zip(homes, sizes, factor, urban, strict=True):
        counts = [
            round(min(rates["poor"] * f, 0.8) * size),
            round(min(rates["near_poor"] * f, 0.5) * size),
            round(mstb_rate * (0.4 if is_urban else 1.0) * size),
        ]
        status = np.repeat(STATUSES, [*counts, size - sum(counts)])
        rng.shuffle(status)
        n_villages = max(int(rng.integers(lo, hi + 1)), len(home.successors))
        p = rng.dirichlet(np.full(n_villages, 5.0))
        if home.divided:  # only the villages of the successors being generated get households
            went = np.asarray(home.successors)[home.village_blocks(n_villages)]
            p = np.where(np.isin(went, list(home.wanted)), p, 0.0)
            p /= p.sum()
        village = np.sort(rng.choice(n_villages, size, p=p)) + 1
        serial = np.arange(1, size + 1)
        label = home.village_label or ("Tổ dân phố" if is_urban else "Thôn")
        names = np.array(
            [f"{label} {v}{home.village_suffix}" for v in range(1, n_villages + 1)], dtype=object
        )
        listed = home.listed_in(village, n_villages)
        if home.divided:
            every = np.arange(1, n_villages + 1)
            placed.append(
                pd.DataFrame(
                    {
                        "commune_code": home.code,
                        "village": names,
                        "new_commune_code": home.listed_in(every, n_villages),
                    }
                )
            )
        area = (
            np.full(size, home.area_type, dtype=object)
            if area_of is None
            else pd.Series(listed).map(area_of).to_numpy(dtype=object)
        )
        frames.append(
            pd.DataFrame(
                {
                    "commune_code": listed,
                    "area": area,
                    "village_no": village,
                    "village": names[village - 1],  # per commune: ≤ 15 distinct
                    "household_id": household_ids(home.code, village, serial),
                    "status": status,
                    "registered_commune": home.code,
                }
            )
        )
    villages = (
        pd.concat(placed, ignore_index=True)
        if placed
        else pd.DataFrame(columns=["commune_code", "village", "new_commune_code"])
    )
    return pd.concat(frames, ignore_index=True), villages


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
