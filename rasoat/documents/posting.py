"""The public posting period: 3 working days (QĐ 24/2021 Điều 4 bước 4) on Vietnam's calendar.

Working days come from the `holidays` package's Vietnam calendar, which knows the lunar New Year,
Hùng Kings' day, the substituted days off and the Saturdays worked in exchange. The posting starts
on the first working day after the notice is signed, and the recognition decision follows on the
first working day after the posting ends (complaints are heard during the posting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

POSTING_WORKING_DAYS = 3


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    # Two years: a posting that starts in late December ends in January.
    return holidays.Vietnam(years=[year, year + 1])


def is_working_day(date: dt.date) -> bool:
    return bool(_calendar(date.year).is_working_day(date))


def next_working_day(date: dt.date) -> dt.date:
    """The first working day strictly after `date`."""
    day = date + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class PostingPeriod:
    start: dt.date
    end: dt.date
    working_days: int

    @property
    def decision_date(self) -> dt.date:
        """The earliest date the recognition decision can carry."""
        return next_working_day(self.end)


def posting_period(notice_date: dt.date, working_days: int = POSTING_WORKING_DAYS) -> PostingPeriod:
    start = next_working_day(notice_date)
    end = start
    for _ in range(working_days - 1):
        end = next_working_day(end)
    return PostingPeriod(start, end, working_days)
