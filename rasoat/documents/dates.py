"""Dates as Decree 30/2020 writes them: "Cam Lộ, ngày 05 tháng 01 năm 2025".

Days 01–09 and the months 01 and 02 take a leading zero (Phụ lục I; "ngày 28 tháng 8 năm 2023" keeps
August without one), so a date cannot be altered by writing a digit in front of it.
"""

from __future__ import annotations

import datetime as dt


def day_month_year(date: dt.date) -> str:
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def place_and_date(place: str, date: dt.date) -> str:
    return f"{place}, {day_month_year(date)}"


def short_date(date: dt.date) -> str:
    """dd/mm/yyyy, for table cells and the posting period."""
    return f"{date.day:02d}/{date.month:02d}/{date.year}"
