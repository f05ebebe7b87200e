"""The charts of the reports and of the round overview page, drawn with matplotlib as SVG.

    svgs = rates_chart_svgs(data)      # poor and near-poor rates by commune, this year beside last year
    svgs = movements_chart_svgs(data)  # escaped, re-poor, newly poor by commune

One SVG per chart page: a district's communes fit on one, a province's take several, on one scale.

`data` is `rasoat.consolidation.chart_data.ChartData`; nothing here computes a figure. The SVG goes
into the WeasyPrint body of a report (vector, as drawn) and inline into the overview page.

Printed in black and white: this year is solid dark grey, last year white with hatching, the unit's
total a dashed (this year) or dotted (last year) line, every bar with its value. Deterministic
bytes: glyphs are written as paths from Liberation Serif (no font lookup by the viewer, no
fallback font), the SVG's ids are salted with a constant instead of a random value, and its
metadata carries no date.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TypeVar

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from rasoat.consolidation.chart_data import LEVEL_NAMES_VI, ChartData, UnitRates, percent
from rasoat.documents.certificate_pdf import font_path

# No pyplot: a Figure drawn on its own SVG canvas needs no backend selection and no global figure list.

WIDTH_IN = 9.9  # the text width of a landscape A4 page (297 mm − 45 mm of margins)
ROW_IN = 0.34  # height per unit: two bars and their labels, legible at 9 pt
MAX_HEIGHT_IN = 5.4  # what fits under the heading on that page; more units get thinner bars
FONT_SIZE = 9
RATE_ROWS = 14  # communes a rates chart: two bars each, legible within MAX_HEIGHT_IN
MOVE_ROWS = 10  # communes a movements chart: three bars each
T = TypeVar("T")
THIS_YEAR = {"facecolor": "0.35", "edgecolor": "black", "linewidth": 0.4}
LAST_YEAR = {"facecolor": "white", "edgecolor": "black", "hatch": "////", "linewidth": 0.4}
_EDGE = {"edgecolor": "black", "linewidth": 0.4}
MOVES = (  # (field, label, style): solid, cross-hatched and dotted tell the three apart in grey
    ("escaped", "Thoát nghèo", {"facecolor": "0.25", **_EDGE}),
    ("re_poor", "Tái nghèo", {"facecolor": "0.75", "hatch": "xxx", **_EDGE}),
    ("newly_poor", "Phát sinh mới", {"facecolor": "white", "hatch": "...", **_EDGE}),
)
DECIMAL_COMMA = FuncFormatter(lambda value, _: f"{value:g}".replace(".", ","))  # 2,5 as officials write it
# Under the axes, never over a bar or its label (a placement that depends only on the layout)
_LEGEND = {
    "loc": "upper center",
    "bbox_to_anchor": (0.5, -0.13),
    "fontsize": FONT_SIZE - 1,
    "frameon": True,
    "edgecolor": "black",
    "fancybox": False,
}
_DRAWING = threading.Lock()  # rcParams are process-global: one chart at a time sets them


@cache
def _font_name() -> str:
    """Register Liberation Serif with matplotlib from the file the documents use and return its name:
    matplotlib would otherwise silently fall back to DejaVu Sans."""
    ours = {font_path(style) for style in ("R", "B")}
    for path in sorted(ours):
        font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=font_path("R")).get_name()
    # Debian's older fonts-liberation has the same family name and lacks ơ, ư, ạ…: matplotlib could
    # pick it and draw those letters as boxes. Only the files the documents embed keep the name.
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if f.name != name or f.fname in ours]
    manager._findfont_cached.cache_clear()  # lookups made before the list changed
    return name


@contextmanager
def _settings() -> Iterator[None]:
    with (
        _DRAWING,
        matplotlib.rc_context(
            {
                "font.family": _font_name(),
                "font.size": FONT_SIZE,
                "svg.fonttype": "path",
                "svg.hashsalt": "rasoat",
                "hatch.linewidth": 0.5,
                "axes.linewidth": 0.6,
                "axes.unicode_minus": False,
            }
        ),
    ):
        yield


def _svg(figure: Figure, prefix: str) -> str:
    """The figure as SVG with every id prefixed: two charts in one HTML document (a report's annex,
    the overview page) must not define the same ids (matplotlib numbers them from 1 in each)."""
    buffer = io.StringIO()
    FigureCanvasSVG(figure)
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=None)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML prolog or doctype: the SVG goes inline into HTML
    # matplotlib's <metadata> names only RDF vocabularies (addresses the page must not carry)
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    text = re.sub(r'\bid="', f'id="{prefix}', text)
    return re.sub(r'(href="#|url\(#)', rf"\g<1>{prefix}", text)


def _height(rows: int) -> float:
    return min(MAX_HEIGHT_IN, 1.3 + ROW_IN * max(rows, 1))


def _mark_total(ax: Axes, value: float | None, style: str, label: str) -> None:
    if value is not None:
        ax.axvline(value, color="black", linestyle=style, linewidth=1.0, label=label)


def _chunks(rows: Sequence[T], size: int) -> list[Sequence[T]]:
    """Rows in charts of at most `size`: a province's communes take several pages, each legible."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [rows]


