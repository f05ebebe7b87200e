"""Typing of raw cells, one vectorised pass per column.

Each function takes the raw cells of one column (an object Series: str, float, int, datetime or
None) and returns the typed Series plus a boolean mask of cells that were given but could not be
typed. Range and code-set checks belong to validation, not here: this only answers "is it a number",
"is it a date", "is it 0/1".
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from rasoat.schema import AREA_ALIASES, ETHNIC_ALIASES, POVERTY_CAUSE_ALIASES, SEXES, STATUS_ALIASES
from rasoat.text import fold, fold_compact

Typed = tuple[pd.Series, pd.Series]

# Vietnamese exports write thousands as "1.500.000" (and sometimes "1,500,000" or "1 500 000").
_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def blank(raw: pd.Series) -> pd.Series:
    """Empty cells: None, NaN, or text that is only whitespace."""
    as_text = raw.astype("object")
    return as_text.isna() | as_text.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)


def text(raw: pd.Series) -> Typed:
    empty = blank(raw)
    values = raw.astype("object").where(~empty)
    # Numbers typed into text columns (ids) come back from Excel as floats: 123.0 → "123".
    numeric = values.map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    if numeric.any():
        as_float = values[numeric].astype("float64")
        whole = np.isfinite(as_float) & (as_float == np.floor(as_float))
        values.loc[numeric & whole.reindex(values.index, fill_value=False)] = (
            as_float[whole].astype("int64").astype(str)
        )
    out = values.map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    return out.astype("string"), pd.Series(False, index=raw.index)


def code5(raw: pd.Series) -> Typed:
    values, _ = text(raw)
    padded = values.str.zfill(5)
    bad = values.notna() & ~values.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    return padded.where(~bad, values), bad


def _numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float values and the mask of given-but-unparsable cells."""
    empty = blank(raw)
    obj = raw.astype("object").where(~empty)
    is_str = obj.map(lambda v: isinstance(v, str)).astype(bool)
    cleaned = obj.copy()
    if is_str.any():
        s = obj[is_str].astype(str).str.strip().str.rstrip("%").str.strip()
        grouped = s.str.fullmatch(_GROUPED_INT)
        s = s.where(~grouped, s.str.replace(r"[.,\s]", "", regex=True))
        # A lone decimal comma ("75,5") is a Vietnamese decimal point.
        s = s.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
        cleaned.loc[is_str] = s
    is_bool = obj.map(lambda v: isinstance(v, bool)).astype(bool)
    cleaned.loc[is_bool] = np.nan  # TRUE/FALSE is not a number here
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = ~empty & (numbers.isna() | ~np.isfinite(numbers.fillna(0.0)))
    return numbers.where(~bad), bad


def integer(raw: pd.Series) -> Typed:
    numbers, bad = _numbers(raw)
    fractional = numbers.notna() & (numbers != np.floor(numbers))
    bad = bad | fractional
    return numbers.where(~bad).round().astype("Int64"), bad


def number(raw: pd.Series) -> Typed:
    numbers, bad = _numbers(raw)
    return numbers.astype("Float64"), bad


def flag(raw: pd.Series) -> Typed:
    numbers, bad = _numbers(raw)
    bad = bad | (numbers.notna() & ~numbers.isin([0.0, 1.0]))
    return numbers.where(~bad).astype("Int8"), bad


def _mapped(raw: pd.Series, aliases: dict[str, str], key=fold, strict: bool = True) -> Typed:
    values, _ = text(raw)
    keys = values.map(lambda v: key(v) if isinstance(v, str) else None)
    mapped = keys.map(aliases)
    bad = values.notna() & mapped.isna()
    if strict:
        return mapped.astype("string"), bad
    # Lenient: unknown values are kept as written, for validation to report against the code set.
    return mapped.fillna(values).astype("string"), pd.Series(False, index=raw.index)


def area(raw: pd.Series) -> Typed:
    return _mapped(raw, AREA_ALIASES)


def status(raw: pd.Series) -> Typed:
    return _mapped(raw, {k: v.value for k, v in STATUS_ALIASES.items()}, strict=False)


def sex(raw: pd.Series) -> Typed:
    return _mapped(raw, SEXES, strict=False)


def ethnicity(raw: pd.Series) -> Typed:
    return _mapped(raw, ETHNIC_ALIASES, key=fold_compact, strict=False)


def poverty_cause(raw: pd.Series) -> Typed:
    return _mapped(raw, POVERTY_CAUSE_ALIASES, strict=False)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YEAR = re.compile(r"^(\d{4})$")


def birth(raw: pd.Series, today: dt.date | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Birth date or year → (birth_date as datetime64, birth_year as Int64, bad mask).

    Accepts Excel dates, Excel serial numbers, dd/mm/yyyy, ISO dates and a bare year (common for
    elderly members whose exact date is unknown)."""
    empty = blank(raw)
    obj = raw.astype("object").where(~empty)
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    years = pd.Series(pd.NA, index=raw.index, dtype="Int64")

    is_dt = obj.map(lambda v: isinstance(v, dt.date)).astype(bool)
    if is_dt.any():
        dates.loc[is_dt] = pd.to_datetime(obj[is_dt].map(lambda v: dt.datetime(v.year, v.month, v.day)))

    is_num = obj.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).astype(bool)
    if is_num.any():
        num = obj[is_num].astype("float64")
        as_year = (num >= 1880) & (num <= 2100) & (num == np.floor(num))
        years.loc[as_year[as_year].index] = num[as_year].astype("int64")
        serial = ~as_year & (num > 0) & (num < 80000)  # Excel serial day numbers (1900 system)
        dates.loc[serial[serial].index] = _EXCEL_EPOCH + pd.to_timedelta(np.floor(num[serial]), unit="D")

    is_str = obj.map(lambda v: isinstance(v, str)).astype(bool)
    if is_str.any():
        s = obj[is_str].astype(str).str.strip()
        dmy = s.str.extract(_DMY)
        iso = s.str.extract(_ISO)
        day = pd.to_numeric(dmy[0].fillna(iso[2]), errors="coerce")
        month = pd.to_numeric(dmy[1].fillna(iso[1]), errors="coerce")
        year = pd.to_numeric(dmy[2].fillna(iso[0]), errors="coerce")
        parsed = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
        dates.loc[parsed.notna()[parsed.notna()].index] = parsed.dropna()
        only_year = s.str.extract(_YEAR)[0]
        only_year = pd.to_numeric(only_year, errors="coerce").dropna()
        years.loc[only_year.index] = only_year.astype("int64")

    has_date = dates.notna()
    years = years.where(~has_date, dates.dt.year.astype("Int64"))
    bad = ~empty & years.isna()
    return dates, years, bad
