"""Typing of raw cells, one vectorised pass per column.

Each function takes the cells of one column after `normalise` (an object Series: stripped str,
float, int, datetime or None) and returns the typed Series plus a boolean mask of cells that were
given but could not be typed. Range and code-set checks belong to validation, not here: this
only answers "is it a number", "is it a date", "is it 0/1".
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

import numpy as np
import pandas as pd

from rasoat.schema import AREA_ALIASES, ETHNIC_ALIASES, POVERTY_CAUSE_ALIASES, SEXES, STATUS_ALIASES
from rasoat.text import fold, fold_compact, nfc

Typed = tuple[pd.Series, pd.Series]

# Vietnamese exports write thousands as "1.500.000" (and sometimes "1,500,000" or "1 500 000").
_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_DOT_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+"
# A currency unit written after (or before) an amount: "1.500.000 đ", "1.500.000 đồng", "₫1,500,000".
_CURRENCY = re.compile(r"^₫\s*|\s*(?:đồng|đ|vnđ|vnd|₫)\.?$", re.IGNORECASE)
# What a spreadsheet makes of a 12-digit number: "1.2345678901E+11", "45090001234.0".
_NUMBER_LIKE_ID = r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+|\d+[.,]0+"
_NUMBER_MARKS = re.compile(r"[eE.,]")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_CODE5 = re.compile(r"\d{1,5}")
_COMBINING = re.compile("[\u0300-\u036f]")
_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}(?:[T ][0-9:.]+)?"
_YEAR = r"\d{4}(?:\.0+)?"
# Layouts tried in turn, each only on what the previous ones left; "ISO8601" only sees _ISO_DATE
# strings, so "1971" stays a bare year instead of becoming 1 January 1971.
_DATE_LAYOUTS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "ISO8601")
_MAX_EXACT_INT = 2.0**53  # beyond this a float is not an exact integer (and Int64 refuses it)


_NO_TEXT = frozenset({"floating", "integer", "mixed-integer-float", "boolean", "date", "datetime", "empty"})


def _kinds(cells: pd.Series | np.ndarray) -> str:
    """pandas' one-pass type inference over an object column (C speed): 'string', 'floating',
    'integer', 'boolean', 'mixed', 'mixed-integer-float', 'empty', 'date', 'datetime', …"""
    return pd.api.types.infer_dtype(cells, skipna=True)


def normalise(raw: pd.Series) -> pd.Series:
    """Raw cells → stripped strings, numbers, dates or None (empty and whitespace-only cells).

    Done once per column so the typing functions below only need `isna()` for emptiness. One C-speed
    type inference picks the cheapest pass: a column of text (every CSV column; calamine gives ''
    for blank cells) needs one plain comprehension, a column of numbers only its '' replaced."""
    values = raw.to_numpy(dtype=object)
    kinds = _kinds(values)
    if kinds == "string":
        try:  # str and None only: the readers never produce NaN, but skipna inference allows it
            return pd.Series([(v and v.strip()) or None for v in values], index=raw.index, dtype="object")
        except AttributeError:
            pass
    values = values.copy()
    values[values == ""] = None
    kinds = _kinds(values)
    if kinds not in _NO_TEXT:
        values = np.array(
            [
                (v.strip() or None) if v.__class__ is str else (None if v is None or v != v else v)
                for v in values
            ],
            dtype=object,
        )
    elif kinds == "floating":  # NaN is empty too
        values[pd.isna(values)] = None
    return pd.Series(values, index=raw.index, dtype="object")


def blank(raw: pd.Series) -> pd.Series:
    return normalise(raw).isna()


def text(cells: pd.Series) -> Typed:
    values = cells.astype("object")
    # Numbers typed into text columns (ids) come back from Excel as floats: 123.0 → "123".
    kinds = _kinds(values)
    numeric = (
        np.zeros(len(values), dtype=bool)
        if kinds in ("string", "empty")
        else values.map(type).isin([float, int]).to_numpy()
    )
    if numeric.any():
        as_float = values[numeric].astype("float64")
        exact = np.isfinite(as_float) & (as_float.abs() < _MAX_EXACT_INT)
        whole = (exact & (as_float == np.floor(as_float.where(exact, 0.0)))).to_numpy()
        converted = values[numeric].astype(str)
        converted[whole] = as_float[whole].astype("int64").astype(str)
        values = values.copy()
        values[numeric] = converted
    typed = values.astype("string")
    # Text typed with a "Unicode tổ hợp" keyboard is decomposed (tone marks as separate characters);
    # one search over the joined column decides whether any cell needs composing.
    if _COMBINING.search("".join(typed.dropna().tolist())):
        typed = typed.map(nfc, na_action="ignore").astype("string")
    return typed, pd.Series(False, index=cells.index)


def code5(raw: pd.Series) -> Typed:
    values, _ = text(raw)
    # A commune's file has one or a few codes: check each distinct value once.
    lookup = {v: (v.zfill(5) if _CODE5.fullmatch(v) else None) for v in values.dropna().unique()}
    padded = values.map(lookup).astype("object")
    bad = values.notna() & padded.isna()
    return padded.where(~bad, values.astype("object")).astype("string"), bad


def _numbers(
    cells: pd.Series, *, booleans: bool = False, thousands_dot: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Float values and the mask of given-but-unparsable cells.

    `booleans`: TRUE/FALSE cells count as 1/0 (only for 0/1 columns; elsewhere they are errors).
    `thousands_dot`: "500.000" means five hundred thousand (integer columns: Vietnamese writes dots
    between thousands), not 500.0 as plain parsing would read it."""
    kinds = _kinds(cells)
    if kinds in ("string", "mixed") and len(cells) > 1000:
        # CSV columns are text: parse each distinct value once ("0"/"1" flags have two).
        codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
        if len(uniques) < len(cells) // 2:
            u_numbers, u_bad = _numbers(
                pd.Series(uniques, dtype="object"), booleans=booleans, thousands_dot=thousands_dot
            )
            taken = np.where(codes >= 0, u_numbers.to_numpy()[codes], np.nan)
            bad = np.where(codes >= 0, u_bad.to_numpy()[codes], False)
            return pd.Series(taken, index=cells.index), pd.Series(bad.astype(bool), index=cells.index)
    empty = cells.isna()
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
    if not booleans and kinds in ("boolean", "mixed"):
        numbers[cells.map(type).eq(bool).to_numpy()] = np.nan
    has_text = kinds in ("string", "mixed")
    if thousands_dot and has_text:
        parsed = numbers.notna().to_numpy()
        s = cells[parsed]
        s = s[s.map(type).eq(str).to_numpy()] if kinds == "mixed" else s
        dotted = s[s.str.contains(".", regex=False).fillna(False).astype(bool).to_numpy()]
        if len(dotted):
            grouped = dotted[dotted.str.fullmatch(_DOT_THOUSANDS).astype(bool).to_numpy()]
            digits = grouped.str.replace(".", "", regex=False)
            numbers.loc[grouped.index] = pd.to_numeric(digits).astype("float64")
    failed = (numbers.isna() & ~empty).to_numpy()
    if failed.any() and has_text:
        # Only the cells plain parsing missed: "1.500.000", "1.500.000 đ", "75%", "75,5".
        s = cells[failed]
        is_str = s.map(type).eq(str).to_numpy()
        s = s[is_str].astype(str).str.rstrip("%").str.replace(_CURRENCY, "", regex=True).str.strip()
        grouped = s.str.fullmatch(_GROUPED_INT)
        s = s.where(~grouped, s.str.replace(r"[.,\s]", "", regex=True))
        s = s.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)  # decimal comma
        numbers.loc[s.index] = pd.to_numeric(s, errors="coerce").to_numpy()
    bad = ~empty & (numbers.isna() | ~np.isfinite(numbers.fillna(0.0)))
    return numbers.where(~bad), bad