def _rates_panel(ax: Axes, data: ChartData, rows: Sequence[UnitRates], field: str, title: str) -> None:
    y = list(range(len(rows)))
    now = [getattr(r, field) or 0.0 for r in rows]
    before = [getattr(r, f"{field}_before") or 0.0 for r in rows]
    height = 0.38 if data.has_previous else 0.6
    offset = height / 2 if data.has_previous else 0.0
    bars = ax.barh([i - offset for i in y], now, height=height, **THIS_YEAR, label=f"Năm {data.year}")
    ax.bar_label(bars, labels=[percent(getattr(r, field)) for r in rows], padding=2, fontsize=FONT_SIZE - 1)
    if data.has_previous:
        old = ax.barh(
            [i + offset for i in y], before, height=height, **LAST_YEAR, label=f"Năm {data.year - 1}"
        )
        labels = [percent(getattr(r, f"{field}_before")) for r in rows]
        ax.bar_label(old, labels=labels, padding=2, fontsize=FONT_SIZE - 1)
    unit = f"Toàn {LEVEL_NAMES_VI.get(data.unit_level, data.unit_level)}"
    total_now = getattr(data.total, field)
    total_before = getattr(data.total, f"{field}_before")
    _mark_total(ax, total_now, "--", f"{unit} năm {data.year}: {percent(total_now)}%")
    if data.has_previous:
        _mark_total(ax, total_before, ":", f"{unit} năm {data.year - 1}: {percent(total_before)}%")
    ax.set_title(title, fontweight="bold")
    ax.set_xlabel("Tỷ lệ (%)")
    # one scale for every page of the chart, so that pages compare
    every = [v for r in data.rates for v in (getattr(r, field), getattr(r, f"{field}_before"))]
    top = max([*(v for v in every if v is not None), total_now or 0.0, total_before or 0.0, 1.0])
    ax.set_xlim(0, top * 1.22)
    ax.xaxis.set_major_formatter(DECIMAL_COMMA)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the highest rate on top
    ax.legend(**_LEGEND, ncols=2)
    ax.spines[["top", "right"]].set_visible(False)


def rates_chart_svgs(data: ChartData) -> list[str]:
    """Poor (left) and near-poor (right) household rates by commune, sorted by this year's poor
    rate, `RATE_ROWS` communes a chart."""
    out = []
    for i, rows in enumerate(_chunks(data.rates, RATE_ROWS)):
        with _settings():
            figure = Figure(figsize=(WIDTH_IN, _height(len(rows))))
            left, right = figure.subplots(1, 2, sharey=True)
            left.set_yticks(range(len(rows)), [r.name for r in rows])
            _rates_panel(left, data, rows, "poor", "Tỷ lệ hộ nghèo")
            _rates_panel(right, data, rows, "near_poor", "Tỷ lệ hộ cận nghèo")
            right.tick_params(axis="y", length=0)
            figure.tight_layout()
            out.append(_svg(figure, f"rates{i + 1}-"))
    return out


def movements_chart_svgs(data: ChartData) -> list[str]:
    """Escaped, re-poor and newly poor households by commune, most escaped first, `MOVE_ROWS`
    communes a chart."""
    most = max([1, *(getattr(m, f) for m in data.movements for f, _, _ in MOVES)])
    unit = LEVEL_NAMES_VI.get(data.unit_level, data.unit_level)
    out = []
    for i, rows in enumerate(_chunks(data.movements, MOVE_ROWS)):
        with _settings():
            figure = Figure(figsize=(WIDTH_IN, _height(round(len(rows) * 1.4))))
            ax = figure.subplots()
            height = 0.26
            for k, (field, label, style) in enumerate(MOVES):
                total = getattr(data.total_movements, field)
                bars = ax.barh(
                    [j + (k - 1) * height for j in range(len(rows))],
                    [getattr(m, field) for m in rows],
                    height=height,
                    **style,
                    label=f"{label} (toàn {unit}: {total} hộ)",
                )
                ax.bar_label(bars, padding=2, fontsize=FONT_SIZE - 1)
            ax.set_yticks(range(len(rows)), [m.name for m in rows])
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xlim(0, most * 1.15)
            ax.set_xlabel("Số hộ")
            ax.set_title("Diễn biến hộ nghèo: thoát nghèo, tái nghèo, phát sinh mới", fontweight="bold")
            pairs = zip(MOVES, ax.containers, strict=True)
            handles = [Patch(**style, label=bars.get_label()) for (_, _, style), bars in pairs]
            ax.legend(handles=handles, **_LEGEND, ncols=3)
            ax.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            out.append(_svg(figure, f"moves{i + 1}-"))
    return out


__all__ = ["movements_chart_svgs", "rates_chart_svgs"]
