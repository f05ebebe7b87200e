"""Generated household members: relation, age, sex, name, CCCD, health insurance and schooling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rasoat.ages import CHILD_AGE, ELDER_AGE, INSURANCE_AGE, SCHOOL_AGES, reference_date
from rasoat.generate.names import family_indices, highland_names, kinh_names
from rasoat.generate.profiles import Profile
from rasoat.schema import HEAD_RELATION, INDICATOR_COLUMNS

MIN_SPOUSE_AGE = 18  # marriage age (Luật Hôn nhân và gia đình 2014, Art. 8: women from 18)


def draw_members(rng: np.random.Generator, profile: Profile, hh: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per person, household order kept; position 0 is the head."""
    sizes = hh["members"].to_numpy()
    n = int(sizes.sum())
    owner = np.repeat(np.arange(len(hh)), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = np.arange(n) - start

    status = hh["status"].to_numpy()[owner]
    means = {s: profile["head_age"][s][0] for s in profile["head_age"]}
    sds = {s: profile["head_age"][s][1] for s in profile["head_age"]}
    head_age = np.clip(
        rng.normal(
            pd.Series(hh["status"]).map(means).to_numpy(float),
            pd.Series(hh["status"]).map(sds).to_numpy(float),
        ),
        20,
        95,
    ).astype(int)
    head_age_m = head_age[owner]
    head_male = rng.random(len(hh)) < profile["head_male_share"]
    head_male_m = head_male[owner]

    u = rng.random(n)
    is_head = position == 0
    is_spouse = (position == 1) & (rng.random(len(hh)) < profile["spouse_share"])[owner]
    old_head = head_age_m >= 55
    is_grandchild = ~is_head & ~is_spouse & old_head & (u < profile["grandchild_share_old_head"])
    is_parent = ~is_head & ~is_spouse & ~is_grandchild & (u > 1 - profile["parent_share"]) & (head_age_m < 60)
    age = np.select(
        [is_head, is_spouse, is_grandchild, is_parent],
        [
            head_age_m,
            np.maximum(head_age_m + rng.normal(-2, 4, n).astype(int), MIN_SPOUSE_AGE),
            head_age_m - rng.integers(45, 66, n),
            head_age_m + rng.integers(20, 31, n),
        ],
        default=head_age_m - rng.integers(18, 41, n),
    )
    age = np.clip(age, 0, 100)
    sex_male = np.select([is_head, is_spouse], [head_male_m, ~head_male_m], default=rng.random(n) < 0.51)
    sex = np.where(sex_male, "Nam", "Nữ")
    relation = np.select(
        [is_head, is_spouse & sex_male, is_spouse, is_grandchild, is_parent & sex_male, is_parent],
        [HEAD_RELATION, "Chồng", "Vợ", "Cháu", "Bố", "Mẹ"],
        default="Con",
    )

    ref = reference_date(year)
    days_into_year = rng.integers(0, 365, n)
    birth = pd.to_datetime(ref) - pd.to_timedelta(age * 365.25 + days_into_year, unit="D")
    birth = birth.normalize()

    ethnicity = hh["ethnicity"].to_numpy()[owner]
    styles = profile["ethnic_name_style"]
    highland = np.isin(ethnicity, [g for g, style in styles.items() if style == "highland"])
    family = family_indices(rng, len(hh))[owner]
    spouse_family = family_indices(rng, n)
    family = np.where(is_spouse | is_parent, spouse_family, family)
    names = np.where(highland, highland_names(rng, sex), kinh_names(rng, family, sex))

    members = pd.DataFrame(
        {
            "row": owner,
            "household_id": hh["household_id"].to_numpy()[owner],
            "position": position,
            "full_name": names,
            "relation": relation,
            "age": age,
            "birth_date": birth,
            "sex": sex,
            "status": status,
        }
    )
    members["id_number"] = _cccd(rng, profile, members)
    members["year_only"] = (age >= 70) & (rng.random(n) < profile["year_only_birth_share_elderly"])
    return members


def _cccd(rng: np.random.Generator, profile: Profile, members: pd.DataFrame) -> np.ndarray:
    """12 digits: province of birth (3), century and sex (1), year of birth (2), serial (6). Unique."""
    n = len(members)
    year = members["birth_date"].dt.year.to_numpy()
    male = members["sex"].to_numpy() == "Nam"
    century = np.where(year >= 2000, 2, 0) + np.where(male, 0, 1)
    province = np.where(
        rng.random(n) < profile["birth_outside_province_share"],
        rng.integers(1, 97, n),
        int(profile["birth_province_code"]),
    )
    prefix = province * 1_000_000_000 + century * 100_000_000 + (year % 100) * 1_000_000
    serial = rng.integers(0, 1_000_000, n)
    numbers = prefix + serial
    while True:  # redraw the few collisions until every number is unique
        dup = pd.Series(numbers).duplicated().to_numpy()
        if not dup.any():
            break
        numbers[dup] = prefix[dup] + rng.integers(0, 1_000_000, int(dup.sum()))
    has_card = (members["age"].to_numpy() >= 14) & (rng.random(n) >= profile["cccd_missing_share"])
    return np.where(has_card, np.char.zfill(numbers.astype(str), 12), None)


def eligibility(hh: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """Households × 12: which indicators can apply given who lives in the household."""
    ages = members["age"].to_numpy()
    by = members["row"].to_numpy()

    def any_member(mask: np.ndarray) -> np.ndarray:
        return np.bincount(by, weights=mask.astype(float), minlength=len(hh)) > 0

    child = any_member(ages < CHILD_AGE)
    school_child = any_member((ages >= SCHOOL_AGES[0]) & (ages <= SCHOOL_AGES[1]))
    insurable = any_member(ages >= INSURANCE_AGE)
    dependent = child | any_member(ages >= ELDER_AGE)
    eligible = np.ones((len(hh), len(INDICATOR_COLUMNS)), dtype=bool)
    eligible[:, 1] = dependent  # d02 dependents
    eligible[:, 2] = child  # d03 nutrition
    eligible[:, 3] = insurable  # d04 health insurance
    eligible[:, 5] = school_child  # d06 school attendance
    return eligible


def _pick_one(rng: np.random.Generator, members: pd.DataFrame, candidate: np.ndarray) -> np.ndarray:
    """For each household, mark one random member among `candidate` members."""
    keys = np.where(candidate, rng.random(len(members)), np.inf)
    order = np.lexsort((keys, members["row"].to_numpy()))
    first = np.zeros(len(members), dtype=bool)
    rows = members["row"].to_numpy()[order]
    is_first = np.r_[True, rows[1:] != rows[:-1]]
    first[order[is_first]] = True
    return first & candidate


def services(rng: np.random.Generator, hh: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Health insurance and schooling consistent with the household's d04 and d06 flags."""
    ages = members["age"].to_numpy()
    rows = members["row"].to_numpy()
    d04 = hh["d04"].to_numpy()[rows] == 1
    d06 = hh["d06"].to_numpy()[rows] == 1
    uninsured = _pick_one(rng, members, d04 & (ages >= INSURANCE_AGE))
    # A few more uninsured adults in households already deprived in health insurance.
    uninsured |= d04 & (ages >= INSURANCE_AGE) & (rng.random(len(members)) < 0.3)
    members["has_health_insurance"] = np.where(uninsured, 0, 1)

    school_age = (ages >= SCHOOL_AGES[0]) & (ages <= SCHOOL_AGES[1])
    out_of_school = _pick_one(rng, members, d06 & school_age)
    young_adult = (ages > SCHOOL_AGES[1]) & (ages < 25)
    in_school = np.select(
        [school_age, young_adult],
        [~out_of_school, rng.random(len(members)) < 0.45],
        default=False,
    )
    members["in_school"] = np.where(school_age | young_adult, in_school.astype(int), np.nan)
    return members
