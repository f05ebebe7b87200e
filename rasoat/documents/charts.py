"""The charts of the round overview page, as SVG drawn by the documents' chart painter.

    svgs = rates_chart_svgs(data)      # poor and near-poor rates by commune, this year beside last year
    svgs = movements_chart_svgs(data)  # escaped, re-poor, newly poor by commune

One SVG per chart: a district's communes fit in one, a province's take several, on one scale, as
on the documents' chart pages. `chart_pdf.ChartPainter` lays each chart out and draws it, here on
an `SvgCanvas` instead of reportlab's: the same bars, hatching, totals, axes and legends, from the
same `chart_spec`. `data` is `rasoat.consolidation.chart_data.ChartData`; nothing here computes a
figure. The SVG goes inline into the overview page.

Printed in black and white: this year is solid dark grey, last year white with hatching, the unit's
total a dashed (this year) or dotted (last year) line, every bar with its value. The words are
`<text>` in a serif a browser has (Liberation Serif, or Times New Roman, its metric twin): no glyph
outlines, so a chart is ≈ 14 kB instead of ≈ 200 kB and costs about 2 ms to draw. Deterministic
bytes: no date, no random id, coordinates rounded.
"""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

from rasoat.consolidation.chart_data import ChartData
from rasoat.documents.certificate_pdf import register_fonts
from rasoat.documents.chart_pdf import ChartPage, ChartPainter
from rasoat.documents.chart_spec import (
    MOVE_ROWS,
    RATE_ROWS,
    WIDTH_IN,
    height_in,
    movement_pages,
    movements_height_in,
    rate_pages,
)
from rasoat.documents.svg_canvas import SvgCanvas

POINTS = 72.0  # a chart_spec inch


def _width(text: str, letter: str, size: float) -> float:
    """Liberation Serif's advance width, as the documents' layout measures it."""
    return pdfmetrics.stringWidth(text, register_fonts()[letter], size)


class _SvgPainter(ChartPainter):
    def __init__(self, canvas: SvgCanvas) -> None:
        super().__init__(canvas, _width)
        self.svg = canvas

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "l") -> None:
        self.svg.text(x, y, text, size, bold, align)


def _chart(page: ChartPage, height_inches: float, prefix: str) -> str:
    width, height = WIDTH_IN * POINTS, height_inches * POINTS
    canvas = SvgCanvas(width, height, prefix)
    painter = _SvgPainter(canvas)
    draw = painter.rates if page.kind == "rates" else painter.movements
    draw(page, 0.0, height, width)
    return canvas.svg()


def rates_chart_svgs(data: ChartData) -> list[str]:
    """Poor (left) and near-poor (right) household rates by commune, sorted by this year's poor
    rate, `RATE_ROWS` communes a chart."""
    return [
        _chart(ChartPage("rates", data, i), height_in(len(rows)), f"rates{i + 1}-")
        for i, rows in enumerate(rate_pages(data))
    ]


def movements_chart_svgs(data: ChartData) -> list[str]:
    """Escaped, re-poor and newly poor households by commune, most escaped first, `MOVE_ROWS`
    communes a chart."""
    return [
        _chart(ChartPage("movements", data, i), movements_height_in(len(rows)), f"moves{i + 1}-")
        for i, rows in enumerate(movement_pages(data))
    ]


__all__ = ["MOVE_ROWS", "RATE_ROWS", "movements_chart_svgs", "rates_chart_svgs"]
