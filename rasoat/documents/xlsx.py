"""The four lists as an XLSX workbook (the form officials edit and file): one sheet per list.

Every text cell is written with `write_string`, and the workbook has formula, number and URL
conversion off: a name or id starting with "=", "+", "-" or "@" stays text, never a formula.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from rasoat.documents.lists import LIST_COLUMNS, LIST_HEADERS_VI, LIST_KEYS, LIST_TITLES_VI

SHEET_NAMES = {
    "poor": "Ho ngheo",
    "near_poor": "Ho can ngheo",
    "escaped_poor": "Thoat ngheo",
    "escaped_near_poor": "Thoat can ngheo",
}


def write_lists_xlsx(lists: dict[str, pd.DataFrame], path: Path, unit_name: str, year: int) -> None:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    font = {"font_name": "Times New Roman", "font_size": 12}
    title = book.add_format({**font, "bold": True, "align": "center", "font_size": 13})
    head = book.add_format(
        {**font, "bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    text = book.add_format({**font, "border": 1})
    number = book.add_format({**font, "border": 1, "num_format": "#,##0"})
    for key in LIST_KEYS:
        frame = lists[key]
        sheet = book.add_worksheet(SHEET_NAMES[key])
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.merge_range(0, 0, 0, len(LIST_COLUMNS) - 1, f"{LIST_TITLES_VI[key]} NĂM {year}", title)
        sheet.merge_range(1, 0, 1, len(LIST_COLUMNS) - 1, unit_name, title)
        for j, column in enumerate(LIST_COLUMNS):
            sheet.write_string(3, j, LIST_HEADERS_VI[column], head)
        for j, column in enumerate(LIST_COLUMNS):
            values = frame[column].to_numpy()
            if column in ("stt", "members"):
                for i, value in enumerate(values, start=4):
                    sheet.write_number(i, j, int(value), number)
            else:
                for i, value in enumerate(values, start=4):
                    sheet.write_string(i, j, str(value), text)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 18)
        sheet.set_column(2, 2, 28)
        sheet.set_column(3, 4, 16)
        sheet.set_column(5, 5, 9)
        sheet.freeze_panes(4, 0)
    book.close()
