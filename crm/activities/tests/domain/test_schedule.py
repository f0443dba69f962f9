"""Pure time arithmetic of the work lists and reminders (no database)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.activities.domain.schedule import (
    minutes_between,
    moved_to_day,
    reminder_time,
    shifted_by_days,
    work_list_bounds,
)

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOVOSIBIRSK = zoneinfo.ZoneInfo("Asia/Novosibirsk")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_bounds_are_the_users_midnights():
    now = dt.datetime(
        2026, 3, 10, 20, 0, tzinfo=dt.UTC
    )  # 23:00 in Moscow, 03:00 next day in Novosibirsk
    moscow = work_list_bounds(now, MOSCOW)
    assert moscow.today_start == dt.datetime(2026, 3, 10, tzinfo=MOSCOW)
    assert moscow.tomorrow_start == dt.datetime(2026, 3, 11, tzinfo=MOSCOW)
    assert moscow.upcoming_end == dt.datetime(2026, 3, 25, tzinfo=MOSCOW)
    assert moscow.done_from == dt.datetime(2026, 2, 8, tzinfo=MOSCOW)
    novosibirsk = work_list_bounds(now, NOVOSIBIRSK)
    assert novosibirsk.today_start == dt.datetime(2026, 3, 11, tzinfo=NOVOSIBIRSK)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        work_list_bounds(dt.datetime(2026, 3, 10, 12, 0), MOSCOW)


def test_reminder_time_and_minutes():
    start = dt.datetime(2026, 3, 12, 10, 0, tzinfo=MOSCOW)
    assert reminder_time(start, 15) == dt.datetime(2026, 3, 12, 9, 45, tzinfo=MOSCOW)
    assert minutes_between(start, start + dt.timedelta(minutes=45, seconds=59)) == 45
    assert minutes_between(start, start - dt.timedelta(minutes=5)) == 0


def test_moving_across_a_daylight_saving_change_keeps_the_wall_clock():
    before = dt.datetime(2026, 3, 27, 10, 0, tzinfo=BERLIN)  # CET, +01:00
    after = shifted_by_days(before, 3, BERLIN)  # 30 March is CEST, +02:00
    assert after.astimezone(BERLIN).hour == 10
    assert after.utcoffset() == dt.timedelta(hours=2)
    assert moved_to_day(before, dt.date(2026, 4, 1), BERLIN).astimezone(BERLIN).time() == dt.time(
        10, 0
    )


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.integers(min_value=-400, max_value=400),
)
def test_shifting_keeps_the_local_time_and_moves_the_date(moment, days):
    value = moment.replace(second=0, microsecond=0, tzinfo=MOSCOW)
    shifted = shifted_by_days(value, days, MOSCOW)
    assert shifted.astimezone(MOSCOW).time() == value.time()
    assert shifted.astimezone(MOSCOW).date() == value.date() + dt.timedelta(days=days)
