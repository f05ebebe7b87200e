"""Problems found while reading a submission, located by file, sheet, row and column.

Messages are Vietnamese (communes read them). Values of personal columns (names, CCCD numbers)
are never echoed: a problem shows the household id and the position instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasoat.schema import PERSONAL_COLUMNS

MASK = "(ẩn: dữ liệu cá nhân)"


@dataclass(frozen=True)
class Problem:
    file: str
    message: str  # Vietnamese, what is wrong and what is expected
    code: str  # stable English key, e.g. "not_integer", "missing_column"
    sheet: str | None = None
    row: int | None = None  # 1-based row as the spreadsheet or text editor shows it
    column: str | None = None  # canonical column name
    header: str | None = None  # the header as written in the file
    value: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.header or self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        shown = f" (giá trị: {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.location()}: {self.message}{shown}"


def shown_value(column: str | None, value: object) -> str | None:
    if value is None:
        return None
    if column in PERSONAL_COLUMNS:
        return MASK
    # A number cell as the spreadsheet shows it: 3, not 3.0 (a commune looks for what it typed).
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class SubmissionError(Exception):
    """A submission that cannot be read as a whole, or whose cells cannot be typed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (và {len(problems) - 3} lỗi khác)" if len(problems) > 3 else ""
        super().__init__(head + more)
