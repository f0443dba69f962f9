"""The company's production calendar: the `holidays` library's Russian calendar (holidays,
moved days off and moved working Saturdays) corrected by the administrator's table
(`WorkdayCorrection`). Cached per process; a correction saved through
`crm.core.services.workday_correction_save` clears the cache."""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from crm.core.domain.workdays import WorkCalendar

FIRST_YEAR = 2015
YEARS_AHEAD = 2


@functools.lru_cache(maxsize=1)
def _calendar(last_year: int) -> WorkCalendar:
    from crm.core.models import WorkdayCorrection, WorkdayKind

    russian = holidays.country_holidays("RU", years=range(FIRST_YEAR, last_year + 1))
    days_off = {day for day in russian if day.weekday() < 5}
    working = set(getattr(russian, "weekend_workdays", set()))
    for correction in WorkdayCorrection.objects.all():
        if correction.kind == WorkdayKind.WORKING:
            days_off.discard(correction.date)
            if correction.date.weekday() >= 5:
                working.add(correction.date)
        else:
            working.discard(correction.date)
            days_off.add(correction.date)
    return WorkCalendar(days_off=frozenset(days_off), working_weekend_days=frozenset(working))


def work_calendar() -> WorkCalendar:
    return _calendar(dt.date.today().year + YEARS_AHEAD)


def clear_cache() -> None:
    _calendar.cache_clear()


def add_working_days(start: dt.date, days: int) -> dt.date:
    return work_calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return work_calendar().between(start, end)


def is_working_day(day: dt.date) -> bool:
    return work_calendar().is_working(day)
