"""Tables as the templates draw them: header rows with merged cells, body rows of formatted text.

Numbers are written the Vietnamese way: "." between thousands, "," before decimals (1.234; 12,50).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rasoat.consolidation.spec import TABLES, UNIT_LABELS_VI
from rasoat.consolidation.tables import ConsolidatedTables
from rasoat.documents.lists import LIST_COLUMNS, LIST_HEADERS_VI


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    cls: str = ""


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    total: bool = False


@dataclass(frozen=True)
class Grid:
    header_rows: list[list[Cell]]
    rows: list[Row] = field(default_factory=list)


def thousands(value: int | float) -> str:
    return f"{int(value):,}".replace(",", ".")


def decimal2(value: float) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:.2f}".replace(".", ",")


def list_grid(frame: pd.DataFrame) -> Grid:
    """One household list: STT, id, head, village, ethnicity, persons; a total row at the bottom."""
    header = [Cell(LIST_HEADERS_VI[c]) for c in LIST_COLUMNS]
    text = {
        "stt": frame["stt"].astype(str).to_numpy(),
        "household_id": frame["household_id"].astype(str).to_numpy(),
        "head_name": frame["head_name"].astype(str).to_numpy(),
        "village": frame["village"].astype(str).to_numpy(),
        "ethnicity": frame["ethnicity"].astype(str).to_numpy(),
        "members": frame["members"].astype(str).to_numpy(),
    }
    classes = {"stt": "c", "members": "n", "household_id": "c"}
    rows = [
        Row([Cell(str(v), cls=classes.get(c, "")) for c, v in zip(LIST_COLUMNS, values, strict=True)])
        for values in zip(*(text[c] for c in LIST_COLUMNS), strict=True)
    ]
    rows.append(
        Row(
            [
                Cell("", cls="c"),
                Cell(f"Tổng cộng: {thousands(len(frame))} hộ", colspan=4),
                Cell(thousands(int(frame["members"].sum())), cls="n"),
            ],
            total=True,
        )
    )
    return Grid([header], rows)


def table_grid(tables: ConsolidatedTables, key: str) -> Grid:
    """A consolidated table (R1–R11) in its official layout: group headers over cell headers, then the
    column-number row; the unit's total row first, as the provinces' reports put it."""
    spec = TABLES[key]
    frame = tables[key]
    top: list[Cell] = [Cell(t, rowspan=2) for t in spec.lead_headers(tables.unit.level)]
    second: list[Cell] = []
    columns = list(spec.columns)
    for group, run in spec.column_groups():
        if group:
            top.append(Cell(group, colspan=len(run)))
            second += [Cell(c.header_vi) for c in run]
        else:
            top.append(Cell(run[0].header_vi, rowspan=2))
    numbers = [Cell(t) for t in ["A", "B", *(["C"] if spec.long else []), *(c.number or "" for c in columns)]]
    rows: list[Row] = []
    for record in frame.to_dict("records"):
        total = record["level"] != "commune" or record["tt"] == ""
        cells = [Cell(str(record["tt"]), cls="c"), Cell(str(record["name"]))]
        if spec.long:
            cells.append(Cell(UNIT_LABELS_VI.get(str(record["unit"]), str(record["unit"]))))
        for column in columns:
            value = record.get(column.key)
            if value is None or (isinstance(value, float) and np.isnan(value)):
                cells.append(Cell("", cls="n"))
            elif column.rate is not None:
                cells.append(Cell(decimal2(float(value)), cls="n"))
            else:
                cells.append(Cell(thousands(value), cls="n"))
        rows.append(Row(cells, total=total))
    if not second:  # no merged group: the header is a single row
        top = [Cell(c.text, c.colspan, 1, c.cls) for c in top]
        return Grid([top, numbers], rows)
    return Grid([top, second, numbers], rows)
