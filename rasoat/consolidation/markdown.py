"""A consolidated table as a markdown table, for the Prefect UI's artifacts (units only, no people)."""

from __future__ import annotations

import pandas as pd

from rasoat.consolidation.chart_data import ChartData, UnitMovements, UnitRates, change_mark, percent
from rasoat.consolidation.spec import headers_vi

# Columns that identify a row for the machine, not for the reader.
_HIDDEN = ("code", "level", "parent_code", "no_data")


def markdown_table(frame: pd.DataFrame, key: str) -> str:
    """Table `key` (r1 … r11) with its Vietnamese headers."""
    headers = {"tt": "TT", "name": "Đơn vị", "unit": "", **headers_vi(key)}
    keep = [c for c in frame.columns if c in headers and c not in _HIDDEN]
    shown = frame[keep].rename(columns=headers).astype(object).fillna("")
    lines = ["| " + " | ".join(map(str, shown.columns)) + " |", "|" + "---|" * len(shown.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in shown.itertuples(index=False)]
    return "\n".join(lines)


RATES_HEADERS = (
    "Đơn vị",
    "Tỷ lệ nghèo (%)",
    "Năm trước",
    "Thay đổi",
    "Tỷ lệ cận nghèo (%)",
    "Năm trước",
    "Thay đổi",
    "Thoát nghèo",
    "Tái nghèo",
    "Phát sinh mới",
)


def rates_markdown(chart: ChartData) -> str:
    """The charts' figures as one compact table: the unit's total, then its child units from the
    highest poor rate down, each rate beside last year's with ▲/▼ and the change in points."""
    moves = {m.code: m for m in chart.movements}
    moves[chart.total.code] = chart.total_movements

    def line(unit: UnitRates, bold: bool) -> str:
        m: UnitMovements | None = moves.get(unit.code)
        cells = [
            f"**{unit.name}**" if bold else unit.name,
            percent(unit.poor),
            percent(unit.poor_before),
            change_mark(unit.poor_change),
            percent(unit.near_poor),
            percent(unit.near_poor_before),
            change_mark(unit.near_poor_change),
            *((str(m.escaped), str(m.re_poor), str(m.newly_poor)) if m else ("", "", "")),
        ]
        return "| " + " | ".join(cells) + " |"

    lines = ["| " + " | ".join(RATES_HEADERS) + " |", "|---|" + "---:|" * (len(RATES_HEADERS) - 1)]
    lines.append(line(chart.total, True))
    lines += [line(unit, False) for unit in chart.rates]
    return "\n".join(lines)
