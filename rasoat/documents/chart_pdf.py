"""The charts that open the annex of the district report and the province decision, drawn straight
onto the reportlab canvas of the appendices (`appendix_pdf`), before the tables R1–R11.

    pages = chart_appendices(data, titles)  # one appendix entry a page: rates pages, then movements
    draw_chart_page(drawer, entry)          # a landscape page: heading, title, unit, subtitle, chart

What a chart shows and how it looks (communes per page, one scale for every page, greys, hatches,
words) comes from `chart_spec`. `ChartPainter` lays a chart out and draws it; the round overview
page's SVG (`charts`) is the same painter on an SVG canvas (`svg_canvas`). The documents' charts
were matplotlib SVGs in the WeasyPrint body: building them and WeasyPrint painting every glyph
outline and hatch pattern took half a minute for a province of 69 communes; drawn here they take a
few milliseconds a page, stay vectors, and their text is text (Liberation Serif, embedded as the
tables' is: searchable, and only the fonts the documents already carry).

The layout follows matplotlib's defaults as the SVGs had them: names right-aligned beside their
bars, value labels 2 pt past each bar's end, ticks every 1, 2, 2.5 or 5 × 10ⁿ (at most 9
intervals), the legend boxed under the axis. Hatching is stroked through a clipping path of the
hatched bars, on a grid fixed to the page, so the same data gives the same bytes (`invariant`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.pdfgen.canvas import Canvas

from rasoat.consolidation.chart_data import ChartData, percent
from rasoat.documents.certificate_pdf import LEFT
from rasoat.documents.chart_spec import (
    AXES_WIDTH,
    EDGE_WIDTH,
    FONT_SIZE,
    HATCH_WIDTH,
    LABEL_SIZE,
    LAST_YEAR,
    MOVE_AXIS,
    MOVE_BAR,
    MOVE_TITLE,
    MOVES,
    RATE_AXIS,
    RATE_BAR,
    RATE_PANELS,
    THIS_YEAR,
    TOTAL_WIDTH,
    BarStyle,
    decimal_comma,
    height_in,
    movement_label,
    movement_limit,
    movement_pages,
    movements_height_in,
    rate_limit,
    rate_pages,
    total_label,
    year_label,
)
from rasoat.documents.grid_pdf import ASCENT, DESCENT, GridDrawer

if TYPE_CHECKING:
    from rasoat.documents.svg_canvas import SvgCanvas

# The page's headings: smaller than the tables' (14/13 pt), leaving the chart its height
HEAD_SIZE = 13  # "Biểu đồ 1" and the title, bold
UNIT_SIZE = 12  # the unit and the "Kèm theo" line, italic
TITLE_GAP = 2.0  # above the title
CHART_GAP = 6.0  # between the headings and the chart
# matplotlib's defaults at FONT_SIZE, in points
PAD = 1.08 * FONT_SIZE  # tight_layout's padding around the figure
PANEL_GAP = 2 * PAD  # between the rates chart's two panels
TICK, TICK_PAD, TICK_WIDTH = 3.5, 3.5, 0.8
TITLE_SIZE = 1.2 * FONT_SIZE  # axes.titlesize: large
TITLE_PAD = 6.0
LABEL_PAD = 4.0  # the axis label under the tick labels
BAR_LABEL_PAD = 2.0
LEGEND_GAP = 6.0  # under the axis label
# the legend's, in em of LABEL_SIZE
BORDER_PAD, ROW_GAP, HANDLE_LENGTH, HANDLE_HEIGHT, HANDLE_PAD, COLUMN_GAP = 0.4, 0.5, 2.0, 0.7, 0.8, 2.0
DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65)}  # matplotlib's dashed and dotted at 1 pt
# The hatches' spacing as the documents printed them (WeasyPrint drew matplotlib's hatch tile at
# twice the size a browser does): lighter than matplotlib's own, the values and lines stay clear.
HATCH_STEP = {"/": 6.0, "x": 8.0, ".": 5.0}
DOT = 1.4  # a dot's diameter in the "..." hatch
MAX_BINS = 9  # matplotlib's AutoLocator: at most 9 intervals, at least 3 × the font size each
STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class ChartPage:
    """One page of a chart: `kind` "rates" or "movements", the `part`-th slice of the communes
    (`chart_spec.rate_pages`, `movement_pages`). The whole data rides along for the common scale
    (pickled once per job: every page refers to the same object)."""

    kind: str
    data: ChartData
    part: int


def chart_appendices(data: ChartData, titles: tuple[str, str]) -> list[dict[str, Any]]:
    """The chart pages as appendix entries (`heading`, `title`, `unit`, `chart`): "Biểu đồ 1" the
    rates, "Biểu đồ 2" the movements, "(tiếp theo)" on the pages after a chart's first."""
    pages = (("rates", len(rate_pages(data))), ("movements", len(movement_pages(data))))
    return [
        {
            "heading": f"Biểu đồ {n}" + (" (tiếp theo)" if part else ""),
            "title": title,
            "unit": data.unit_name,
            "chart": ChartPage(kind, data, part),
        }
        for n, ((kind, count), title) in enumerate(zip(pages, titles, strict=True), start=1)
        for part in range(count)
    ]


