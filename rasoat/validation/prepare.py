"""The tables the suites run on: the parsed sheets indexed by spreadsheet row, plus derived columns.

Cross-field rules become columns computed here with vectorised pandas/numpy (no loop over
households), and the suites then state them as ordinary expectations on those columns:

households (`ho`)
- `has_income_or_b1`: income per capita or a B1 score is given;
- `indicators_given`, `flags_binary`: all 12 indicators are given; every 0/1 column holds 0 or 1;
- `deprivations`, `b2_expected`: deprived indicators and the B2 score they give under the standard
  (NA when an indicator is missing);
- `member_rows`, `heads`, `first_member_row`: the household's rows in `thanh_vien`, how many of them
  say `Chủ hộ`, and the first of them (NA without a members sheet);
- `computed_status` (+ `computed_status_vi`, `reported_status_vi`): the class from `classify`, for
  households whose inputs are complete and in range (NA otherwise);
- `mstb_agri_ok`: a household classed MSTB (reported or computed) is agricultural;
- `d02_dependent_ok`, `d03_child_ok`, `d04_member_ok`, `d06_child_ok`: an indicator that concerns
  children or older members is deprived only in a household that has such a member;
  `d04_insurance_ok`, `d06_schooling_ok`: indicators 4 and 6 agree with the members' health
  insurance and schooling columns;
- `head_id_new_in_round`, `head_id_own_household`, `head_id_matches_member`: the head's CCCD is not
  already accepted from another commune, not a member's of another household, and is the
  `Chủ hộ` member's own.
members (`thanh_vien`)
- `member_known_household`: the member's household is in `ho`;
- `id_new_in_round`: the CCCD is not already accepted from another commune of the round;
- `birth_year` as float64 (the reader's derived year; nullable integers would make GX compare
  row by row).

Boolean rule columns are NA where the rule does not apply, so expectations skip those rows and
`evaluated` counts only the rows a rule really looked at.

Ages are taken on 1 September of the review year, the start of the periodic review
(QĐ 24/2021/QĐ-TTg Art. 3). A birth year without a date gives an age range (y-1 .. y), and the
rules give the household the benefit of the doubt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rasoat.admin.scope import scope
from rasoat.ages import CHILD_AGE, ELDER_AGE, INSURANCE_AGE, REFERENCE_DAY, SCHOOL_AGES
from rasoat.classifier import classify
from rasoat.schema import (
    HEAD_RELATION,
    HOUSEHOLD_COLUMNS,
    INDICATOR_COLUMNS,
    MEMBER_COLUMNS,
    STATUS_LABELS_VI,
    Kind,
    Status,
)
from rasoat.standards import Standard

if TYPE_CHECKING:
    from rasoat.intake.read import ParsedSubmission
    from rasoat.validation.validate import ValidationContext

# Ages here are ranges (a birth year alone leaves a member's age open by one year): indicator 6's
# school ages as a half-open interval, 3 to under 16.
SCHOOL_AGES_OPEN = (SCHOOL_AGES[0], SCHOOL_AGES[1] + 1)
MAX_AGE = 120
FLAG_COLUMNS = tuple(c.name for c in HOUSEHOLD_COLUMNS if c.kind is Kind.FLAG)
MEMBER_RULES = (  # household rules that need the members sheet: NA without it
    "d02_dependent_ok",
    "d03_child_ok",
    "d04_member_ok",
    "d06_child_ok",
    "d04_insurance_ok",
    "d06_schooling_ok",
    "head_id_own_household",
    "head_id_matches_member",
)

_LABELS = {s.value: label for s, label in STATUS_LABELS_VI.items()}


@dataclass
class Prepared:
    households: pd.DataFrame
    members: pd.DataFrame | None
    parameters: dict[str, Any]  # Great Expectations suite parameters ($PARAMETER)
    texts: dict[str, str] = field(default_factory=dict)  # context placeholders of the messages


@cache
def scope_communes(year: int, scope_code: str) -> tuple[str, ...]:
    """The communes of the round's district (three-level map) or province (two-tier map)."""
    return tuple(scope(year, scope_code).commune_codes)


# Column helpers --------------------------------------------------------------------------------------


