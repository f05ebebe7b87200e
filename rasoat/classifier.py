"""The rule that decides which household is poor, near-poor or of average living standard (MSTB).

Decree 07/2021 Art. 3 (and Decree 351/2025, same logic with other numbers):
- the income criterion is met when income per person per month is at or below the area's ceiling,
  or, when only a Phiếu B1 score is given, when the score is at or below the area's B1 cut-off;
- poor: income criterion met AND at least `min_deprivations` of the 12 indicators deprived;
- near-poor: income criterion met AND fewer deprivations;
- MSTB: an agricultural household whose income lies above the ceiling, up to the band's upper bound;
- non-poor: anything else.

Everything is vectorised over a DataFrame: no Python loop touches a household.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from rasoat.schema import INDICATOR_COLUMNS, STATUS_ORDER
from rasoat.standards import Standard


class Criterion(StrEnum):
    """Which criterion decided a household's status."""

    INCOME_AT_OR_BELOW_CEILING = "income_le_ceiling"
    B1_AT_OR_BELOW_CUTOFF = "b1_le_cutoff"
    MSTB_BAND = "mstb_band"
    INCOME_ABOVE_CEILING = "income_above_ceiling"
    B1_ABOVE_CUTOFF = "b1_above_cutoff"


CRITERIA: tuple[Criterion, ...] = tuple(Criterion)
STATUS_DTYPE = pd.CategoricalDtype([s.value for s in STATUS_ORDER])
CRITERION_DTYPE = pd.CategoricalDtype([c.value for c in CRITERIA])

REQUIRED_INPUT = ("area", "income_per_capita", "b1_score", "agri_household", *INDICATOR_COLUMNS)


class ClassificationInputError(ValueError):
    """The frame cannot be classified; the message names household ids and counts only."""


def _ids(frame: pd.DataFrame, mask: np.ndarray, limit: int = 10) -> str:
    ids = frame["household_id"] if "household_id" in frame else pd.Series(frame.index, index=frame.index)
    shown = ", ".join(map(str, ids[mask][:limit]))
    more = int(mask.sum()) - min(int(mask.sum()), limit)
    return shown + (f" and {more} more" if more else "")


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def classify(frame: pd.DataFrame, standard: Standard) -> pd.DataFrame:
    """Classify every household of `frame` under `standard`.

    Returns a frame on the same index with `status`, `deprivation_count`, `b2_score` (computed,
    10 points per deprived indicator), `criterion` (which rule decided) and `income_path`
    (`income` or `b1`).
    """
    missing = [c for c in REQUIRED_INPUT if c not in frame.columns]
    if missing:
        raise ClassificationInputError(f"columns missing for classification: {', '.join(missing)}")

    flags = frame.loc[:, list(INDICATOR_COLUMNS)].to_numpy(dtype="float64", na_value=np.nan)
    bad_flags = ~np.isin(flags, (0.0, 1.0)).all(axis=1)
    if bad_flags.any():
        raise ClassificationInputError(
            f"{int(bad_flags.sum())} households have indicator values other than 0/1: "
            f"{_ids(frame, bad_flags)}"
        )
    deprivations = flags.sum(axis=1).astype(np.int8)

    area = frame["area"].astype("object").to_numpy()
    urban = area == "urban"
    bad_area = ~(urban | (area == "rural"))
    if bad_area.any():
        raise ClassificationInputError(
            f"{int(bad_area.sum())} households have no area (rural/urban): {_ids(frame, bad_area)}"
        )

    income = _float(frame, "income_per_capita")
    b1 = _float(frame, "b1_score")
    has_income = ~np.isnan(income)
    has_b1 = ~np.isnan(b1)
    neither = ~(has_income | has_b1)
    if neither.any():
        raise ClassificationInputError(
            f"{int(neither.sum())} households have neither income nor a B1 score: {_ids(frame, neither)}"
        )

    ceiling = np.where(urban, standard.income_ceiling["urban"], standard.income_ceiling["rural"])
    cutoff = np.where(urban, standard.b1_cutoff["urban"], standard.b1_cutoff["rural"])
    # Income, when given, decides; the B1 proxy is used only for households without it.
    meets_income = np.where(has_income, income <= ceiling, b1 <= cutoff)

    agri = _float(frame, "agri_household") == 1.0
    if standard.mstb_band is None:
        mstb = np.zeros(len(frame), dtype=bool)
    else:
        band_top = np.where(urban, standard.mstb_band["urban"][1], standard.mstb_band["rural"][1])
        mstb = has_income & ~meets_income & agri & (income <= band_top)

    poor = meets_income & (deprivations >= standard.min_deprivations)
    status_codes = np.select([poor, meets_income, mstb], [0, 1, 2], default=3).astype(np.int8)

    criterion_codes = np.select(
        [meets_income & has_income, meets_income, mstb, has_income],
        [0, 1, 2, 3],
        default=4,
    ).astype(np.int8)

    return pd.DataFrame(
        {
            "status": pd.Categorical.from_codes(status_codes, dtype=STATUS_DTYPE),
            "deprivation_count": deprivations,
            "b2_score": deprivations.astype(np.int16) * np.int16(standard.b2_points_per_indicator),
            "criterion": pd.Categorical.from_codes(criterion_codes, dtype=CRITERION_DTYPE),
            "income_path": pd.Categorical.from_codes(
                np.where(has_income, 0, 1).astype(np.int8), categories=["income", "b1"]
            ),
        },
        index=frame.index,
    )


def classify_both(frame: pd.DataFrame, applied: Standard, national: Standard) -> pd.DataFrame:
    """`classify` under the applied standard, plus `national_status` under the national one.

    A province may apply its own standard above the national one; the national status is still
    what the ministry's national figures count, so every household carries both. Where the applied
    standard is the national one the household is classified once."""
    result = classify(frame, applied)
    national_status = (
        result["status"] if national.label == applied.label else classify(frame, national)["status"]
    )
    return result.assign(national_status=national_status)
