"""The household lists (Phụ lục I–IV of the commune's notice and decision) drawn with reportlab.

WeasyPrint laid out ≈ 140–190 list rows a second a process (linear in rows), ≈ 6 minutes for a
province's 35,000 rows drawn twice; this draws ≈ 5,600 rows a second. The appendix is a plain grid,
so it is drawn here straight onto a canvas (no platypus: its Table splitting is slow on long tables)
with the layout rules of `list_appendix` and `grid` in `_parts.html.j2` and the CSS of
`base.html.j2`, as WeasyPrint laid them out: A4 portrait, margins 20/15/20/30 mm, a new page per
appendix, two bold 14pt headings, the italic 13pt subtitle (wrapped), the 11pt grid with 0.6pt
borders and padding 1pt × 3pt, columns sized by the CSS 2.1 automatic table layout, header rows
repeated on every page, a row never split, names wrapped in their cell, page numbers centred in the
top margin.

The notice and the decision keep their body on Jinja2 + WeasyPrint: `list_document_pdf` renders the
body, counts its pages, draws the appendices numbered from the next page and joins both (pypdf),
with the appendices' headings in the outline under the body's title, as WeasyPrint made it.
The output is deterministic (`invariant`): unchanged data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from rasoat.documents.certificate_pdf import BOTTOM, LEFT, PAGE_H, PAGE_W, TOP, WIDTH, register_fonts
from rasoat.documents.grid import Cell, Grid
from rasoat.documents.render import html_to_pdf

ASCENT, DESCENT = 0.891, 0.216  # Liberation Serif (hhea): places the baseline in a CSS line box
LEADING = 1.25  # body { line-height: 1.25 }
SIZE = 11  # table.grid { font-size: 11pt }
LINE = SIZE * LEADING
PAD_X, PAD_Y = 3.0, 1.0  # padding: 1pt 3pt
BORDER = 0.6  # collapsed borders: each row and column owns one border width
EDGE = PAD_X + BORDER / 2  # from a column line to its text
NUMBER_BASELINE = PAGE_H - 32.73  # @top-center, 13pt: where WeasyPrint puts the page number
SUB_GAP = 8.0  # .appendix .sub { margin-bottom: 8pt }
TABLE_TOP_GAP = 0.3  # the table's outer top border half above the first row (as measured)


@dataclass(frozen=True)
class ListDocumentJob:
    """A notice or a decision: its body as HTML, and its appendices (`list_appendices` entries with a
    `subtitle`) to draw after it. Pickled to a pool worker."""

    body_html: str
    appendices: list[dict[str, Any]]

    def size(self) -> int:
        """A rough cost in the pool's units (HTML characters; a certificate page is 4,000): a list row
        takes ≈ 1/40 of a certificate page's time."""
        return len(self.body_html) + 100 * sum(len(a["table"].rows) for a in self.appendices)


def _row_height(wrapped: list[list[str]]) -> float:
    """A row's height: its tallest cell's lines (at least one), padding, one border."""
    return max(1, *(len(lines) for lines in wrapped)) * LINE + 2 * PAD_Y + BORDER


def _baseline(top: float, size: float, lead: float) -> float:
    """The baseline of a line box whose top is `top` (PDF coordinates, y upwards)."""
    return top - (lead - (ASCENT + DESCENT) * size) / 2 - ASCENT * size


class _Fonts:
    """Widths by style letter with the fonts' objects at hand (stringWidth is the hot path)."""

    def __init__(self) -> None:
        self.names = register_fonts()
        self._fonts = {s: pdfmetrics.getFont(n) for s, n in self.names.items()}
        self._cache: dict[tuple[str, str], float] = {}

    def width(self, text: str, style: str, size: float = SIZE) -> float:
        if size != SIZE:
            return self._fonts[style].stringWidth(text, size)
        key = (text, style)
        w = self._cache.get(key)
        if w is None:
            w = self._cache[key] = self._fonts[style].stringWidth(text, SIZE)
        return w

    def lines(self, text: str, style: str, width: float, size: float = SIZE) -> list[str]:
        """Greedy breaking at spaces, as WeasyPrint does; a word longer than the line stays whole."""
        if self.width(text, style, size) <= width:
            return [text]
        space = self.width(" ", style, size)
        out: list[list[str]] = [[]]
        used = 0.0
        for word in text.split():
            w = self.width(word, style, size)
            if out[-1] and used + space + w > width:
                out.append([])
                used = 0.0
            used += (space if out[-1] else 0.0) + w
            out[-1].append(word)
        return [" ".join(line) for line in out]


