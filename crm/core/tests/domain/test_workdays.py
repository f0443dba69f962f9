"""The pure production calendar: weekdays work, weekends rest, listed exceptions win."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.core.domain.workdays import WorkCalendar

d = dt.date

# Russia 2024, around May: Saturday 27.04 works, 29.04 and 30.04 rest, 01.05 and 09–10.05 rest
MAY_2024 = WorkCalendar(
    days_off=frozenset(
        {d(2024, 4, 29), d(2024, 4, 30), d(2024, 5, 1), d(2024, 5, 9), d(2024, 5, 10)}
    ),
    working_weekend_days=frozenset({d(2024, 4, 27)}),
)
PLAIN = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (d(2024, 4, 26), True),  # Friday
        (d(2024, 4, 27), True),  # Saturday moved to a working day
        (d(2024, 4, 28), False),  # Sunday
        (d(2024, 4, 29), False),  # Monday, moved day off
        (d(2024, 4, 30), False),
        (d(2024, 5, 1), False),
        (d(2024, 5, 2), True),
        (d(2024, 5, 4), False),  # an ordinary Saturday
    ],
)
def test_is_working(day, working):
    assert MAY_2024.is_working(day) is working


def test_a_day_listed_both_ways_is_working():
    day = d(2024, 4, 27)
    calendar = WorkCalendar(days_off=frozenset({day}), working_weekend_days=frozenset({day}))
    assert calendar.is_working(day)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (d(2024, 4, 26), 1, d(2024, 4, 27)),  # Friday + 1 → the working Saturday
        (d(2024, 4, 26), 2, d(2024, 5, 2)),  # skips Sunday, 29–30.04, 01.05
        (d(2024, 4, 27), 1, d(2024, 5, 2)),
        (d(2024, 5, 2), -1, d(2024, 4, 27)),
        (d(2024, 5, 2), -2, d(2024, 4, 26)),
        (d(2024, 4, 29), 0, d(2024, 5, 2)),  # zero on a day off → the next working day
        (d(2024, 4, 26), 0, d(2024, 4, 26)),  # zero on a working day → that day
        (d(2024, 4, 28), 0, d(2024, 4, 28) + dt.timedelta(days=4)),
        (d(2024, 5, 8), 1, d(2024, 5, 13)),  # Wednesday + 1 → Monday after 09–10.05
    ],
)
def test_add(start, days, expected):
    assert MAY_2024.add(start, days) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (d(2024, 4, 26), d(2024, 4, 26), 0),
        (d(2024, 4, 26), d(2024, 4, 25), 0),  # end before start
        (d(2024, 4, 26), d(2024, 4, 27), 1),  # the working Saturday counts
        (d(2024, 4, 26), d(2024, 5, 2), 2),  # 27.04 and 02.05
        (d(2024, 4, 27), d(2024, 5, 1), 0),  # only days off after the start
        (d(2024, 4, 28), d(2024, 5, 3), 2),  # start on a day off: 02.05 and 03.05
    ],
)
def test_between(start, end, expected):
    assert MAY_2024.between(start, end) == expected


def test_between_counts_after_start_up_to_end():
    # Monday → Wednesday of an ordinary week: 2 working days
    assert PLAIN.between(d(2024, 6, 3), d(2024, 6, 5)) == 2
    # Friday → Monday: 1
    assert PLAIN.between(d(2024, 6, 7), d(2024, 6, 10)) == 1
    # a full ordinary week
    assert PLAIN.between(d(2024, 6, 2), d(2024, 6, 9)) == 5


days = st.dates(min_value=d(2023, 1, 1), max_value=d(2026, 12, 31))


@settings(deadline=None)  # timings vary on a busy machine
@given(days, st.integers(min_value=1, max_value=400))
def test_between_undoes_add(start, count):
    for calendar in (PLAIN, MAY_2024):
        later = calendar.add(start, count)
        assert calendar.is_working(later)
        assert calendar.between(start, later) == count


@settings(deadline=None)  # timings vary on a busy machine
@given(days, st.integers(min_value=1, max_value=400))
def test_add_backwards_lands_on_working_days(start, count):
    earlier = MAY_2024.add(start, -count)
    assert earlier < start
    assert MAY_2024.is_working(earlier)
    if MAY_2024.is_working(start):
        assert MAY_2024.between(earlier, start) == count
