"""Time arithmetic of activities, without Django: the bounds of the work lists in a user's time
zone, when a reminder fires, moving an activity to another day keeping its time of day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

UPCOMING_DAYS = 14  # "Предстоящие": from tomorrow, two weeks ahead
DONE_DAYS = 30  # "Выполненные": what was done in the last month


@dataclass(frozen=True)
class WorkListBounds:
    """Borders of the work lists for one moment and one time zone (all aware datetimes).

    overdue:  planned, start < now (an all-day activity: its day is over, start < today_start)
    today:    planned, not overdue, start < tomorrow_start
    upcoming: planned, tomorrow_start <= start < upcoming_end
    done:     done, start >= done_from"""

    now: dt.datetime
    today_start: dt.datetime
    tomorrow_start: dt.datetime
    upcoming_end: dt.datetime
    done_from: dt.datetime


def local_midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def work_list_bounds(
    now: dt.datetime,
    zone: dt.tzinfo,
    *,
    upcoming_days: int = UPCOMING_DAYS,
    done_days: int = DONE_DAYS,
) -> WorkListBounds:
    """Days are the user's days: midnight in `zone`, so 23:30 in Moscow is still "today" for a
    Moscow user while it is already tomorrow in Novosibirsk."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(zone).date()
    return WorkListBounds(
        now=now,
        today_start=local_midnight(today, zone),
        tomorrow_start=local_midnight(today + dt.timedelta(days=1), zone),
        upcoming_end=local_midnight(today + dt.timedelta(days=1 + upcoming_days), zone),
        done_from=local_midnight(today - dt.timedelta(days=done_days), zone),
    )


def reminder_time(start_at: dt.datetime, offset_minutes: int) -> dt.datetime:
    """A relative reminder fires `offset_minutes` before the start."""
    return start_at - dt.timedelta(minutes=offset_minutes)


def moved_to_day(value: dt.datetime, day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """`value` put on `day`, keeping its wall-clock time in `zone` (10:00 stays 10:00 across a
    change of the UTC offset)."""
    local = value.astimezone(zone)
    return dt.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)


def shifted_by_days(value: dt.datetime, days: int, zone: dt.tzinfo) -> dt.datetime:
    """`value` moved `days` calendar days in `zone`, keeping its wall-clock time."""
    local_day = value.astimezone(zone).date()
    return moved_to_day(value, local_day + dt.timedelta(days=days), zone)


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))