def column_widths(fonts: _Fonts, grid: Grid, available: float = WIDTH) -> list[float]:
    """Column widths (border to border) by the CSS 2.1 automatic table layout, as WeasyPrint computes
    it with `width: 100%`: min-content (widest word) and max-content (whole text) per column; if the
    max-contents fit, the spare width goes to columns in proportion to their max-content, else widths
    are interpolated between min- and max-content."""
    count = sum(c.colspan for c in grid.header_rows[0])
    lo, hi = [0.0] * count, [0.0] * count
    spanning: list[tuple[int, int, float, float]] = []
    rows: list[tuple[list[Cell], bool, bool]] = [(r, True, False) for r in grid.header_rows]
    rows += [(r.cells, False, r.total) for r in grid.rows]
    for cells, header, total in rows:
        j = 0
        for cell in cells:
            style = "B" if header or total else "R"  # th and tr.total are bold
            full = fonts.width(cell.text, style) + 2 * PAD_X + BORDER
            if cell.colspan == 1 and full <= lo[j] and full <= hi[j]:
                j += 1
                continue  # neither bound can grow: skip the word widths (most rows)
            nowrap = cell.cls == "n" and not header
            words = cell.text.split() or [""]
            least = full if nowrap else max(fonts.width(w, style) for w in words) + 2 * PAD_X + BORDER
            if cell.colspan == 1:
                lo[j], hi[j] = max(lo[j], least), max(hi[j], full)
            else:
                spanning.append((j, cell.colspan, least, full))
            j += cell.colspan
    for j, span, least, full in spanning:  # a spanning cell widens its columns only if it must
        for bound, need in ((lo, least), (hi, full)):
            extra = need - sum(bound[j : j + span])
            if extra > 0:
                for k in range(j, j + span):
                    bound[k] += extra / span
    if sum(hi) <= available:
        weights = sum(hi) or 1.0
        return [h + (available - sum(hi)) * h / weights for h in hi]
    if sum(lo) >= available:
        return lo
    ratio = (available - sum(lo)) / (sum(hi) - sum(lo))
    return [low + (high - low) * ratio for low, high in zip(lo, hi, strict=True)]


