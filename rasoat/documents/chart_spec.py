"""What the rates and movements charts show and how they look: communes per page, sizes, greys,
hatches, words. `chart_pdf.ChartPainter` draws them from here, on reportlab's canvas for the
documents' pages and on an SVG canvas for the round overview page (`charts`), so the printed charts
and the page's do not drift apart.

No drawing library is imported here: the documents' pool workers and the drafts need only this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from rasoat.consolidation.chart_data import LEVEL_NAMES_VI, ChartData, UnitMovements, UnitRates, percent

WIDTH_IN = 9.9  # the text width of a landscape A4 page (297 mm − 45 mm of margins)
ROW_IN = 0.34  # height per unit: two bars and their labels, legible at 9 pt
MAX_HEIGHT_IN = 5.4  # what fits under the heading on that page; more units get thinner bars
FONT_SIZE = 9
LABEL_SIZE = FONT_SIZE - 1  # the bars' values and the legend
RATE_ROWS = 14  # communes a rates chart: two bars each, legible within MAX_HEIGHT_IN
MOVE_ROWS = 10  # communes a movements chart: three bars each
RATE_BAR = 0.38  # a rates bar's thickness in rows, with last year beside it (0.6 alone)
MOVE_BAR = 0.26
RATE_ROOM = 1.22  # the rates axis runs past the highest rate: room for its label
MOVE_ROOM = 1.15
T = TypeVar("T")


@dataclass(frozen=True)
class BarStyle:
    """A bar's fill grey (0 black, 1 white) and hatch in matplotlib's notation ("" for none): printed
    in black and white, solid, hatched, cross-hatched and dotted tell the series apart."""

    grey: float
    hatch: str = ""


THIS_YEAR = BarStyle(0.35)
LAST_YEAR = BarStyle(1.0, "////")
EDGE_WIDTH = 0.4  # every bar's black outline
HATCH_WIDTH = 0.5
AXES_WIDTH = 0.6
TOTAL_WIDTH = 1.0  # the unit's total: dashed this year, dotted last year
MOVES = (  # (field, label, style)
    ("escaped", "Thoát nghèo", BarStyle(0.25)),
    ("re_poor", "Tái nghèo", BarStyle(0.75, "xxx")),
    ("newly_poor", "Phát sinh mới", BarStyle(1.0, "...")),
)
RATE_PANELS = (("poor", "Tỷ lệ hộ nghèo"), ("near_poor", "Tỷ lệ hộ cận nghèo"))
RATE_AXIS = "Tỷ lệ (%)"
MOVE_AXIS = "Số hộ"
MOVE_TITLE = "Diễn biến hộ nghèo: thoát nghèo, tái nghèo, phát sinh mới"


def decimal_comma(value: float) -> str:
    """An axis tick as officials write it: 2,5."""
    return f"{value:g}".replace(".", ",")


def chunks(rows: Sequence[T], size: int) -> list[Sequence[T]]:
    """Rows in charts of at most `size`: a province's communes take several pages, each legible."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [rows]


def rate_pages(data: ChartData) -> list[Sequence[UnitRates]]:
    return chunks(data.rates, RATE_ROWS)


def movement_pages(data: ChartData) -> list[Sequence[UnitMovements]]:
    return chunks(data.movements, MOVE_ROWS)


def height_in(rows: int) -> float:
    """A chart's height for `rows` rows of bars."""
    return min(MAX_HEIGHT_IN, 1.3 + ROW_IN * max(rows, 1))


def movements_height_in(rows: int) -> float:
    return height_in(round(rows * 1.4))  # three bars a row, not two


def unit_word(data: ChartData) -> str:
    return LEVEL_NAMES_VI.get(data.unit_level, data.unit_level)


def year_label(year: int) -> str:
    return f"Năm {year}"


def total_label(data: ChartData, value: float | None, year: int) -> str:
    """The legend of the unit's total line: "Toàn tỉnh năm 2026: 6,92%"."""
    return f"Toàn {unit_word(data)} năm {year}: {percent(value)}%"


def movement_label(data: ChartData, field: str, label: str) -> str:
    """A movement's legend with the unit's total: "Thoát nghèo (toàn tỉnh: 14043 hộ)"."""
    return f"{label} (toàn {unit_word(data)}: {getattr(data.total_movements, field)} hộ)"


def rate_limit(data: ChartData, field: str) -> float:
    """The end of a rates axis: one scale for every page of the chart, so that pages compare."""
    every = [v for r in data.rates for v in (getattr(r, field), getattr(r, f"{field}_before"))]
    totals = (getattr(data.total, field), getattr(data.total, f"{field}_before"))
    return RATE_ROOM * max([*(v for v in (*every, *totals) if v is not None), 1.0])


def movement_limit(data: ChartData) -> float:
    most = max([1, *(getattr(m, f) for m in data.movements for f, _, _ in MOVES)])
    return MOVE_ROOM * most


__all__ = [
    "LAST_YEAR",
    "MOVES",
    "MOVE_ROWS",
    "RATE_ROWS",
    "THIS_YEAR",
    "BarStyle",
    "chunks",
    "movement_pages",
    "rate_pages",
]
