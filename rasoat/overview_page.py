"""The round overview page: one self-contained HTML file (inline CSS and SVG, no script, no external
address) showing where a year's rounds stand: each commune's latest file (accepted, rejected with its
count of blocking problems, missing), each district's rates chart and R1–R3 figures, the province's
approval and the fingerprint it is bound to, and links to the feedback and the documents.

Plain data in, HTML out: `rasoat.pipeline.overview` reads the database into these dataclasses.
Household ids and counts only, never a name or a CCCD number. No generation time is printed, so an
unchanged round gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from rasoat.config import PROJECT_ROOT
from rasoat.consolidation.chart_data import ChartData, UnitRates, change_mark, charted_rows, percent
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.documents.charts import movements_chart_svgs, rates_chart_svgs
from rasoat.documents.render import template_environment

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "overview"
TEMPLATE = "tong_quan.html.j2"
ROUND_STATES_VI = {
    "open": "đang nhận dữ liệu",
    "validating": "đang kiểm tra",
    "consolidated": "đã tổng hợp",
    "awaiting_approval": "chờ phê duyệt",
    "approved": "đã phê duyệt",
    "rejected": "bị trả lại",
    "closed": "đã đóng",
}
STATE_VI = {
    "accepted": "Đã chấp nhận",
    "rejected": "Bị từ chối",
    "unreadable": "Không đọc được",
    "received": "Đã nhận, chưa kiểm tra",
    "missing": "Chưa nộp",
}


@dataclass(frozen=True)
class Link:
    label: str
    href: str  # relative to the page


@dataclass(frozen=True)
class CommuneLine:
    code: str
    name: str
    state: str  # a key of STATE_VI
    blocking: int | None  # blocking problems of a rejected file (failing rows of blocking checks)
    version: int | None
    received_at: str | None  # "dd/mm/yyyy HH:MM" (UTC)
    feedback: tuple[Link, ...] = ()
    documents: tuple[Link, ...] = ()

    @property
    def state_vi(self) -> str:
        return STATE_VI.get(self.state, self.state)


@dataclass(frozen=True)
class FigureRow:
    """One unit's line of the figures table: R1 counts and rates, last year's rates, R2/R3 (households)."""

    code: str
    name: str
    total: bool
    households: int
    poor: int
    poor_rate: str
    poor_before: str
    poor_change: str
    near_poor: int
    near_poor_rate: str
    near_poor_before: str
    near_poor_change: str
    r2: tuple[int, ...]  # đầu kỳ, thoát nghèo (2 + 3), tái nghèo, phát sinh mới, cuối kỳ
    r3: tuple[int, ...]  # đầu kỳ, thoát cận nghèo, tái cận nghèo, phát sinh mới, cuối kỳ


@dataclass(frozen=True)
class DistrictSection:
    code: str
    name: str
    round_id: int
    round_state: str
    communes: tuple[CommuneLine, ...]
    consolidation: str | None  # "#12, đạt kiểm tra", or None before the first consolidation
    fingerprint: str | None
    figures: tuple[FigureRow, ...] = ()
    rates_svgs: tuple[str, ...] = ()
    movements_svgs: tuple[str, ...] = ()
    documents: tuple[Link, ...] = ()


@dataclass(frozen=True)
class ApprovalLine:
    scope: str
    round_id: int
    round_state: str
    decision: str | None  # approved / rejected / None (not decided)
    text: str  # what the page says of it, in Vietnamese
    fingerprint: str | None
    documents: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Overview:
    year: int
    title: str
    districts: tuple[DistrictSection, ...]
    approvals: tuple[ApprovalLine, ...] = field(default_factory=tuple)


def figure_rows(tables: ConsolidatedTables, chart: ChartData) -> tuple[FigureRow, ...]:
    """The unit's total then its communes (in the tables' order): R1's counts and rates, the
    chart's last-year rates, R2/R3's household movements. Cells copied from the tables."""
    r1 = tables["r1"]
    r2 = tables["r2"].loc[tables["r2"]["unit"] == "households"].set_index("code")
    r3 = tables["r3"].loc[tables["r3"]["unit"] == "households"].set_index("code")
    rates: dict[str, UnitRates] = {u.code: u for u in chart.rates}
    rates[chart.total.code] = chart.total
    shown = r1.loc[(r1["tt"] == "") | charted_rows(r1)]
    rows = []
    for _, row in shown.iterrows():
        code = str(row["code"])
        unit = rates[code]
        m2, m3 = r2.loc[row["code"]], r3.loc[row["code"]]
        rows.append(
            FigureRow(
                code=code,
                name=str(row["name"]),
                total=row["tt"] == "",
                households=int(row["households"]),
                poor=int(row["poor_households"]),
                poor_rate=percent(unit.poor),
                poor_before=percent(unit.poor_before),
                poor_change=change_mark(unit.poor_change),
                near_poor=int(row["near_poor_households"]),
                near_poor_rate=percent(unit.near_poor),
                near_poor_before=percent(unit.near_poor_before),
                near_poor_change=change_mark(unit.near_poor_change),
                r2=(int(m2["c1"]), int(m2["c2"] + m2["c3"]), int(m2["c6"]), int(m2["c7"]), int(m2["c9"])),
                r3=(int(m3["c1"]), int(m3["c2"]), int(m3["c6"]), int(m3["c7"]), int(m3["c9"])),
            )
        )
    return tuple(rows)


def inline_svg(svg: str) -> str:
    """An SVG for inline use in HTML5: without its namespace declarations, which the HTML parser
    supplies itself (they are addresses, and the page carries none)."""
    return re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)


# Drawn each time the page is written, not cached: a province's charts cost milliseconds, and a
# long-running worker would otherwise hold every district's drawings of every year it wrote.
def chart_svgs(chart: ChartData) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rates charts and the movements charts, ready to inline."""
    return (
        tuple(inline_svg(svg) for svg in rates_chart_svgs(chart)),
        tuple(inline_svg(svg) for svg in movements_chart_svgs(chart)),
    )


@cache
def environment() -> jinja2.Environment:
    env = template_environment(TEMPLATE_DIR)  # this folder's own environment: adding a filter is safe
    env.filters["round_state"] = lambda state: ROUND_STATES_VI.get(state, state)
    return env


def render_overview(overview: Overview) -> str:
    view: dict[str, Any] = {"o": overview, "states": STATE_VI}
    return environment().get_template(TEMPLATE).render(**view)