class _Drawer:
    """Draws appendices page after page on one canvas; numbers pages from `first_page`."""

    def __init__(self, canvas: Canvas, first_page: int) -> None:
        self.c = canvas
        self.fonts = _Fonts()
        self.first_page = self.page = first_page
        self.page_open = False
        self.starts: list[int] = []  # each appendix's first page, counted from 0 in this part
        self.segments: list[tuple[float, float, float, float]] = []  # the page's rules, drawn as one path
        self.font: tuple[str, float] | None = None  # the canvas's current font: set only on change

    # Text -----------------------------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, style: str, size: float = SIZE) -> None:
        if self.font != (style, size):
            self.c.setFont(self.fonts.names[style], size)
            self.font = (style, size)
        self.c.drawString(x, y, text)

    def centred(self, top: float, text: str, style: str, size: float) -> float:
        """A centred paragraph across the text width from `top`; returns the top of what follows."""
        lead = size * LEADING
        for line in self.fonts.lines(text, style, WIDTH, size):
            w = self.fonts.width(line, style, size)
            self.text(LEFT + (WIDTH - w) / 2, _baseline(top, size, lead), line, style, size)
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
        w = self.fonts.width(number, "R", 13)
        self.text(LEFT + (WIDTH - w) / 2, NUMBER_BASELINE, number, "R", 13)
        return PAGE_H - TOP

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

    def row_lines(self, cells: Sequence[Cell], xs: list[float], style: str) -> list[list[str]]:
        out = []
        j = 0
        for cell in cells:
            inner = xs[j + cell.colspan] - xs[j] - 2 * EDGE
            if not cell.text:
                out.append([])
            elif cell.cls == "n":  # td.n { white-space: nowrap }
                out.append([cell.text])
            else:
                out.append(self.fonts.lines(cell.text, style, inner))
            j += cell.colspan
        return out

    def draw_row(
        self,
        cells: Sequence[Cell],
        wrapped: list[list[str]],
        xs: list[float],
        top: float,
        style: str,
        header: bool,
    ) -> float:
        """One row from `top`: text middle-aligned vertically; returns its bottom."""
        height = _row_height(wrapped)
        bottom = top - height
        j = 0
        seg = self.segments
        for cell, lines in zip(cells, wrapped, strict=True):
            x0, x1 = xs[j], xs[j + cell.colspan]
            seg.append((x0, top, x0, bottom))
            y = top - (height - len(lines) * LINE) / 2
            align = "c" if header else cell.cls
            for line in lines:
                if align in ("c", "n"):
                    w = self.fonts.width(line, style)
                    x = (x0 + x1 - w) / 2 if align == "c" else x1 - EDGE - w
                else:
                    x = x0 + EDGE
                self.text(x, _baseline(y, SIZE, LINE), line, style)
                y -= LINE
            j += cell.colspan
        seg.append((xs[-1], top, xs[-1], bottom))
        seg.append((xs[0], bottom, xs[-1], bottom))
        return bottom

    def header(self, grid: Grid, xs: list[float], top: float) -> float:
        self.segments.append((xs[0], top, xs[-1], top))
        for cells in grid.header_rows:
            top = self.draw_row(cells, self.row_lines(cells, xs, "B"), xs, top, "B", True)
        return top

    def appendix(self, a: dict[str, Any]) -> None:
        grid: Grid = a["table"]
        if any(c.rowspan > 1 for r in grid.header_rows for c in r):
            raise ValueError("list_pdf draws single-row-span grids only (the household lists)")
        top = self.new_page()
        self.starts.append(self.page - self.first_page)
        top = self.centred(top, a["heading"], "B", 14)
        top = self.centred(top, a["title"], "B", 14)
        top = self.centred(top, a["subtitle"], "I", 13) - SUB_GAP - TABLE_TOP_GAP
        widths = column_widths(self.fonts, grid, WIDTH - BORDER)
        xs = [LEFT + BORDER / 2]  # the table's outer border half lies inside the text width
        for w in widths:
            xs.append(xs[-1] + w)
        top = self.header(grid, xs, top)
        for row in grid.rows:
            style = "B" if row.total else "R"
            wrapped = self.row_lines(row.cells, xs, style)
            if top - _row_height(wrapped) < BOTTOM:  # the whole row to the next page, under the header
                top = self.header(grid, xs, self.new_page() - TABLE_TOP_GAP)
            top = self.draw_row(row.cells, wrapped, xs, top, style, False)


def appendices_pdf(appendices: list[dict[str, Any]], first_page: int) -> bytes:
    """PDF bytes of the appendices, each from a new page, numbered from `first_page`."""
    return _draw(appendices, first_page)[0]


def _draw(appendices: list[dict[str, Any]], first_page: int) -> tuple[bytes, list[int]]:
    """The appendices' PDF bytes and the page (from 0) on which each starts."""
    buf = io.BytesIO()
    fonts = register_fonts()
    canvas = Canvas(
        buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1, initialFontName=fonts["R"]
    )
    drawer = _Drawer(canvas, first_page)
    for a in appendices:
        drawer.appendix(a)
    if drawer.page_open:
        drawer.finish_page()
    canvas.save()
    return buf.getvalue(), drawer.starts


def list_document_pdf(job: ListDocumentJob) -> bytes:
    """The body (WeasyPrint) followed by the appendices (reportlab), as one PDF with the body's
    metadata and page numbers running on."""
    body = html_to_pdf(job.body_html)
    if not job.appendices:
        return body
    reader = PdfReader(io.BytesIO(body))
    pages = len(reader.pages)
    lists, starts = _draw(job.appendices, pages + 1)
    writer = PdfWriter()
    writer.append(reader)
    writer.append(PdfReader(io.BytesIO(lists)))
    h1 = writer.get_outline_root().get("/First")  # the body's h1 (THÔNG BÁO, QUYẾT ĐỊNH)
    for a, start in zip(job.appendices, starts, strict=True):
        writer.add_outline_item(title=a["heading"], page_number=pages + start, parent=h1)
        writer.add_outline_item(title=a["title"], page_number=pages + start, parent=h1)
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