@dataclass(frozen=True)
class _Axes:
    """An axes box on the page (points, y upwards) and its data range: x from 0 to `limit`, rows
    0..n-1 from the top."""

    left: float
    right: float
    bottom: float
    top: float
    rows: int
    limit: float

    def x(self, value: float) -> float:
        return self.left + (self.right - self.left) * value / self.limit

    def y(self, row: float) -> float:
        return self.top - (row + 0.5) * (self.top - self.bottom) / self.rows


@dataclass(frozen=True)
class _Bar:
    row: float  # its centre, in rows
    value: float
    thickness: float  # in rows
    style: BarStyle
    label: str


@dataclass(frozen=True)
class _Entry:
    """A legend entry: a line (`dash`) or a bar's swatch (`style`)."""

    label: str
    dash: str = ""
    style: BarStyle | None = None


def _line(size: float) -> float:
    return (ASCENT + DESCENT) * size


def _ticks(limit: float, length: float) -> list[float]:
    bins = max(1, min(MAX_BINS, int(length // (3 * FONT_SIZE))))
    raw = limit / bins
    scale = 10 ** math.floor(math.log10(raw))
    step = next(s * scale for s in STEPS if s * scale >= raw * (1 - 1e-9))
    return [k * step for k in range(int(limit / step + 1e-9) + 1)]


class ChartPainter:
    """Lays out and draws one chart into a box: on the documents' reportlab canvas (`_PdfPainter`)
    or, through the same calls, on the overview page's SVG canvas (`charts`). `width` measures text
    in Liberation Serif (a style letter, a size); a subclass says how text is written."""

    def __init__(self, canvas: Canvas | SvgCanvas, width: Callable[[str, str, float], float]) -> None:
        self.c: Any = canvas  # either canvas: the SVG one answers the calls made here
        self.width = width

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "l") -> None:
        """`y` is the baseline; `align` l, c or r at `x`."""
        raise NotImplementedError

    def middle(self, x: float, y: float, text: str, size: float, align: str = "l") -> None:
        """Text centred vertically on `y` (matplotlib's va="center")."""
        self.text(x, y - (ASCENT - DESCENT) / 2 * size, text, size, align=align)

    # Bars and hatching ----------------------------------------------------------------------------

    def rects(self, rects: Sequence[tuple[float, float, float, float]], grey: float) -> None:
        if not rects:
            return
        c = self.c
        c.setFillGray(grey)
        path = c.beginPath()
        for x, y, w, h in rects:
            path.rect(x, y, w, h)
        c.drawPath(path, stroke=0, fill=1)
        c.setFillGray(0)  # text is filled too

    def hatch(self, rects: Sequence[tuple[float, float, float, float]], hatch: str) -> None:
        """`hatch` ("////", "xxx", "...") through the union of `rects`: lines on a grid fixed to the
        page, so neighbouring bars' hatching lines up."""
        if not rects or not hatch:
            return
        c = self.c
        c.saveState()
        clip = c.beginPath()
        for x, y, w, h in rects:
            clip.rect(x, y, w, h)
        c.clipPath(clip, stroke=0, fill=0)
        x0 = min(r[0] for r in rects)
        y0 = min(r[1] for r in rects)
        x1 = max(r[0] + r[2] for r in rects)
        y1 = max(r[1] + r[3] for r in rects)
        lines = c.beginPath()
        if "." in hatch:
            # one row of dots along each bar's middle, from half a step in: a page-wide grid of
            # dots could graze a bar's edges and print half dots
            step = HATCH_STEP["."]
            c.setLineWidth(DOT)
            c.setLineCap(1)  # a zero-length dash with round caps is a dot
            c.setDash([0, step])
            for x, y, w, h in rects:
                lines.moveTo(x + step / 2, y + h / 2)
                lines.lineTo(x + w - DOT, y + h / 2)
        else:
            c.setLineWidth(HATCH_WIDTH)
            c.setLineCap(0)
            step = HATCH_STEP["/" if "/" in hatch else "x"]
            for sign in (1, -1) if "x" in hatch else (1,):
                # lines x − sign·y = k·step (rising for 1, falling for −1) across the bars' box
                low, high = (x0 - y1, x1 - y0) if sign == 1 else (x0 + y0, x1 + y1)
                for k in range(math.floor(low / step), math.ceil(high / step) + 1):
                    lines.moveTo(k * step + sign * y0, y0)
                    lines.lineTo(k * step + sign * y1, y1)
        c.setStrokeGray(0)
        c.drawPath(lines, stroke=1, fill=0)
        c.restoreState()

    def bars(self, ax: _Axes, bars: Sequence[_Bar]) -> None:
        """Fills, then hatching, then outlines, then the values past each bar's end."""
        pitch = ax.y(0) - ax.y(1)
        by_style: dict[BarStyle, list[tuple[float, float, float, float]]] = {}
        for b in bars:
            h = b.thickness * pitch
            box = (ax.left, ax.y(b.row) - h / 2, ax.x(b.value) - ax.left, h)
            by_style.setdefault(b.style, []).append(box)
        for style, rects in by_style.items():
            self.rects(rects, style.grey)
            self.hatch(rects, style.hatch)
        c = self.c
        c.setLineWidth(EDGE_WIDTH)
        c.setStrokeGray(0)
        outline = c.beginPath()
        for rects in by_style.values():
            for x, y, w, h in rects:
                outline.rect(x, y, w, h)
        c.drawPath(outline, stroke=1, fill=0)
        for b in bars:
            self.middle(ax.x(b.value) + BAR_LABEL_PAD, ax.y(b.row), b.label, LABEL_SIZE)

    # Axes -----------------------------------------------------------------------------------------

    def total(self, ax: _Axes, value: float | None, dash: str) -> None:
        if value is None:
            return
        c = self.c
        c.saveState()
        c.setLineWidth(TOTAL_WIDTH)
        c.setDash(list(DASHES[dash]))
        c.line(ax.x(value), ax.bottom, ax.x(value), ax.top)
        c.restoreState()

    def frame(self, ax: _Axes, title: str, label: str, names: Sequence[str] | None) -> None:
        """The left and bottom spines, the x ticks and their labels, the axis label, the title, and
        the rows' names with their ticks (`names` None: the rates chart's right panel)."""
        c = self.c
        ticks = _ticks(ax.limit, ax.right - ax.left)
        marks = c.beginPath()
        for t in ticks:
            marks.moveTo(ax.x(t), ax.bottom)
            marks.lineTo(ax.x(t), ax.bottom - TICK)
        for i in range(ax.rows if names is not None else 0):
            marks.moveTo(ax.left, ax.y(i))
            marks.lineTo(ax.left - TICK, ax.y(i))
        c.setLineWidth(TICK_WIDTH)
        c.setStrokeGray(0)
        c.drawPath(marks, stroke=1, fill=0)
        spines = c.beginPath()
        spines.moveTo(ax.left, ax.top)
        spines.lineTo(ax.left, ax.bottom)
        spines.lineTo(ax.right, ax.bottom)
        c.setLineWidth(AXES_WIDTH)
        c.setLineCap(2)  # the corner closes
        c.drawPath(spines, stroke=1, fill=0)
        c.setLineCap(0)
        tick_top = ax.bottom - TICK - TICK_PAD
        for t in ticks:
            self.text(ax.x(t), tick_top - ASCENT * FONT_SIZE, decimal_comma(t), FONT_SIZE, align="c")
        label_top = tick_top - _line(FONT_SIZE) - LABEL_PAD
        centre = (ax.left + ax.right) / 2
        self.text(centre, label_top - ASCENT * FONT_SIZE, label, FONT_SIZE, align="c")
        self.text(centre, ax.top + TITLE_PAD, title, TITLE_SIZE, bold=True, align="c")
        for i, name in enumerate(names or ()):
            self.middle(ax.left - TICK - TICK_PAD, ax.y(i), name, FONT_SIZE, align="r")

    def legend(self, entries: Sequence[_Entry], columns: int, centre: float, top: float) -> None:
        """matplotlib's boxed legend: entries filled column by column, centred under the axis."""
        size = LABEL_SIZE
        rows = math.ceil(len(entries) / columns)
        cols = [entries[i * rows : (i + 1) * rows] for i in range(columns)]
        cols = [col for col in cols if col]
        handle, pad = HANDLE_LENGTH * size, HANDLE_PAD * size
        widths = [handle + pad + max(self.width(e.label, "R", size) for e in col) for col in cols]
        line = _line(size)
        border = BORDER_PAD * size
        width = 2 * border + sum(widths) + COLUMN_GAP * size * (len(cols) - 1)
        height = 2 * border + rows * line + ROW_GAP * size * (rows - 1)
        c = self.c
        left = centre - width / 2
        c.setLineWidth(AXES_WIDTH)
        c.setStrokeGray(0)
        c.rect(left, top - height, width, height, stroke=1, fill=0)
        x = left + border
        for col, w in zip(cols, widths, strict=True):
            for r, e in enumerate(col):
                mid = top - border - r * (line + ROW_GAP * size) - line / 2
                if e.style is not None:
                    swatch = [(x, mid - HANDLE_HEIGHT * size / 2, handle, HANDLE_HEIGHT * size)]
                    self.rects(swatch, e.style.grey)
                    self.hatch(swatch, e.style.hatch)
                    c.setLineWidth(EDGE_WIDTH)
                    c.rect(*swatch[0], stroke=1, fill=0)
                else:
                    c.saveState()
                    c.setLineWidth(TOTAL_WIDTH)
                    c.setDash(list(DASHES[e.dash]))
                    c.line(x, mid, x + handle, mid)
                    c.restoreState()
                self.middle(x + handle + pad, mid, e.label, size)
            x += w + COLUMN_GAP * size

    # Charts ---------------------------------------------------------------------------------------

    def margins(self, names: Sequence[str]) -> tuple[float, float]:
        """From the figure's left edge to the axes' (the names and their ticks), and from the axes'
        bottom to the figure's without the legend (ticks, their labels, the axis label)."""
        widest = max((self.width(n, "R", FONT_SIZE) for n in names), default=0.0)
        under = TICK + TICK_PAD + _line(FONT_SIZE) + LABEL_PAD + _line(FONT_SIZE) + LEGEND_GAP + PAD
        return PAD + widest + TICK_PAD + TICK, under

    def rates(self, page: ChartPage, left: float, top: float, width: float) -> None:
        data = page.data
        rows = rate_pages(data)[page.part]
        names = [r.name for r in rows]
        inset, under = self.margins(names)
        legends = [self.rate_entries(data, field) for field, _ in RATE_PANELS]
        legend = self.legend_height(max(math.ceil(len(e) / 2) for e in legends))
        panel = (width - inset - PAD - PANEL_GAP) / 2
        axes_top = top - PAD - _line(TITLE_SIZE) - TITLE_PAD
        axes_bottom = top - height_in(len(rows)) * 72 + under + legend
        thickness = RATE_BAR if data.has_previous else 0.6
        offset = thickness / 2 if data.has_previous else 0.0
        for k, ((field, title), entries) in enumerate(zip(RATE_PANELS, legends, strict=True)):
            x0 = left + inset + k * (panel + PANEL_GAP)
            ax = _Axes(x0, x0 + panel, axes_bottom, axes_top, len(rows), rate_limit(data, field))
            fields = ((field, -offset, THIS_YEAR), (f"{field}_before", offset, LAST_YEAR))
            bars = [
                _Bar(i + shift, getattr(r, name) or 0.0, thickness, style, percent(getattr(r, name)))
                for name, shift, style in fields[: 2 if data.has_previous else 1]
                for i, r in enumerate(rows)
            ]
            self.bars(ax, bars)
            self.total(ax, getattr(data.total, field), "--")
            if data.has_previous:
                self.total(ax, getattr(data.total, f"{field}_before"), ":")
            self.frame(ax, title, RATE_AXIS, names if k == 0 else None)
            self.legend(entries, 2, (ax.left + ax.right) / 2, axes_bottom - under + PAD)

    @staticmethod
    def rate_entries(data: ChartData, field: str) -> list[_Entry]:
        """The total lines first, then the bars' swatches, as matplotlib orders a legend."""
        now, then = getattr(data.total, field), getattr(data.total, f"{field}_before")
        lines = [_Entry(total_label(data, now, data.year), dash="--")] if now is not None else []
        swatches = [_Entry(year_label(data.year), style=THIS_YEAR)]
        if data.has_previous:
            if then is not None:
                lines.append(_Entry(total_label(data, then, data.year - 1), dash=":"))
            swatches.append(_Entry(year_label(data.year - 1), style=LAST_YEAR))
        return [*lines, *swatches]

    def movements(self, page: ChartPage, left: float, top: float, width: float) -> None:
        data = page.data
        rows = movement_pages(data)[page.part]
        names = [m.name for m in rows]
        inset, under = self.margins(names)
        axes_top = top - PAD - _line(TITLE_SIZE) - TITLE_PAD
        axes_bottom = top - movements_height_in(len(rows)) * 72 + under + self.legend_height(1)
        ax = _Axes(left + inset, left + width - PAD, axes_bottom, axes_top, len(rows), movement_limit(data))
        bars = [
            _Bar(i + (k - 1) * MOVE_BAR, getattr(m, field), MOVE_BAR, style, str(getattr(m, field)))
            for k, (field, _, style) in enumerate(MOVES)
            for i, m in enumerate(rows)
        ]
        self.bars(ax, bars)
        self.frame(ax, MOVE_TITLE, MOVE_AXIS, names)
        entries = [_Entry(movement_label(data, field, label), style=style) for field, label, style in MOVES]
        self.legend(entries, 3, (ax.left + ax.right) / 2, axes_bottom - under + PAD)

    def legend_height(self, rows: int) -> float:
        return 2 * BORDER_PAD * LABEL_SIZE + rows * _line(LABEL_SIZE) + ROW_GAP * LABEL_SIZE * (rows - 1)


class _PdfPainter(ChartPainter):
    def __init__(self, drawer: GridDrawer) -> None:
        super().__init__(drawer.c, drawer.fonts.drawn_width)
        self.d = drawer

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "l") -> None:
        letter = "B" if bold else "R"
        w = self.width(text, letter, size)
        self.d.text(x - {"l": 0.0, "c": w / 2, "r": w}[align], y, text, letter, size)


def draw_chart_page(drawer: GridDrawer, entry: dict[str, Any]) -> None:
    """One chart page from a new page: its headings centred, then the chart across the text width,
    as tall as `chart_spec` makes it for its rows."""
    top = drawer.new_page()
    drawer.starts.append(drawer.page - drawer.first_page)
    top = drawer.centred(top, entry["heading"], "B", HEAD_SIZE)
    top = drawer.centred(top - TITLE_GAP, entry["title"], "B", HEAD_SIZE)
    top = drawer.centred(top, entry["unit"], "I", UNIT_SIZE)
    top = drawer.centred(top, entry["subtitle"], "I", UNIT_SIZE) - CHART_GAP
    page: ChartPage = entry["chart"]
    painter = _PdfPainter(drawer)
    drawer.c.saveState()
    drawer.c.setLineCap(0)  # matplotlib's butt caps (the grids' are square)
    if page.kind == "rates":
        painter.rates(page, LEFT, top, drawer.box.text_width)
    else:
        painter.movements(page, LEFT, top, drawer.box.text_width)
    drawer.c.restoreState()
    drawer.font = None  # the state restored: the canvas's font is the one before the chart


__all__ = ["ChartPage", "ChartPainter", "chart_appendices", "draw_chart_page"]
