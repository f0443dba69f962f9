"""Working days by the Russian production calendar (pure Python).

A `WorkCalendar` knows the days off that fall on weekdays (holidays and moved days off) and the
weekend days that are working days (moved working Saturdays); everything else follows the week:
Monday to Friday work, Saturday and Sunday rest. The sets come from `crm.core.workdays`, which
fills them from the maintained `holidays` library and the administrator's corrections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_weekend_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working(self, day: dt.date) -> bool:
        if day in self.working_weekend_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (before it when negative); zero days is
        `start` itself if it is a working day, else the next working day."""
        step = 1 if days >= 0 else -1
        day = start
        if days == 0:
            while not self.is_working(day):
                day += dt.timedelta(days=1)
            return day
        remaining = abs(days)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working(day):
                remaining -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start): a deal
        that entered a stage on Monday and left on Wednesday stayed 2 working days."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working(day):
                count += 1
        return count
