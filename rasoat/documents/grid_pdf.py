"""Appendix grids (`rasoat.documents.grid.Grid`) drawn straight onto a reportlab canvas.

This module is the only source of the appendices' layout (no platypus: its Table splitting is
slow on long tables): A4 portrait or landscape, margins 20/15/20/30 mm, a new page per appendix,
two bold 14pt headings, the italic 13pt subtitle (wrapped), the 11pt grid (9pt `compact`) with
0.6pt borders, columns sized by the CSS 2.1 automatic table layout, header rows (cells spanning
columns and rows) repeated on every page, a row never split, text wrapped in its cell (widths
measured with the fonts' GPOS kerning), page numbers centred in the top margin. These rules match
the Decree 30/2020 look of the WeasyPrint bodies the appendices follow (`base.html.j2`).
Used by `list_pdf` (the household lists) and `table_pdf` (the consolidated tables R1–R11; the
chart pages before them, `chart_pdf`, are drawn on the same `GridDrawer`);
`tests/test_layout_golden.py` pins the drawn layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from rasoat.documents.certificate_pdf import (
    BOTTOM,
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    TOP,
    font_path,
    register_fonts,
)
from rasoat.documents.grid import Cell, Grid

ASCENT, DESCENT = 0.891, 0.216  # Liberation Serif (hhea): places the baseline in a CSS line box
LEADING = 1.25  # body { line-height: 1.25 }
BORDER = 0.6  # collapsed borders: each row and column owns one border width
NUMBER_FROM_TOP = 32.73  # @top-center, 13pt: where WeasyPrint puts the page number's baseline
SUB_GAP = 8.0  # below the subtitle, above the grid
TABLE_TOP_GAP = 0.3  # the table's outer top border half above the first row (as measured)
_SLASH_BREAK = re.compile(r"(?<=/)(?=[^\d/])")  # UAX 14: a line may break after "/" before a letter


@dataclass(frozen=True)
class GridStyle:
    """The grid's font size and cell padding (`table.grid`, `table.grid.compact`)."""

    size: float
    pad_x: float
    pad_y: float
    line: float = field(init=False)  # a line box's height
    edge: float = field(init=False)  # from a column line to its text

    def __post_init__(self) -> None:
        object.__setattr__(self, "line", self.size * LEADING)
        object.__setattr__(self, "edge", self.pad_x + BORDER / 2)


NORMAL = GridStyle(11, 3.0, 1.0)  # font-size: 11pt; padding: 1pt 3pt
COMPACT = GridStyle(9, 1.5, 0.5)  # font-size: 9pt; padding: 0.5pt 1.5pt


@dataclass(frozen=True)
class PageBox:
    """A page's size; the margins are the same in both orientations (`@page`, `@page landscape`)."""

    width: float
    height: float

    @property
    def text_width(self) -> float:
        return self.width - LEFT - RIGHT


PORTRAIT = PageBox(PAGE_W, PAGE_H)
LANDSCAPE = PageBox(PAGE_H, PAGE_W)


def _baseline(top: float, size: float, lead: float) -> float:
    """The baseline of a line box whose top is `top` (PDF coordinates, y upwards)."""
    return top - (lead - (ASCENT + DESCENT) * size) / 2 - ASCENT * size


