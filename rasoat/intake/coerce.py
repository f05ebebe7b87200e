"""Typing of raw cells, one vectorised pass per column.

Each function takes the cells of one column after `normalise` (an object Series: stripped str,
float, int, datetime or None) and returns the typed Series plus a boolean mask of cells that were
given but could not be typed. Range and code-set checks belong to validation, not here: this
only answers "is it a number", "is it a date", "is it 0/1".
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


def normalise(raw: pd.Series) -> pd.Series:
    """Raw cells → stripped strings, numbers, dates or None (empty and whitespace-only cells).

    Done once per column so the typing functions below only need `isna()` for emptiness."""
    cells = raw.astype("object")
    is_str = cells.map(type).eq(str).to_numpy()
    if is_str.any():
        stripped = cells[is_str].str.strip()
        cells = cells.copy()
        cells[is_str] = stripped.where(stripped != "", None)
    return cells.where(cells.notna(), None)


def blank(raw: pd.Series) -> pd.Series:
    return normalise(raw).isna()


def text(cells: pd.Series) -> Typed:
    values = cells.astype("object")
    # Numbers typed into text columns (ids) come back from Excel as floats: 123.0 → "123".
    numeric = values.map(type).isin([float, int]).to_numpy()
    if numeric.any():
        as_float = values[numeric].astype("float64")
        whole = (np.isfinite(as_float) & (as_float == np.floor(as_float))).to_numpy()
        converted = values[numeric].astype(str)
        converted[whole] = as_float[whole].astype("int64").astype(str)
        values = values.copy()
        values[numeric] = converted
    return values.astype("string"), pd.Series(False, index=cells.index)


def code5(raw: pd.Series) -> Typed:
    values, _ = text(raw)
    padded = values.str.zfill(5)
    bad = values.notna() & ~values.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    return padded.where(~bad, values), bad


def _numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float values and the mask of given-but-unparsable cells."""
    empty = cells.isna()
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
    failed = (numbers.isna() & ~empty).to_numpy()
    if failed.any():
        # Only the cells plain parsing missed: "1.500.000", "75%", "75,5".
        s = cells[failed].astype(str).str.rstrip("%").str.strip()
        grouped = s.str.fullmatch(_GROUPED_INT)
        s = s.where(~grouped, s.str.replace(r"[.,\s]", "", regex=True))
        s = s.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)  # decimal comma
        numbers[failed] = pd.to_numeric(s, errors="coerce").to_numpy()
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
    # Few distinct values (ethnic groups, areas): fold each once, not once per household.
    lookup = {v: aliases.get(key(v)) for v in values.dropna().unique()}
    mapped = values.map(lookup).astype("object")
    bad = values.notna() & mapped.isna()
    if strict:
        return mapped.astype("string"), bad
    # Lenient: unknown values are kept as written, for validation to report against the code set.
    return mapped.where(~bad, values).astype("string"), pd.Series(False, index=raw.index)


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


def birth(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Birth date or year → (birth_date as datetime64, birth_year as Int64, bad mask).

    Accepts Excel dates, Excel serial numbers, dd/mm/yyyy, ISO dates and a bare year (common for
    elderly members whose exact date is unknown)."""
    obj = raw.astype("object")
    empty = obj.isna()
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    years = pd.Series(pd.NA, index=raw.index, dtype="Int64")

    kinds = obj.map(type)
    is_dt = kinds.isin([dt.date, dt.datetime, pd.Timestamp])
    if is_dt.any():
        dates.loc[is_dt] = pd.to_datetime(obj[is_dt].map(lambda v: dt.datetime(v.year, v.month, v.day)))

    is_num = kinds.isin([int, float])
    if is_num.any():
        num = obj[is_num].astype("float64")
        as_year = (num >= 1880) & (num <= 2100) & (num == np.floor(num))
        years.loc[as_year[as_year].index] = num[as_year].astype("int64")
        serial = ~as_year & (num > 0) & (num < 80000)  # Excel serial day numbers (1900 system)
        dates.loc[serial[serial].index] = _EXCEL_EPOCH + pd.to_timedelta(np.floor(num[serial]), unit="D")

    is_str = kinds.eq(str)
    if is_str.any():
        s = obj[is_str].astype(str)
        # Vectorised parsers, most common layout first; each later one only sees what is left.
        parsed = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
        for layout in ("%d-%m-%Y", "%d.%m.%Y", "ISO8601"):
            rest = parsed.isna().to_numpy()
            if not rest.any():
                break
            parsed[rest] = pd.to_datetime(s[rest], format=layout, errors="coerce")
        dates.loc[parsed.index[parsed.notna().to_numpy()]] = parsed.dropna().astype("datetime64[s]")
        rest = s[parsed.isna().to_numpy()]
        only_year = pd.to_numeric(rest.where(rest.str.fullmatch(r"\d{4}")), errors="coerce").dropna()
        years.loc[only_year.index] = only_year.astype("int64")

    has_date = dates.notna()
    years = years.where(~has_date, dates.dt.year.astype("Int64"))
    bad = ~empty & years.isna()
    return dates, years, bad
