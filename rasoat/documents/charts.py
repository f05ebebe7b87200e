"""The charts of the round overview page, drawn with matplotlib as SVG.

    svgs = rates_chart_svgs(data)      # poor and near-poor rates by commune, this year beside last year
    svgs = movements_chart_svgs(data)  # escaped, re-poor, newly poor by commune

One SVG per chart: a district's communes fit in one, a province's take several, on one scale.
The district report and the province decision draw the same charts with reportlab (`chart_pdf`):
WeasyPrint took seconds a page to paint these SVGs. Both take their pages, sizes, greys, hatches
and words from `chart_spec`.

`data` is `rasoat.consolidation.chart_data.ChartData`; nothing here computes a figure. The SVG goes
inline into the overview page.

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
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from rasoat.consolidation.chart_data import ChartData, UnitRates, percent
from rasoat.documents.certificate_pdf import font_path
from rasoat.documents.chart_spec import (
    AXES_WIDTH,
    EDGE_WIDTH,
    FONT_SIZE,
    HATCH_WIDTH,
    LABEL_SIZE,
    LAST_YEAR,
    MOVE_AXIS,
    MOVE_BAR,
    MOVE_ROWS,
    MOVE_TITLE,
    MOVES,
    RATE_AXIS,
    RATE_BAR,
    RATE_PANELS,
    RATE_ROWS,
    THIS_YEAR,
    TOTAL_WIDTH,
    WIDTH_IN,
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

# No pyplot: a Figure drawn on its own SVG canvas needs no backend selection and no global figure list.


def _style(bar: BarStyle) -> dict[str, Any]:
    style: dict[str, Any] = {"facecolor": str(bar.grey), "edgecolor": "black", "linewidth": EDGE_WIDTH}
    return style | ({"hatch": bar.hatch} if bar.hatch else {})


DECIMAL_COMMA = FuncFormatter(lambda value, _: decimal_comma(value))
# Under the axes, never over a bar or its label (a placement that depends only on the layout)
_LEGEND = {
    "loc": "upper center",
    "bbox_to_anchor": (0.5, -0.13),
    "fontsize": LABEL_SIZE,
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
                "hatch.linewidth": HATCH_WIDTH,
                "axes.linewidth": AXES_WIDTH,
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


def _mark_total(ax: Axes, value: float | None, style: str, label: str) -> None:
    if value is not None:
        ax.axvline(value, color="black", linestyle=style, linewidth=TOTAL_WIDTH, label=label)


def _rates_panel(ax: Axes, data: ChartData, rows: Sequence[UnitRates], field: str, title: str) -> None:
    y = list(range(len(rows)))
    now = [getattr(r, field) or 0.0 for r in rows]
    before = [getattr(r, f"{field}_before") or 0.0 for r in rows]
    height = RATE_BAR if data.has_previous else 0.6
    offset = height / 2 if data.has_previous else 0.0
    this_year = _style(THIS_YEAR)
    bars = ax.barh([i - offset for i in y], now, height=height, **this_year, label=year_label(data.year))
    ax.bar_label(bars, labels=[percent(getattr(r, field)) for r in rows], padding=2, fontsize=LABEL_SIZE)
    if data.has_previous:
        last_year = _style(LAST_YEAR)
        label = year_label(data.year - 1)
        old = ax.barh([i + offset for i in y], before, height=height, **last_year, label=label)
        labels = [percent(getattr(r, f"{field}_before")) for r in rows]
        ax.bar_label(old, labels=labels, padding=2, fontsize=LABEL_SIZE)
    total_now = getattr(data.total, field)
    total_before = getattr(data.total, f"{field}_before")
    _mark_total(ax, total_now, "--", total_label(data, total_now, data.year))
    if data.has_previous:
        _mark_total(ax, total_before, ":", total_label(data, total_before, data.year - 1))
    ax.set_title(title, fontweight="bold")
    ax.set_xlabel(RATE_AXIS)
    ax.set_xlim(0, rate_limit(data, field))
    ax.xaxis.set_major_formatter(DECIMAL_COMMA)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the highest rate on top
    ax.legend(**_LEGEND, ncols=2)
    ax.spines[["top", "right"]].set_visible(False)


def rates_chart_svgs(data: ChartData) -> list[str]:
    """Poor (left) and near-poor (right) household rates by commune, sorted by this year's poor
    rate, `RATE_ROWS` communes a chart."""
    out = []
    for i, rows in enumerate(rate_pages(data)):
        with _settings():
            figure = Figure(figsize=(WIDTH_IN, height_in(len(rows))))
            axes = figure.subplots(1, 2, sharey=True)
            axes[0].set_yticks(range(len(rows)), [r.name for r in rows])
            for ax, (field, title) in zip(axes, RATE_PANELS, strict=True):
                _rates_panel(ax, data, rows, field, title)
            axes[1].tick_params(axis="y", length=0)
            figure.tight_layout()
            out.append(_svg(figure, f"rates{i + 1}-"))
    return out


def movements_chart_svgs(data: ChartData) -> list[str]:
    """Escaped, re-poor and newly poor households by commune, most escaped first, `MOVE_ROWS`
    communes a chart."""
    out = []
    for i, rows in enumerate(movement_pages(data)):
        with _settings():
            figure = Figure(figsize=(WIDTH_IN, movements_height_in(len(rows))))
            ax = figure.subplots()
            styles = [_style(style) for _, _, style in MOVES]
            for k, ((field, label, _), style) in enumerate(zip(MOVES, styles, strict=True)):
                bars = ax.barh(
                    [j + (k - 1) * MOVE_BAR for j in range(len(rows))],
                    [getattr(m, field) for m in rows],
                    height=MOVE_BAR,
                    **style,
                    label=movement_label(data, field, label),
                )
                ax.bar_label(bars, padding=2, fontsize=LABEL_SIZE)
            ax.set_yticks(range(len(rows)), [m.name for m in rows])
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xlim(0, movement_limit(data))
            ax.set_xlabel(MOVE_AXIS)
            ax.set_title(MOVE_TITLE, fontweight="bold")
            pairs = zip(styles, ax.containers, strict=True)
            handles = [Patch(**style, label=bars.get_label()) for style, bars in pairs]
            ax.legend(handles=handles, **_LEGEND, ncols=3)
            ax.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            out.append(_svg(figure, f"moves{i + 1}-"))
    return out


__all__ = ["MOVE_ROWS", "RATE_ROWS", "movements_chart_svgs", "rates_chart_svgs"]