def _pieces(text: str) -> list[tuple[str, bool]]:
    """The unbreakable pieces of a text, each with whether it follows the previous one without a
    space (a break after "/": "Phường/" "Xã")."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        if "/" in word:
            out += [(p, k > 0) for k, p in enumerate(_SLASH_BREAK.split(word))]
        else:
            out.append((word, False))
    return out


@cache
def kerning(style: str) -> dict[tuple[str, str], float]:
    """The font's GPOS `kern` pairs by character, in em. Pango applies them, reportlab's stringWidth
    does not: without them column widths came out up to 0.3pt off WeasyPrint's, enough to wrap a
    header cell differently and move a page break. (Liberation Serif has glyph pairs only: format 1.)"""
    from fontTools.ttLib import TTFont as FontTables

    # closed when read: a lazily read font left open warns (ResourceWarning) when collected
    with FontTables(font_path(style), lazy=True) as font:
        em = font["head"].unitsPerEm
        chars: dict[str, list[str]] = {}
        for code, glyph in font.getBestCmap().items():
            chars.setdefault(glyph, []).append(chr(code))
        gpos = font["GPOS"].table
        pairs: dict[tuple[str, str], float] = {}
        for record in gpos.FeatureList.FeatureRecord:
            if record.FeatureTag != "kern":
                continue
            for index in record.Feature.LookupListIndex:
                for sub in gpos.LookupList.Lookup[index].SubTable:
                    if getattr(sub, "Format", None) != 1 or not hasattr(sub, "PairSet"):
                        continue
                    for first, pair_set in zip(sub.Coverage.glyphs, sub.PairSet, strict=True):
                        for pair in pair_set.PairValueRecord:
                            x = getattr(pair.Value1, "XAdvance", 0) if pair.Value1 else 0
                            for a in chars.get(first, []) if x else []:
                                for b in chars.get(pair.SecondGlyph, []):
                                    pairs.setdefault((a, b), x / em)
    return pairs


class Fonts:
    """Widths by style letter with the fonts' objects at hand (stringWidth is the hot path). `width`
    is the laid-out width, kerned as WeasyPrint measures it (column widths, line breaks);
    `drawn_width` the width reportlab draws, unkerned (where text starts)."""

    def __init__(self) -> None:
        self.names = register_fonts()
        self._fonts = {s: pdfmetrics.getFont(n) for s, n in self.names.items()}
        self._kerning = {s: kerning(s) for s in self.names}
        self._cache: dict[tuple[str, str, float], float] = {}
        self._drawn: dict[tuple[str, str, float], float] = {}

    def drawn_width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        w = self._drawn.get(key)
        if w is None:
            w = self._drawn[key] = self._fonts[style].stringWidth(text, size)
        return w

    def width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        w = self._cache.get(key)
        if w is None:
            pairs = self._kerning[style]
            kern = sum(pairs.get(p, 0.0) for p in pairwise(text))
            w = self._cache[key] = self.drawn_width(text, style, size) + kern * size
        return w

    def widest_piece(self, text: str, style: str, size: float) -> float:
        """The min-content width: the widest piece between break opportunities."""
        return max((self.width(p, style, size) for p, _ in _pieces(text)), default=0.0)

    def lines(self, text: str, style: str, width: float, size: float) -> list[str]:
        """Greedy breaking at spaces (and after "/"), as WeasyPrint does; a piece longer than the line
        stays whole."""
        if self.width(text, style, size) <= width:
            return [text]
        out: list[str] = []
        line = ""
        for piece, glued in _pieces(text):
            longer = f"{line}{'' if glued or not line else ' '}{piece}"
            if line and self.width(longer, style, size) > width:  # the whole line: kerning across spaces
                out.append(line)
                longer = piece
            line = longer
        return [*out, line]


def header_columns(header_rows: Sequence[Sequence[Cell]]) -> tuple[list[list[int]], int]:
    """Each header cell's first column (a cell is placed after the columns that cells from rows above
    still cover with their `rowspan`), and the number of columns."""
    covered: set[tuple[int, int]] = set()
    columns: list[list[int]] = []
    count = 0
    for r, cells in enumerate(header_rows):
        j, mine = 0, []
        for cell in cells:
            while (r, j) in covered:
                j += 1
            mine.append(j)
            covered.update((r + dr, j + dc) for dr in range(1, cell.rowspan) for dc in range(cell.colspan))
            j += cell.colspan
            count = max(count, j)
        columns.append(mine)
    return columns, count


def _distribute(bounds: list[float], maxima: list[float], start: int, span: int, extra: float) -> None:
    """A spanning cell's excess width over its columns, in proportion to their max-content widths (or
    evenly if all are 0), as WeasyPrint's `distribute_excess_width`."""
    weights = maxima[start : start + span]
    total = sum(weights)
    for k in range(span):
        bounds[start + k] += extra * (weights[k] / total if total > 0 else 1 / span)


def column_widths(fonts: Fonts, grid: Grid, available: float, style: GridStyle = NORMAL) -> list[float]:
    """Column widths (border to border) by the CSS 2.1 automatic table layout, as WeasyPrint computes
    it with `width: 100%`: min-content (widest piece) and max-content (whole text) per column, then
    cells spanning columns in column order; if the max-contents fit, the spare width goes to columns
    in proportion to their max-content, else widths are interpolated between min- and max-content."""
    size, outer = style.size, 2 * style.pad_x + BORDER
    starts, count = header_columns(grid.header_rows)
    lo, hi = [0.0] * count, [0.0] * count
    spanning: list[tuple[int, int, int, float, float]] = []  # (column, row, span, min, max)
    rows: list[tuple[Sequence[Cell], Sequence[int] | None, bool, bool]] = [
        (cells, cols, True, False) for cells, cols in zip(grid.header_rows, starts, strict=True)
    ]
    rows += [(r.cells, None, False, r.total) for r in grid.rows]
    for index, (cells, cols, header, total) in enumerate(rows):
        j = 0
        for k, cell in enumerate(cells):
            if cols is not None:
                j = cols[k]
            style_letter = "B" if header or total else "R"  # th and tr.total are bold
            full = fonts.width(cell.text, style_letter, size) + outer
            if cell.colspan == 1 and full <= lo[j] and full <= hi[j]:
                j += 1
                continue  # neither bound can grow: skip the pieces' widths (most rows)
            nowrap = cell.cls == "n" and not header  # td.n { white-space: nowrap }
            least = full if nowrap else fonts.widest_piece(cell.text, style_letter, size) + outer
            if cell.colspan == 1:
                lo[j], hi[j] = max(lo[j], least), max(hi[j], full)
            else:
                spanning.append((j, index, cell.colspan, least, full))
            j += cell.colspan
    for j, _, span, least, full in sorted(spanning, key=lambda s: (s[0], s[1])):
        for bound, need in ((lo, least), (hi, full)):
            extra = need - sum(bound[j : j + span])
            if extra > 0:  # a spanning cell widens its columns only if it must
                _distribute(bound, hi, j, span, extra)
    if sum(hi) <= available:
        weights = sum(hi) or 1.0
        return [h + (available - sum(hi)) * h / weights for h in hi]
    if sum(lo) >= available:
        return lo
    ratio = (available - sum(lo)) / (sum(hi) - sum(lo))
    return [low + (high - low) * ratio for low, high in zip(lo, hi, strict=True)]


