"""Certificates (Mẫu 03) drawn straight onto PDF pages with reportlab.

This module is the only source of the certificate's layout (there is no HTML template of it):
A4, margins 20/15/20/30 mm, Liberation Serif (the metric twin of Times New Roman, regular, bold and
italic embedded as subsets), the motto and agency blocks, the members' table (I), the
classification by year (II) and the signature block. A certificate is always one page: a large
household's page is measured first and its signature spaces shrink, then the page is scaled down.
reportlab draws a district's thousands of pages in seconds, where an HTML layout engine spends most
of its time on table layout for every page; only line breaking and table rows are computed per
page. `tests/test_layout_golden.py` pins the drawn layout.

The output is deterministic (`invariant`): unchanged data gives the same bytes.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")  # Debian fonts-liberation2 (has ơ, ư, ạ…)
FACES = {
    "R": ("LiberationSerif-Regular.ttf", "Liberation Serif:style=Regular"),
    "B": ("LiberationSerif-Bold.ttf", "Liberation Serif:style=Bold"),
    "I": ("LiberationSerif-Italic.ttf", "Liberation Serif:style=Italic"),
}
PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
WIDTH = PAGE_W - LEFT - RIGHT
LEADING = 1.25  # line-height of base.html.j2
RULE = 0.6
SIGN_ROW = 12 * mm  # the "ký, đóng dấu" row of section II
SIGN_SPACE = 18 * mm  # room for the signature and seal
MIN_SQUEEZE = 0.4  # the two spaces above may shrink to this share before the page is scaled
ROOMY = 5  # households with at most this many members always fit (≈ 8 spare rows): not measured


class FontMissingError(RuntimeError):
    """Liberation Serif is not installed (Debian fonts-liberation2)."""


def _font_file(file: str, pattern: str) -> str:
    path = FONT_DIR / file
    if path.exists():
        return str(path)
    # Another layout of the font packages: ask fontconfig, and refuse anything but Liberation Serif
    # (a fallback font would print boxes for Vietnamese letters).
    found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True).stdout
    if not found.endswith(file):
        raise FontMissingError(f"{file} not found (install Debian fonts-liberation2)")
    return found


@cache
def font_path(style: str) -> str:
    """The TTF file of a style letter ("R", "B", "I")."""
    return _font_file(*FACES[style])


@cache
def register_fonts() -> dict[str, str]:
    """Font names by style letter, registered once a process."""
    names = {}
    for style in FACES:
        name = f"LiberationSerif-{style}"
        pdfmetrics.registerFont(TTFont(name, font_path(style)))
        names[style] = name
    return names


@dataclass(frozen=True)
class CertificateJob:
    """One chunk of a commune's certificates: `certificates_view` output (pickled to a worker)."""

    view: dict[str, Any]


Run = tuple[str, str]  # (text, style letter)


class _Pen:
    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.f = register_fonts()

    def width(self, text: str, style: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.f[style], size)

    def lines(self, runs: list[Run], size: float, width: float, indent: float = 0.0) -> list[list[Run]]:
        """Greedy line breaking at spaces; a line is a list of (word, style)."""
        words = [(w, s) for text, s in runs for w in text.split(" ") if w]
        space = self.width(" ", "R", size)
        out: list[list[Run]] = [[]]
        used = indent
        for word, style in words:
            w = self.width(word, style, size)
            if out[-1] and used + space + w > width:
                out.append([])
                used = 0.0
            used += (space if out[-1] else 0.0) + w
            out[-1].append((word, style))
        return out

    def draw_line(self, line: list[Run], x: float, y: float, size: float, width: float, align: str) -> None:
        space = self.width(" ", "R", size)
        widths = [self.width(w, s, size) for w, s in line]
        natural = sum(widths) + space * (len(line) - 1)
        gap = space
        if align == "justify" and len(line) > 1:
            gap = (width - sum(widths)) / (len(line) - 1)
        elif align == "center":
            x += (width - natural) / 2
        elif align == "right":
            x += width - natural
        # Consecutive words of one style with a normal gap are one string: cleaner text extraction.
        i = 0
        while i < len(line):
            j, style = i, line[i][1]
            while j + 1 < len(line) and line[j + 1][1] == style and gap == space:
                j += 1
            text = " ".join(w for w, _ in line[i : j + 1])
            self.c.setFont(self.f[style], size)
            self.c.drawString(x, y, text)
            x += sum(widths[i : j + 1]) + space * (j - i) + gap
            i = j + 1

    def paragraph(
        self,
        runs: list[Run],
        x: float,
        top: float,
        width: float,
        size: float,
        align: str = "left",
        indent: float = 0.0,
    ) -> float:
        """Draws the runs from `top` down; returns the new top (below the last line)."""
        lead = size * LEADING
        lines = self.lines(runs, size, width, indent)
        for k, line in enumerate(lines):
            if not line:
                continue
            first = indent if k == 0 else 0.0
            last = k == len(lines) - 1
            base = top - lead + (lead - size) / 2 + size * 0.216  # baseline within the line box
            self.draw_line(
                line, x + first, base, size, width - first, "left" if last and align == "justify" else align
            )
            top -= lead
        return top

    def rule(self, x_center: float, y: float, width: float) -> None:
        self.c.setLineWidth(RULE)
        self.c.line(x_center - width / 2, y, x_center + width / 2, y)