def _by_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame indexed by spreadsheet row (the reader's `source_row`), index unnamed."""
    if "source_row" in frame.columns:
        index = pd.Index(frame["source_row"].to_numpy(), name=None)
    else:  # a frame built by hand: rows as a spreadsheet with one header row would number them
        index = pd.RangeIndex(2, 2 + len(frame))
    return frame.set_axis(index, axis=0)


def _ensure_optional(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Optional columns the frame lacks are added empty (the reader does the same); required ones are
    left absent, for `*.columns_present` to report."""
    dtypes = {Kind.INT: "Int64", Kind.FLAG: "Int8", Kind.NUMBER: "Float64"}
    missing = {
        c.name: pd.Series(pd.NA, index=frame.index, dtype=dtypes.get(c.kind, "string"))
        for c in columns
        if not c.required and c.kind is not Kind.DATE and c.name not in frame.columns
    }
    return frame.assign(**missing) if missing else frame


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _floats(frame: pd.DataFrame, columns) -> np.ndarray:
    """Rows × columns as float64, NaN for missing values, absent columns or non-numbers."""
    if not len(columns):
        return np.empty((len(frame), 0))
    return np.column_stack([_float(_column(frame, c)) for c in columns])


def _text(series: pd.Series) -> np.ndarray:
    """Object array with None for missing values (comparisons stay plain Python)."""
    return series.to_numpy(dtype=object, na_value=None)


def _rule(applies: np.ndarray, ok: np.ndarray) -> pd.arrays.BooleanArray:
    """A boolean rule column: `ok` where the rule applies, NA elsewhere."""
    applies = np.asarray(applies, dtype=bool)
    return pd.arrays.BooleanArray(np.asarray(ok, dtype=bool) & applies, ~applies)


def _ints(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers, NA where not `present` (built from the mask: an object array of Nones and
    numbers converts element by element)."""
    present = np.asarray(present, dtype=bool)
    return pd.arrays.IntegerArray(np.where(present, values, 0).astype(np.int64), ~present)


# Households alone -----------------------------------------------------------------------------------


def _classifiable(households: pd.DataFrame) -> np.ndarray:
    flags = _floats(households, INDICATOR_COLUMNS)
    area = _text(_column(households, "area"))
    income = _float(_column(households, "income_per_capita"))
    b1 = _float(_column(households, "b1_score"))
    agri = _float(_column(households, "agri_household"))
    return (
        np.isin(flags, (0.0, 1.0)).all(axis=1)
        & ((area == "rural") | (area == "urban"))
        & np.where(np.isnan(income), b1 >= 0, income >= 0)
        & (np.isnan(agri) | np.isin(agri, (0.0, 1.0)))
    )


def _computed_status(households: pd.DataFrame, standard: Standard) -> pd.Series:
    """The class `classify` gives, for households whose inputs are complete and in range."""
    out = pd.Series(pd.NA, index=households.index, dtype="string")
    ok = _classifiable(households)
    if ok.any():
        columns = ["area", "income_per_capita", "b1_score", "agri_household", *INDICATOR_COLUMNS]
        subset = pd.DataFrame({c: _column(households, c)[ok] for c in columns})
        out[ok] = classify(subset, standard)["status"].astype("string").to_numpy()
    return out


def _household_rules(hh: pd.DataFrame, standard: Standard, other_ids: list[str]) -> dict[str, Any]:
    derived: dict[str, Any] = {}
    income, b1 = _column(hh, "income_per_capita"), _column(hh, "b1_score")
    derived["has_income_or_b1"] = (income.notna() | b1.notna()).to_numpy()

    indicators = _floats(hh, INDICATOR_COLUMNS)
    derived["indicators_given"] = ~np.isnan(indicators).any(axis=1)
    flags = _floats(hh, FLAG_COLUMNS)
    given = ~np.isnan(flags)
    derived["flags_binary"] = _rule(given.any(axis=1), (~given | np.isin(flags, (0.0, 1.0))).all(axis=1))
    binary = np.isin(indicators, (0.0, 1.0)).all(axis=1)  # else: an indicator missing or not 0/1
    derived["deprivations"] = _ints(indicators.sum(axis=1), binary)
    derived["b2_expected"] = derived["deprivations"] * standard.b2_points_per_indicator

    computed = _computed_status(hh, standard)
    reported = _column(hh, "reported_status").astype("string")
    derived["computed_status"] = computed
    derived["computed_status_vi"] = computed.map(_LABELS).astype("string")
    derived["reported_status_vi"] = reported.map(_LABELS).astype("string").fillna(reported)
    mstb = (_text(reported) == Status.MSTB.value) | (_text(computed) == Status.MSTB.value)
    derived["mstb_agri_ok"] = _rule(mstb, _float(_column(hh, "agri_household")) == 1.0)

    head_ids = _text(_column(hh, "head_id_number"))
    known = ~pd.Series(head_ids).isin(other_ids).to_numpy()
    derived["head_id_new_in_round"] = _rule(pd.notna(head_ids), known)
    return derived


# Households against their members -------------------------------------------------------------------


class _Grouping:
    """Members grouped by household id, counted back onto household rows (bincount, no loop)."""

    def __init__(self, households: pd.DataFrame, members: pd.DataFrame) -> None:
        household_ids = _text(_column(households, "household_id"))
        ids = pd.Index(household_ids).dropna().unique()
        self.household_code = ids.get_indexer(household_ids)  # per household row; -1: no id
        self.member_code = ids.get_indexer(_text(_column(members, "household_id")))  # -1: unknown
        self.n_ids = len(ids)
        self.listed = self.household_code >= 0
        self.placed = self.member_code >= 0

    def to_households(self, per_id: np.ndarray, missing: Any = 0) -> np.ndarray:
        return np.where(self.listed, per_id[np.maximum(self.household_code, 0)], missing)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Per household row: its members (where `mask`)."""
        weights = None if mask is None else mask[self.placed].astype("float64")
        per_id = np.bincount(self.member_code[self.placed], weights=weights, minlength=self.n_ids)
        return self.to_households(per_id)

    def any(self, mask: np.ndarray) -> np.ndarray:
        return self.count(mask) > 0


def _ages(members: pd.DataFrame, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest possible age of each member on the reference day (±inf when unknown)."""
    born = _float(_column(members, "birth_year"))
    dates = _column(members, "birth_date")
    if pd.api.types.is_datetime64_any_dtype(dates):
        month = dates.dt.month.to_numpy(dtype="float64", na_value=np.nan)
        day = dates.dt.day.to_numpy(dtype="float64", na_value=np.nan)
    else:
        month = day = np.full(len(members), np.nan)
    has_date = ~np.isnan(month)
    before_birthday = (month > REFERENCE_DAY[0]) | ((month == REFERENCE_DAY[0]) & (day > REFERENCE_DAY[1]))
    exact = year - born - before_birthday
    low = np.where(has_date, exact, year - born - 1)
    high = np.where(has_date, exact, year - born)
    unknown = np.isnan(born)
    return np.where(unknown, -np.inf, low), np.where(unknown, np.inf, high)


def _roster_rules(hh: pd.DataFrame, members: pd.DataFrame, groups: _Grouping) -> dict[str, Any]:
    """Member rows per household, `Chủ hộ` rows, and the first member row (to point findings at)."""
    rows = groups.count()
    is_head = _text(_column(members, "relation")) == HEAD_RELATION
    first = np.full(groups.n_ids, np.inf)
    np.minimum.at(first, groups.member_code[groups.placed], members.index.to_numpy("float64")[groups.placed])
    first_row = groups.to_households(first, missing=np.inf)
    return {
        "member_rows": _ints(rows, groups.listed),
        "heads": _ints(groups.count(is_head), rows > 0),
        "first_member_row": _ints(first_row, np.isfinite(first_row)),
    }


def _age_rules(hh: pd.DataFrame, members: pd.DataFrame, groups: _Grouping, year: int) -> dict[str, Any]:
    """Indicators 2, 3, 4 and 6 against who lives in the household (and their insurance, schooling)."""
    low, high = _ages(members, year)
    has_rows = groups.count() > 0
    d02, d03, d04, d06 = (_float(_column(hh, c)) for c in ("d02", "d03", "d04", "d06"))
    child = groups.any(low < CHILD_AGE)
    school_age = (high >= SCHOOL_AGES_OPEN[0]) & (low < SCHOOL_AGES_OPEN[1])  # may be 3 to under 16
    surely_school_age = (low >= SCHOOL_AGES_OPEN[0]) & (high < SCHOOL_AGES_OPEN[1])
    insurable = high >= INSURANCE_AGE  # may be 6 or older
    derived: dict[str, Any] = {
        "d02_dependent_ok": _rule(has_rows & (d02 == 1), child | groups.any(high >= ELDER_AGE)),
        "d03_child_ok": _rule(has_rows & (d03 == 1), child),
        "d04_member_ok": _rule(has_rows & (d04 == 1), groups.any(insurable)),
        "d06_child_ok": _rule(has_rows & (d06 == 1), groups.any(school_age)),
    }
    # Deprived: someone concerned lacks it; not deprived: nobody surely concerned lacks it.
    for name, flag, values, concerned, surely in (
        (
            "d04_insurance_ok",
            d04,
            _float(_column(members, "has_health_insurance")),
            insurable,
            low >= INSURANCE_AGE,
        ),
        ("d06_schooling_ok", d06, _float(_column(members, "in_school")), school_age, surely_school_age),
    ):
        lacking = groups.any(concerned & (values == 0))
        all_have = groups.any(concerned) & (
            groups.count(concerned & (values == 1)) == groups.count(concerned)
        )
        known = groups.any(concerned & ~np.isnan(values))
        applies = has_rows & (((flag == 1) & (lacking | all_have)) | ((flag == 0) & known))
        derived[name] = _rule(applies, np.where(flag == 1, lacking, ~groups.any(surely & (values == 0))))
    return derived


def _cccd_rules(hh: pd.DataFrame, members: pd.DataFrame, groups: _Grouping, heads: np.ndarray) -> dict:
    """The head's CCCD: not a member's of another household, and the `Chủ hộ` member's own."""
    head_ids = _text(_column(hh, "head_id_number"))
    member_ids = _text(_column(members, "id_number"))
    has_head_id = pd.notna(head_ids)
    holders = (
        pd.DataFrame({"id": member_ids, "code": groups.member_code}).dropna(subset=["id"]).drop_duplicates()
    )
    heads_of = pd.DataFrame({"id": head_ids, "code": groups.household_code, "row": np.arange(len(hh))})
    pairs = heads_of.dropna(subset=["id"]).merge(holders, on="id", suffixes=("", "_member"))
    elsewhere = np.zeros(len(hh), dtype=bool)
    elsewhere[pairs.loc[pairs["code"] != pairs["code_member"], "row"].to_numpy()] = True

    is_head = (_text(_column(members, "relation")) == HEAD_RELATION) & groups.placed & pd.notna(member_ids)
    head_member_id = np.full(groups.n_ids, None, dtype=object)
    head_member_id[groups.member_code[is_head]] = member_ids[is_head]
    own = groups.to_households(head_member_id, missing=None)
    comparable = has_head_id & pd.notna(own) & (heads == 1)  # exactly one `Chủ hộ` row to compare with
    return {
        "head_id_own_household": _rule(has_head_id, ~elsewhere),
        "head_id_matches_member": _rule(comparable, head_ids == own),
    }


def _member_table(members: pd.DataFrame, groups: _Grouping, other_ids: list[str]) -> pd.DataFrame:
    ids = _text(_column(members, "id_number"))
    derived = {
        "member_known_household": _rule(pd.notna(_text(_column(members, "household_id"))), groups.placed),
        "id_new_in_round": _rule(pd.notna(ids), ~pd.Series(ids).isin(other_ids).to_numpy()),
        # Range checks run vectorised on numpy floats (GX compares nullable integers one by one).
        "birth_year": _float(_column(members, "birth_year")),
    }
    return members.assign(**{name: _series(v, members.index) for name, v in derived.items()})


def _series(values: Any, index: pd.Index) -> pd.Series:
    if isinstance(values, pd.Series):
        return values if values.index.equals(index) else values.set_axis(index, axis=0)
    return pd.Series(values, index=index)


# Entry point -----------------------------------------------------------------------------------------


def prepare(parsed: ParsedSubmission, context: ValidationContext) -> Prepared:
    """The `ho` and `thanh_vien` tables with their derived columns, and the suite parameters."""
    year, standard = context.year, context.standard
    other_ids = list(context.other_id_numbers)
    hh = _ensure_optional(_by_row(parsed.households), HOUSEHOLD_COLUMNS)
    derived = _household_rules(hh, standard, other_ids)
    members = None
    if parsed.members is not None:
        members = _ensure_optional(_by_row(parsed.members), MEMBER_COLUMNS)
        groups = _Grouping(hh, members)
        derived.update(_roster_rules(hh, members, groups))
        derived.update(_age_rules(hh, members, groups, year))
        heads = derived["heads"].to_numpy(dtype="float64", na_value=np.nan)
        derived.update(_cccd_rules(hh, members, groups, heads))
        members = _member_table(members, groups, other_ids)
    else:
        for name in ("member_rows", "heads", "first_member_row"):
            derived[name] = pd.array([None] * len(hh), dtype="Int64")
        for name in MEMBER_RULES:
            derived[name] = pd.array([None] * len(hh), dtype="boolean")
    households = hh.assign(**{name: _series(v, hh.index) for name, v in derived.items()})

    parameters = {
        "filed_commune": [context.commune_code],
        "district_communes": list(scope_communes(context.year, context.scope_code)),
        "review_year": year,
        "min_birth_year": year - MAX_AGE,
    }
    texts = {
        "commune_code": context.commune_code,
        "district_code": context.scope_code,
        "scope_vi": scope(context.year, context.scope_code).label_vi,
        "review_year": str(year),
        "min_birth_year": str(year - MAX_AGE),
        "b2_points": str(standard.b2_points_per_indicator),
        # The unit the income column's header stated (amounts are already converted from it).
        "income_unit": parsed.income_unit.label_vi if parsed.income_unit else "",
        "income_header": parsed.income_header or "",
    }
    return Prepared(households=households, members=members, parameters=parameters, texts=texts)