@dataclass(frozen=True)
class _HeaderCell:
    cell: Cell
    lines: list[str]
    row: int
    x0: float
    x1: float


class GridDrawer:
    """Draws appendices page after page on one canvas; numbers pages from `first_page`."""

    def __init__(self, canvas: Canvas, first_page: int, page: PageBox) -> None:
        self.c = canvas
        self.box = page
        self.fonts = Fonts()
        self.first_page = self.page = first_page
        self.page_open = False
        self.starts: list[int] = []  # each appendix's first page, counted from 0 in this part
        self.segments: list[tuple[float, float, float, float]] = []  # the page's rules, drawn as one path
        self.font: tuple[str, float] | None = None  # the canvas's current font: set only on change

    # Text -----------------------------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, style: str, size: float) -> None:
        if self.font != (style, size):
            self.c.setFont(self.fonts.names[style], size)
            self.font = (style, size)
        self.c.drawString(x, y, text)

    def centred(self, top: float, text: str, style: str, size: float) -> float:
        """A centred paragraph across the text width from `top`; returns the top of what follows."""
        lead, width = size * LEADING, self.box.text_width
        for line in self.fonts.lines(text, style, width, size):
            w = self.fonts.drawn_width(line, style, size)
            self.text(LEFT + (width - w) / 2, _baseline(top, size, lead), line, style, size)
            top -= lead
        return top

    # Pages ----------------------------------------------------------------------------------------

    def new_page(self) -> float:
        """Starts a page (the previous one is finished first); returns the top of its text area."""
        if self.page_open:
            self.finish_page()
        self.page_open = True
        self.c.setLineWidth(BORDER)
        self.c.setLineCap(2)  # square caps: the grid's corners close as in HTML
        number = str(self.page)
        w = self.fonts.drawn_width(number, "R", 13)
        self.text(LEFT + (self.box.text_width - w) / 2, self.box.height - NUMBER_FROM_TOP, number, "R", 13)
        return self.box.height - TOP

    def finish_page(self) -> None:
        c = self.c
        if self.segments:
            path = c.beginPath()
            for x1, y1, x2, y2 in self.segments:
                path.moveTo(x1, y1)
                path.lineTo(x2, y2)
            c.drawPath(path, stroke=1, fill=0)
            self.segments = []
        c.showPage()
        self.font = None  # showPage resets the graphics state
        self.page += 1
        self.page_open = False

    # The grid -------------------------------------------------------------------------------------

    def cell_lines(self, cell: Cell, inner: float, letter: str, style: GridStyle) -> list[str]:
        if not cell.text:
            return []
        if cell.cls == "n":  # td.n { white-space: nowrap } (header cells have no class)
            return [cell.text]
        return self.fonts.lines(cell.text, letter, inner, style.size)

    def cell_text(
        self,
        lines: list[str],
        x0: float,
        x1: float,
        top: float,
        height: float,
        align: str,
        letter: str,
        style: GridStyle,
    ) -> None:
        """A cell's lines, middle-aligned vertically in `height` from `top`."""
        y = top - (height - len(lines) * style.line) / 2
        for line in lines:
            if align in ("c", "n"):
                w = self.fonts.drawn_width(line, letter, style.size)
                x = (x0 + x1 - w) / 2 if align == "c" else x1 - style.edge - w
            else:
                x = x0 + style.edge
            self.text(x, _baseline(y, style.size, style.line), line, letter, style.size)
            y -= style.line

    def row_lines(
        self, cells: Sequence[Cell], xs: list[float], letter: str, style: GridStyle
    ) -> list[list[str]]:
        out, j = [], 0
        for cell in cells:
            out.append(self.cell_lines(cell, xs[j + cell.colspan] - xs[j] - 2 * style.edge, letter, style))
            j += cell.colspan
        return out

    def draw_row(
        self,
        cells: Sequence[Cell],
        wrapped: list[list[str]],
        xs: list[float],
        top: float,
        letter: str,
        style: GridStyle,
    ) -> float:
        height = _height(wrapped, style)
        bottom = top - height
        seg = self.segments
        j = 0
        for cell, lines in zip(cells, wrapped, strict=True):  # body cells span columns, never rows
            x0, x1 = xs[j], xs[j + cell.colspan]
            seg.append((x0, top, x0, bottom))
            self.cell_text(lines, x0, x1, top, height, cell.cls, letter, style)
            j += cell.colspan
        seg.append((xs[-1], top, xs[-1], bottom))
        seg.append((xs[0], bottom, xs[-1], bottom))
        return bottom

    def header_layout(
        self, grid: Grid, xs: list[float], style: GridStyle
    ) -> tuple[list[_HeaderCell], list[float]]:
        """The header's cells with their lines, and the rows' heights as WeasyPrint sets them: a row is
        as tall as its own cells, and the last row a cell spans grows if that cell needs more."""
        starts, _ = header_columns(grid.header_rows)
        placed: list[_HeaderCell] = []
        ending: list[list[tuple[int, float]]] = [[] for _ in grid.header_rows]  # (first row, height)
        for r, (cells, cols) in enumerate(zip(grid.header_rows, starts, strict=True)):
            for cell, j in zip(cells, cols, strict=True):
                x0, x1 = xs[j], xs[j + cell.colspan]
                lines = self.cell_lines(cell, x1 - x0 - 2 * style.edge, "B", style)
                placed.append(_HeaderCell(cell, lines, r, x0, x1))
                last = min(r + cell.rowspan, len(grid.header_rows)) - 1
                ending[last].append((r, _height([lines], style)))
        heights: list[float] = []
        for cells_ending in ending:
            tops = [sum(heights[:first]) for first, _ in cells_ending]
            here = sum(heights)
            heights.append(max([0.0, *(t + h - here for t, (_, h) in zip(tops, cells_ending, strict=True))]))
        return placed, heights

    def header(
        self, layout: tuple[list[_HeaderCell], list[float]], xs: list[float], top: float, style: GridStyle
    ) -> float:
        """The header rows from `top`: each cell draws its left and bottom rules; returns their bottom."""
        placed, heights = layout
        edges = [top]
        for h in heights:
            edges.append(edges[-1] - h)
        seg = self.segments
        seg.append((xs[0], top, xs[-1], top))
        seg.append((xs[-1], top, xs[-1], edges[-1]))
        for p in placed:
            cell_top, bottom = edges[p.row], edges[min(p.row + p.cell.rowspan, len(heights))]
            seg.append((p.x0, cell_top, p.x0, bottom))
            seg.append((p.x0, bottom, p.x1, bottom))
            self.cell_text(p.lines, p.x0, p.x1, cell_top, cell_top - bottom, "c", "B", style)
        return edges[-1]

    def appendix(self, a: dict[str, Any], style: GridStyle = NORMAL) -> None:
        """One appendix from a new page: heading, title, subtitle, then its grid."""
        grid: Grid = a["table"]
        top = self.new_page()
        self.starts.append(self.page - self.first_page)
        top = self.centred(top, a["heading"], "B", 14)
        top = self.centred(top, a["title"], "B", 14)
        top = self.centred(top, a["subtitle"], "I", 13) - SUB_GAP - TABLE_TOP_GAP
        widths = column_widths(self.fonts, grid, self.box.text_width - BORDER, style)
        xs = [LEFT + BORDER / 2]  # the table's outer border half lies inside the text width
        for w in widths:
            xs.append(xs[-1] + w)
        layout = self.header_layout(grid, xs, style)
        top = self.header(layout, xs, top, style)
        for row in grid.rows:
            letter = "B" if row.total else "R"
            wrapped = self.row_lines(row.cells, xs, letter, style)
            if top - _height(wrapped, style) < BOTTOM:  # the whole row to the next page, under the header
                top = self.header(layout, xs, self.new_page() - TABLE_TOP_GAP, style)
            top = self.draw_row(row.cells, wrapped, xs, top, letter, style)


def _height(wrapped: list[list[str]], style: GridStyle) -> float:
    """A row's (or a cell's) height: its tallest cell's lines (at least one), padding, one border."""
    return max(1, *(len(lines) for lines in wrapped)) * style.line + 2 * style.pad_y + BORDER