def _header(pen: _Pen, view: dict[str, Any], page: dict[str, Any], top: float) -> float:
    """Boxes 1–4: agency (38 %) and motto (62 %) columns, rules under both, number and date."""
    agency_w = WIDTH * 0.38
    motto_w = WIDTH - agency_w
    ax, mx = LEFT, LEFT + agency_w
    lines = view["agency"].block_lines
    y = pen.paragraph([(lines[0], "R")], ax, top, agency_w, 13, "center")
    y = pen.paragraph([(lines[1], "B")], ax, y, agency_w, 13, "center")
    pen.rule(ax + agency_w / 2, y - 1, agency_w * 0.33)
    y = pen.paragraph([(page["number"], "R")], ax, y - 5 - 4, agency_w, 13, "center")
    y2 = pen.paragraph([("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "B")], mx, top, motto_w, 13, "center")
    y2 = pen.paragraph([("Độc lập - Tự do - Hạnh phúc", "B")], mx, y2, motto_w, 13, "center")
    pen.rule(mx + motto_w / 2, y2 - 1, motto_w * 0.62)
    y2 = pen.paragraph([(page["date_line"], "I")], mx, y2 - 5 - 4, motto_w, 14, "center")
    return min(y, y2) - 14


Cell = tuple[str, str, str]  # (text, style, align)


def _row(
    pen: _Pen, cells: list[tuple[float, float, Cell]], top: float, size: float, height: float = 0
) -> float:
    """One table row of (x, width, cell): borders 0.6 pt, padding 1 pt × 3 pt, text wrapped."""
    lead = size * LEADING
    wrapped = [pen.lines([(t, s)], size, w - 6) if t else [] for _, w, (t, s, _) in cells]
    h = max(height, max((len(ls) for ls in wrapped), default=1) * lead + 2)
    c = pen.c
    c.setLineWidth(RULE)
    for (x, w, (_, _, align)), ls in zip(cells, wrapped, strict=True):
        c.rect(x, top - h, w, h, stroke=1, fill=0)
        y = top - (h - len(ls) * lead) / 2  # vertical-align: middle, as in HTML table bodies
        for line in ls:
            base = y - lead + (lead - size) / 2 + size * 0.216
            pen.draw_line(line, x + 3, base, size, w - 6, "center" if align == "center" else "left")
            y -= lead
    return top - h


def _members(pen: _Pen, page: dict[str, Any], top: float) -> float:
    fractions = [0.08, 0.34, 0.12, 0.16, 0.10, 0.10, 0.10]
    xs, x = [], LEFT
    for f in fractions:
        xs.append((x, WIDTH * f))
        x += WIDTH * f
    size, lead = 11, 11 * LEADING
    # Header: "Năm sinh" spans Nam/Nữ; the other headings span both header rows.
    titles = ["STT", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "", "", "Ghi chú"]
    sub_h = lead + 2
    spans = [pen.lines([(t, "B")], size, w - 6) for t, (_, w) in zip(titles, xs, strict=True)]
    head_h = max(2 * sub_h, max(len(s) for s in spans) * lead + 2)
    top_h = head_h - sub_h
    for i in (0, 1, 2, 3, 6):
        _row(pen, [(xs[i][0], xs[i][1], (titles[i], "B", "center"))], top, size, head_h)
    year_x, year_w = xs[4][0], xs[4][1] + xs[5][1]
    _row(pen, [(year_x, year_w, ("Năm sinh", "B", "center"))], top, size, top_h)
    _row(pen, [(*xs[4], ("Nam", "B", "center")), (*xs[5], ("Nữ", "B", "center"))], top - top_h, size, sub_h)
    y = top - head_h
    aligns = ["center", "left", "left", "left", "center", "center", "left"]
    for m in page["members"]:
        texts = [*m, ""]
        y = _row(pen, [(*xs[i], (texts[i], "R", aligns[i])) for i in range(7)], y, size)
    return y


def _classification(
    pen: _Pen, view: dict[str, Any], page: dict[str, Any], top: float, squeeze: float
) -> float:
    years = view["years"]
    first = WIDTH * 0.34
    each = (WIDTH - first) / len(years)
    cols = [(LEFT, first)] + [(LEFT + first + k * each, each) for k in range(len(years))]
    size = 11
    y = _row(
        pen,
        [(*cols[0], ("Năm", "B", "center"))]
        + [(*cols[k + 1], (str(yr), "B", "center")) for k, yr in enumerate(years)],
        top,
        size,
    )
    y = _row(
        pen,
        [(*cols[0], ("Phân loại hộ", "R", "left"))]
        + [(*cols[k + 1], (mk, "R", "center")) for k, mk in enumerate(page["marks"])],
        y,
        size,
    )
    y = _row(
        pen,
        [
            (*cols[0], (f"Chỉ số thiếu hụt năm {view['year']}", "R", "left")),
            (LEFT + first, WIDTH - first, (page["deprived"], "R", "left")),
        ],
        y,
        size,
    )
    return _row(
        pen,
        [(*cols[0], ("Chủ tịch UBND xã ký, đóng dấu", "R", "left"))]
        + [(*cols[k + 1], ("", "R", "left")) for k in range(len(years))],
        y,
        size,
        SIGN_ROW * squeeze + 2,
    )


def _signature(pen: _Pen, view: dict[str, Any], top: float, squeeze: float) -> float:
    sig = view["signature"]
    x = LEFT + WIDTH * 0.45
    w = WIDTH * 0.55
    y = top - 4
    if sig.authority:
        y = pen.paragraph([(sig.authority, "B")], x, y, w, 14, "center")
    y = pen.paragraph([(sig.position, "B")], x, y, w, 14, "center")
    return pen.paragraph([(sig.name, "B")], x, y - SIGN_SPACE * squeeze, w, 14, "center")


def _page(pen: _Pen, view: dict[str, Any], page: dict[str, Any], squeeze: float = 1.0) -> float:
    """Lays the certificate out from the top margin; returns the bottom of its last line."""
    y = _header(pen, view, page, PAGE_H - TOP)
    y = pen.paragraph([("GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO", "B")], LEFT, y - 6, WIDTH, 14, "center")
    pen.rule(LEFT + WIDTH / 2, y - 1, WIDTH * 0.25)
    y -= 5
    bases = view["bases"]
    for k, line in enumerate(bases):
        text = line + (";" if k < len(bases) - 1 else ".")
        y = pen.paragraph([(text, "I")], LEFT, y, WIDTH, 12, "justify", indent=10 * mm) - 3
    y = pen.paragraph([(f"{view['authority']} CHỨNG NHẬN:", "B")], LEFT, y - 6, WIDTH, 14, "center") - 4
    facts: list[list[Run]] = [
        [
            ("Hộ gia đình ông/bà:", "R"),
            (page["head_name"] + ".", "B"),
            (f"Dân tộc: {page['ethnicity']}.", "R"),
        ],
        [(f"Số định danh cá nhân/CCCD: {page['head_id_number']}. Mã hộ: {page['household_id']}.", "R")],
        [(f"Nơi cư trú: {page['residence']}.", "R")],
        [("Là", "R"), (page["status"], "B"), (f"năm {view['year']}.", "R")],
        [("I. Thành viên hộ gia đình", "B")],
    ]
    for runs in facts:
        y = pen.paragraph(runs, LEFT, y, WIDTH, 13, "justify") - 3
    y = _members(pen, page, y)
    y = (
        pen.paragraph(
            [("II. Kết quả phân loại hộ (N: hộ nghèo; CN: hộ cận nghèo)", "B")], LEFT, y - 4, WIDTH, 13
        )
        - 3
    )
    y = _classification(pen, view, page, y, squeeze)
    return _signature(pen, view, y, squeeze)


class _NullCanvas:
    """A canvas that draws nothing: measuring a page before drawing it."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _fit(dry: _Pen, view: dict[str, Any], page: dict[str, Any]) -> tuple[float, float]:
    """(squeeze, scale) that keep a certificate on ONE page (one page per household): first the
    signature spaces shrink, then, for very large households, the whole page is scaled down."""
    if len(page["members"]) <= ROOMY:
        return 1.0, 1.0
    over = BOTTOM - _page(dry, view, page)
    if over <= 0:
        return 1.0, 1.0
    flexible = SIGN_ROW + SIGN_SPACE
    if over <= flexible * (1 - MIN_SQUEEZE):
        return 1 - over / flexible, 1.0
    end = _page(dry, view, page, MIN_SQUEEZE)
    return MIN_SQUEEZE, (PAGE_H - TOP - BOTTOM) / (PAGE_H - TOP - end)


def certificates_pdf(job: CertificateJob) -> bytes:
    """PDF bytes of the chunk: one page per certificate."""
    buf = io.BytesIO()
    fonts = register_fonts()
    # The initial font would otherwise be Helvetica: listed in the PDF though never used.
    canvas = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts["R"])
    canvas.setTitle(job.view["title"])  # the commune's name and year only: no personal data
    pen = _Pen(canvas)
    dry = _Pen(_NullCanvas())  # type: ignore[arg-type]
    for page in job.view["pages"]:
        squeeze, scale = _fit(dry, job.view, page)
        canvas.saveState()
        if scale < 1:  # shrink about the top-left corner of the text area: margins stay margins
            canvas.translate(LEFT, PAGE_H - TOP)
            canvas.scale(scale, scale)
            canvas.translate(-LEFT, -(PAGE_H - TOP))
        _page(pen, job.view, page, squeeze)
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buf.getvalue()
