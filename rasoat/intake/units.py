"""The unit of the income column, read from its header, and the conversion to the criterion's unit.

The poverty criterion is stated in đồng per person per month, and that is what the contract's
column holds. Official lists often state another unit in the header's parentheses:
"Thu nhập bình quân (nghìn đồng/người/tháng)" with 2809 for 2,809,000, or "(đồng/người/năm)".
Header matching ignores parentheses, so the unit must be read here or the amounts are silently
wrong by a factor of 1,000 or 12.

Understood: an amount in đồng or nghìn đồng (also "ngàn", "1000 đồng", "VND", "đ"), per person
(or unstated), per month or per year (or unstated). Anything else a parenthesis states about money,
people or time ("triệu đồng", "/hộ", "/quý", "USD") is refused with the units understood: guessing
would classify the whole commune wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rasoat.standards import income_months_per_year
from rasoat.text import fold

_PARENS = re.compile(r"\(([^)]*)\)")
# Folded words that make a parenthesis a statement about the unit (others, e.g. "(*)", "(9)" or
# "(ước tính)", are not about the unit and are passed over).
_UNIT_WORDS = frozenset(
    {"dong", "d", "vnd", "nghin", "ngan", "1000", "1000d", "trieu", "tr", "ty", "usd", "nguoi", "ho", "khau"}
    | {"nk", "thang", "nam", "quy", "ngay", "tuan"}
)
_AMOUNT = {  # folded amount words → multiplier to đồng
    "dong": 1,
    "d": 1,
    "vnd": 1,
    "nghin dong": 1000,
    "ngan dong": 1000,
    "nghin d": 1000,
    "ngan d": 1000,
    "nghin vnd": 1000,
    "nghin": 1000,
    "ngan": 1000,
    "1000 dong": 1000,
    "1000 d": 1000,
    "1000d": 1000,
    "1 000 dong": 1000,
    "1 000 d": 1000,
}
_PERSON = {"nguoi", "1 nguoi", "nhan khau", "nk", "khau"}
_PERIOD = {"thang": "month", "1 thang": "month", "nam": "year", "1 nam": "year", "12 thang": "year"}

UNITS_UNDERSTOOD_VI = (
    "đồng/người/tháng (như mẫu), nghìn đồng/người/tháng, đồng/người/năm, nghìn đồng/người/năm"
)


class UnknownUnit(ValueError):
    """The header states a unit the reader does not convert; the message names what it found."""


@dataclass(frozen=True)
class IncomeUnit:
    label_vi: str  # as the feedback says it: "nghìn đồng/người/tháng"
    multiplier: int  # to đồng
    per_year: bool

    @property
    def converted(self) -> bool:
        return self.multiplier != 1 or self.per_year

    def conversion_vi(self, months: int) -> str:
        """What was done to the amounts, for the feedback page."""
        if not self.converted:
            return "không quy đổi (đúng đơn vị của chuẩn nghèo)"
        steps = []
        if self.multiplier != 1:
            steps.append(f"nhân {self.multiplier:,}".replace(",", "."))
        if self.per_year:
            steps.append(f"chia {months} tháng (làm tròn lên đến đồng)")
        return " rồi ".join(steps) + " để được đồng/người/tháng"


CONTRACT_UNIT = IncomeUnit("đồng/người/tháng", 1, per_year=False)


def _slash_parts(text: str) -> list[str]:
    return [fold(part) for part in re.split(r"/|\bmỗi\b|\bmột\b|\bper\b", text)]


def income_unit(header: str) -> IncomeUnit:
    """The unit the income column's header states; the contract's unit when it states none."""
    stated = [group for group in _PARENS.findall(header) if _mentions_unit(group)]
    if not stated:
        return CONTRACT_UNIT
    if len(stated) > 1:
        raise UnknownUnit(header)
    parts = _slash_parts(stated[0])
    if not parts or len(parts) > 3:
        raise UnknownUnit(header)
    amount, rest = parts[0], parts[1:]
    multiplier = _AMOUNT.get(amount)
    if multiplier is None:
        raise UnknownUnit(header)
    person, period = "", ""
    for part in rest:
        if part in _PERIOD and not period:
            period = part
        elif part in _PERSON and not person:
            person = part
        else:
            raise UnknownUnit(header)
    per_year = _PERIOD.get(period) == "year"  # unstated: per month, as the contract's column
    money = "nghìn đồng" if multiplier == 1000 else "đồng"
    return IncomeUnit(f"{money}/người/{'năm' if per_year else 'tháng'}", multiplier, per_year)


def _mentions_unit(group: str) -> bool:
    words = set(fold(group).split())
    return bool(words & _UNIT_WORDS) or "₫" in group


def to_contract_unit(amounts: pd.Series, unit: IncomeUnit) -> pd.Series:
    """Whole amounts in `unit` → đồng per person per month (Int64), exactly.

    Thousands multiply exactly. A yearly amount is divided by the months of the standard and rounded
    up to the đồng: every threshold of the standards is a whole number of đồng, and for a whole C,
    "amount / 12 ≤ C" holds exactly when "ceil(amount / 12) ≤ C", so no household changes class
    through the rounding (rounding to nearest would put 18,000,005 đồng a year under 1,500,000)."""
    if not unit.converted:
        return amounts
    values = amounts.astype("Int64")
    given = values.notna().to_numpy()
    raw = values.to_numpy(dtype="int64", na_value=0) * unit.multiplier
    if unit.per_year:
        months = income_months_per_year()
        raw = -(-raw // months)  # ceiling division on integers: no float rounding
    out = pd.array(np.where(given, raw, 0), dtype="Int64")
    out[~given] = pd.NA
    return pd.Series(out, index=amounts.index)