def integer(raw: pd.Series) -> Typed:
    numbers, bad = _numbers(raw, thousands_dot=True)
    fractional = numbers.notna() & ((numbers != np.floor(numbers)) | (numbers.abs() >= _MAX_EXACT_INT))
    bad = bad | fractional
    return numbers.where(~bad).round().astype("Int64"), bad


def number(raw: pd.Series) -> Typed:
    numbers, bad = _numbers(raw)
    return numbers.astype("Float64"), bad


def flag(raw: pd.Series) -> Typed:
    typed, bad, _ = flag_marks(raw)
    return typed, bad


class FlagWriting(StrEnum):
    """How a 0/1 column was written."""

    DIGITS = "digits"  # 0/1 (TRUE/FALSE count as digits)
    TICKS = "ticks"  # only tick marks and blanks: tick = 1, blank = 0
    WORDS = "words"  # only "Có"/"Không": 1/0
    MIXED_TICKS = "mixed_ticks"  # tick marks beside 0/1 or other values: refused
    MIXED_WORDS = "mixed_words"  # "Có"/"Không" beside 0/1 or other values: refused


# Tick marks as typed on the paper Phiếu B and in its spreadsheet copies.
TICKS = frozenset({"x", "X", "✓", "✔", "√", "✗", "☑", "☒"})
YES_NO = {"co": 1.0, "khong": 0.0}  # folded: "Có", "CÓ", "co", "Không", "KHONG", …


