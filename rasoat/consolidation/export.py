"""The consolidated tables as an XLSX workbook: the form district and province officers edit and file.

One sheet per table, in the official layout's order: title, merged group headers above the cell
headers, the column-number row, then the total row and the unit rows. Text cells are always written
as text (a name starting with "=" or "@" never becomes a formula).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import xlsxwriter

from rasoat.consolidation.spec import TABLES
from rasoat.consolidation.tables import ConsolidatedTables

UNIT_VI = {"households": "Hộ", "persons": "Nhân khẩu"}


def write_tables_xlsx(tables: ConsolidatedTables, path: Path) -> Path:
    """Write all tables to `path` atomically (a temp file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        _write(tables, Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _write(tables: ConsolidatedTables, path: Path) -> None:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    title = book.add_format(
        {"bold": True, "font_size": 13, "align": "center", "font_name": "Times New Roman"}
    )
    head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "Times New Roman",
        }
    )
    number_row = book.add_format(
        {"italic": True, "border": 1, "align": "center", "font_name": "Times New Roman"}
    )
    cell = book.add_format({"border": 1, "font_name": "Times New Roman"})
    total = book.add_format({"border": 1, "bold": True, "font_name": "Times New Roman"})
    integer = book.add_format({"border": 1, "num_format": "#,##0", "font_name": "Times New Roman"})
    integer_total = book.add_format(
        {"border": 1, "num_format": "#,##0", "bold": True, "font_name": "Times New Roman"}
    )
    rate = book.add_format({"border": 1, "num_format": "0.00", "font_name": "Times New Roman"})
    rate_total = book.add_format(
        {"border": 1, "num_format": "0.00", "bold": True, "font_name": "Times New Roman"}
    )

    for key, spec in TABLES.items():
        frame = tables[key]
        sheet = book.add_worksheet(key.upper())
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        lead = spec.lead_headers(tables.unit.level)
        width = len(lead) + len(spec.columns)
        sheet.merge_range(0, 0, 0, width - 1, f"{spec.title_vi} NĂM {tables.year}".upper(), title)
        sheet.merge_range(1, 0, 1, width - 1, f"{tables.unit.name}", title)
        # Group headers (row 3) over cell headers (row 4); columns without a group span both rows.
        for j, text in enumerate(lead):
            sheet.merge_range(3, j, 4, j, text, head)
        j = len(lead)
        columns = list(spec.columns)
        for group, run in spec.column_groups():
            span = len(run)
            if group:
                if span > 1:
                    sheet.merge_range(3, j, 3, j + span - 1, group, head)
                else:
                    sheet.write_string(3, j, group, head)
                for k, column in enumerate(run):
                    sheet.write_string(4, j + k, column.header_vi, head)
            else:
                sheet.merge_range(3, j, 4, j, run[0].header_vi, head)
            j += span
        numbers = ["A", "B", *(["C"] if spec.long else []), *(c.number or "" for c in columns)]
        for j, text in enumerate(numbers):
            sheet.write_string(5, j, str(text), number_row)
        sheet.set_row(4, 45)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 28)
        sheet.set_column(len(lead), width - 1, 11)
        sheet.freeze_panes(6, len(lead))

        for r, row in enumerate(frame.to_dict("records"), start=6):
            is_total = row["level"] != "commune" or row["tt"] == ""
            sheet.write_string(r, 0, str(row["tt"]), total if is_total else cell)
            sheet.write_string(r, 1, str(row["name"]), total if is_total else cell)
            if spec.long:
                sheet.write_string(r, 2, UNIT_VI.get(str(row["unit"]), str(row["unit"])), cell)
            for j, column in enumerate(columns, start=len(lead)):
                value = row.get(column.key)
                fmt = (
                    (rate_total if is_total else rate)
                    if column.rate
                    else (integer_total if is_total else integer)
                )
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    sheet.write_blank(r, j, None, fmt)
                else:
                    sheet.write_number(r, j, float(value), fmt)
    book.close()
