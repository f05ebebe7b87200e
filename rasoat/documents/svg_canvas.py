"""The few reportlab canvas calls that the charts' painter makes (`chart_pdf.ChartPainter`), written
as SVG instead of PDF: the round overview page's charts are laid out by the very code that draws the
documents' chart pages, so the two cannot drift apart.

    canvas = SvgCanvas(width, height, "rates1-")  # points; y upwards, as on a PDF page
    ChartPainter(canvas, ...).rates(...)          # the same calls as on reportlab's canvas
    svg = canvas.svg()

Text is SVG `<text>` in the page's own serif (a browser has fonts; the widths the layout needs are
Liberation Serif's, the metric twin of Times New Roman), so the file stays small and the words
stay words. Deterministic: coordinates rounded to 0.01 pt, clipping paths named by their content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from html import escape

FONT_FAMILY = "'Liberation Serif', 'Times New Roman', serif"  # measured with the first; same metrics
_CAPS = ("butt", "round", "square")  # reportlab's setLineCap 0, 1, 2
_ANCHORS = {"l": "", "c": ' text-anchor="middle"', "r": ' text-anchor="end"'}


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _grey(level: float) -> str:
    g = round(level * 255)
    return f"#{g:02x}{g:02x}{g:02x}"


@dataclass(frozen=True)
class _State:
    fill: float = 0.0
    stroke: float = 0.0
    width: float = 1.0
    cap: int = 0
    dash: tuple[float, ...] = ()
    clip: str | None = None  # the id of the clipping path in force


class SvgPath:
    """reportlab's path object (its method names): rectangles and polylines, in the canvas's
    coordinates."""

    def __init__(self, height: float) -> None:
        self._height = height
        self._parts: list[str] = []

    def rect(self, x: float, y: float, width: float, height: float) -> None:
        top = self._height - y - height
        self._parts.append(f"M{_n(x)} {_n(top)}h{_n(width)}v{_n(height)}h{_n(-width)}z")

    def moveTo(self, x: float, y: float) -> None:
        self._parts.append(f"M{_n(x)} {_n(self._height - y)}")

    def lineTo(self, x: float, y: float) -> None:
        self._parts.append(f"L{_n(x)} {_n(self._height - y)}")

    @property
    def d(self) -> str:
        return "".join(self._parts)


class SvgCanvas:
    """A drawing `width` × `height` points, its methods named and behaving as reportlab's `Canvas`'s
    so that the painter draws on either. `prefix` starts every id (a chart's clipping paths):
    several charts share one HTML page, and two of them can define the same id only for the same
    path (the rest of the id is the path's hash)."""

    def __init__(self, width: float, height: float, prefix: str) -> None:
        self.width, self.height, self.prefix = width, height, prefix
        self._state = _State()
        self._saved: list[_State] = []
        self._defs: dict[str, str] = {}  # clipping path → its id
        self._body: list[str] = []

    # Graphics state -------------------------------------------------------------------------------

    def saveState(self) -> None:
        self._saved.append(self._state)

    def restoreState(self) -> None:
        self._state = self._saved.pop()

    def setFillGray(self, level: float) -> None:
        self._state = replace(self._state, fill=level)

    def setStrokeGray(self, level: float) -> None:
        self._state = replace(self._state, stroke=level)

    def setLineWidth(self, width: float) -> None:
        self._state = replace(self._state, width=width)

    def setLineCap(self, mode: int) -> None:
        self._state = replace(self._state, cap=mode)

    def setDash(self, array: list[float]) -> None:
        self._state = replace(self._state, dash=tuple(array))

    # Paths ----------------------------------------------------------------------------------------

    def beginPath(self) -> SvgPath:
        return SvgPath(self.height)

    def clipPath(self, path: SvgPath, stroke: int = 0, fill: int = 0) -> None:
        """Clips what follows until the state is restored (reportlab's fill rule: even-odd)."""
        if stroke or fill:
            raise ValueError("a clipping path here only clips")
        if self._state.clip is not None:
            raise ValueError("clipping paths do not nest here: the painter never nests them")
        d = path.d
        if d not in self._defs:
            self._defs[d] = f"{self.prefix}{hashlib.sha256(d.encode()).hexdigest()[:12]}"
        self._state = replace(self._state, clip=self._defs[d])

    def drawPath(self, path: SvgPath, stroke: int = 1, fill: int = 0) -> None:
        self._shape(path.d, stroke, fill)

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._shape(f"M{_n(x1)} {_n(self.height - y1)}L{_n(x2)} {_n(self.height - y2)}", 1, 0)

    def rect(self, x: float, y: float, width: float, height: float, stroke: int = 1, fill: int = 0) -> None:
        path = self.beginPath()
        path.rect(x, y, width, height)
        self._shape(path.d, stroke, fill)

    def _shape(self, d: str, stroke: int, fill: int) -> None:
        if not d or not (stroke or fill):
            return
        s = self._state
        attrs = [f'd="{d}"', f'fill="{_grey(s.fill)}"' if fill else 'fill="none"']
        if stroke:
            attrs += [f'stroke="{_grey(s.stroke)}"', f'stroke-width="{_n(s.width)}"']
            if s.cap:
                attrs.append(f'stroke-linecap="{_CAPS[s.cap]}"')
            if s.dash:
                attrs.append(f'stroke-dasharray="{" ".join(_n(v) for v in s.dash)}"')
        if s.clip is not None:
            attrs.append(f'clip-path="url(#{s.clip})"')
        self._body.append(f"<path {' '.join(attrs)}/>")

    # Text -----------------------------------------------------------------------------------------

    def text(self, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "l") -> None:
        """`y` is the baseline; `align` l, c or r at `x`: anchored in the SVG, so a reader's font of
        other widths still lines names up with their ticks."""
        weight = ' font-weight="bold"' if bold else ""
        self._body.append(
            f'<text x="{_n(x)}" y="{_n(self.height - y)}" font-size="{_n(size)}"{weight}{_ANCHORS[align]}>'
            f"{escape(text, quote=False)}</text>"
        )

    # Output ---------------------------------------------------------------------------------------

    def svg(self) -> str:
        """The drawing as a standalone SVG (its namespace declared; `overview_page.inline_svg` drops
        it for inline use)."""
        w, h = _n(self.width), _n(self.height)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}pt" height="{h}pt"'
            f' font-family="{FONT_FAMILY}" fill-rule="evenodd">'
        )
        clips = self._defs.items()
        defs = "".join(f'<clipPath id="{i}" clip-rule="evenodd"><path d="{d}"/></clipPath>' for d, i in clips)
        return "\n".join([head, *([f"<defs>{defs}</defs>"] if defs else []), *self._body, "</svg>"]) + "\n"


__all__ = ["FONT_FAMILY", "SvgCanvas", "SvgPath"]