def flag_marks(raw: pd.Series) -> tuple[pd.Series, pd.Series, FlagWriting]:
    """A 0/1 column: typed values, the mask of cells that are not a 0/1 answer, and how it was written.

    A column is read one way as a whole. Only tick marks and blanks: the paper form's way (a tick
    where the household is deprived, nothing elsewhere), so a blank is 0. Only "Có"/"Không": 1/0, and
    a blank stays missing (both answers are written, so a blank is an unanswered question). A column
    mixing either with digits or other values is refused cell by cell, as a value that is not 0/1:
    a commune that wrote "x" beside "0" meant something we cannot know (a tick for "no"?)."""
    numbers, bad = _numbers(raw, booleans=True)
    bad = bad | (numbers.notna() & ~numbers.isin([0.0, 1.0]))
    if not bad.any():  # the usual column: nothing more to look at
        return numbers.where(~bad).astype("Int8"), bad, FlagWriting.DIGITS
    odd = raw[bad.to_numpy()]
    distinct = {v for v in odd.unique() if isinstance(v, str)}
    ticks = {v for v in distinct if v in TICKS}
    words = {v: YES_NO[fold(v)] for v in distinct - ticks if fold(v) in YES_NO}
    only_odd = bool(bad.sum() == raw.notna().sum())  # no digit anywhere in the column
    if ticks and ticks == set(odd.unique()) and only_odd:
        values = raw.notna().astype("float64")  # tick → 1, blank → 0
        return values.astype("Int8"), pd.Series(False, index=raw.index), FlagWriting.TICKS
    if words and set(words) == set(odd.unique()) and only_odd:
        values = raw.map(words, na_action="ignore").astype("Float64")
        return values.astype("Int8"), pd.Series(False, index=raw.index), FlagWriting.WORDS
    writing = FlagWriting.MIXED_TICKS if ticks else FlagWriting.MIXED_WORDS if words else FlagWriting.DIGITS
    return numbers.where(~bad).astype("Int8"), bad, writing


def id_number(raw: pd.Series) -> Typed:
    """A CCCD number must be text: every one starts with 0 (province codes 001–096), which a cell
    stored as a number has lost, and a number shown as 1,23457E+11 has lost digits too. Such cells
    are errors (the number cannot be trusted), not silently repaired; the 12-digit rule itself is
    checked by validation."""
    values, _ = text(raw)
    kinds = _kinds(raw)
    bad = pd.Series(False, index=raw.index)
    if kinds not in ("string", "empty"):
        bad |= raw.map(type).isin([float, int]).to_numpy()
    if kinds in ("string", "mixed"):
        strings = raw[raw.map(type).eq(str).to_numpy()] if kinds == "mixed" else raw.dropna()
        if _NUMBER_MARKS.search("".join(strings.tolist())):  # only then look cell by cell
            bad[strings.index] |= strings.str.fullmatch(_NUMBER_LIKE_ID).astype(bool).to_numpy()
    return values.where(~bad), bad


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


def _dd_mm_yyyy(s: pd.Series) -> pd.Series:
    """Fast path for the usual "dd/mm/yyyy": the strings' bytes as a matrix, digits checked and
    combined column-wise; impossible dates (31/02/1990) become NaT. Anything else is left NaT for
    the general parsers."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
    try:
        raw = np.array(s.tolist(), dtype="S11")  # 11 bytes: a longer string is not this layout
    except UnicodeEncodeError:  # non-ASCII text somewhere: leave it all to the general parsers
        return out
    m = raw.view(np.uint8).reshape(len(raw), 11).astype(np.int64)
    digits = m[:, [0, 1, 3, 4, 6, 7, 8, 9]] - 48
    ok = (m[:, 2] == 47) & (m[:, 5] == 47) & (m[:, 10] == 0) & ((digits >= 0) & (digits <= 9)).all(axis=1)
    if ok.any():
        d = digits[ok]
        parts = pd.DataFrame(
            {
                "year": d[:, 4] * 1000 + d[:, 5] * 100 + d[:, 6] * 10 + d[:, 7],
                "month": d[:, 2] * 10 + d[:, 3],
                "day": d[:, 0] * 10 + d[:, 1],
            }
        )
        out.iloc[np.flatnonzero(ok)] = (
            pd.to_datetime(parts, errors="coerce").astype("datetime64[s]").to_numpy()
        )
    return out


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
        parsed = _dd_mm_yyyy(s)
        for layout in _DATE_LAYOUTS:
            rest = parsed.isna().to_numpy()
            if not rest.any():
                break
            todo = s[rest]
            if layout == "ISO8601":
                todo = todo[todo.str.fullmatch(_ISO_DATE).to_numpy()]
            if len(todo):
                found = pd.to_datetime(todo, format=layout, errors="coerce")
                parsed.loc[todo.index] = found.astype("datetime64[s]").to_numpy()
        dates.loc[parsed.index[parsed.notna().to_numpy()]] = parsed.dropna().astype("datetime64[s]")
        rest = s[parsed.isna().to_numpy()]
        only_year = pd.to_numeric(rest.where(rest.str.fullmatch(_YEAR)), errors="coerce").dropna()
        years.loc[only_year.index] = only_year.astype("int64")

    has_date = dates.notna()
    years = years.where(~has_date, dates.dt.year.astype("Int64"))
    bad = ~empty & years.isna()
    return dates, years, bad
