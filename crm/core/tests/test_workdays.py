"""The company's production calendar: the `holidays` library's Russian calendar with the
administrator's corrections from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from crm.core import workdays
from crm.core.models import WorkdayCorrection, WorkdayKind

d = dt.date


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    workdays.clear_cache()
    yield
    workdays.clear_cache()


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (d(2024, 4, 26), True),
        (d(2024, 4, 27), True),  # Saturday, moved working day
        (d(2024, 4, 28), False),
        (d(2024, 4, 29), False),  # moved day off
        (d(2024, 4, 30), False),  # moved day off
        (d(2024, 5, 1), False),
        (d(2024, 5, 2), True),
        (d(2024, 11, 2), True),  # Saturday, moved working day
        (d(2024, 12, 28), True),  # Saturday, moved working day
        (d(2024, 12, 30), False),
        (d(2024, 12, 31), False),
        (d(2025, 11, 1), True),  # Saturday, moved working day
        (d(2025, 12, 30), True),  # the last working day of 2025
        (d(2025, 12, 31), False),  # Wednesday, moved from Saturday 04.01.2025
        (d(2026, 1, 1), False),
        (d(2026, 1, 2), False),
        (d(2026, 1, 5), False),
        (d(2026, 1, 8), False),
        (d(2026, 1, 9), False),  # Friday, moved from Saturday 03.01
        (d(2026, 1, 10), False),  # Saturday
        (d(2026, 1, 12), True),  # the first working day of 2026
        (d(2026, 2, 23), False),
        (d(2026, 3, 9), False),  # observed for Sunday 08.03
        (d(2026, 12, 31), False),  # moved from Sunday 04.01
    ],
)
def test_russian_calendar(day, working):
    assert workdays.is_working_day(day) is working


def test_new_year_2026():
    assert workdays.add_working_days(d(2025, 12, 30), 1) == d(2026, 1, 12)
    assert workdays.add_working_days(d(2026, 1, 12), -1) == d(2025, 12, 30)
    assert workdays.working_days_between(d(2025, 12, 30), d(2026, 1, 12)) == 1
    assert workdays.working_days_between(d(2025, 12, 26), d(2026, 1, 16)) == 7  # 29–30.12, 12–16.01
    assert workdays.add_working_days(d(2026, 1, 1), 0) == d(2026, 1, 12)


def test_may_2024():
    assert workdays.add_working_days(d(2024, 4, 26), 1) == d(2024, 4, 27)
    assert workdays.add_working_days(d(2024, 4, 26), 2) == d(2024, 5, 2)
    assert workdays.working_days_between(d(2024, 4, 26), d(2024, 5, 3)) == 3


def test_corrections_override_the_library_after_clearing_the_cache():
    assert workdays.is_working_day(d(2026, 6, 11)) is True
    WorkdayCorrection.objects.create(date=d(2026, 6, 11), kind=WorkdayKind.DAY_OFF)
    WorkdayCorrection.objects.create(date=d(2026, 1, 9), kind=WorkdayKind.WORKING)
    WorkdayCorrection.objects.create(date=d(2026, 6, 13), kind=WorkdayKind.WORKING)  # Saturday
    WorkdayCorrection.objects.create(date=d(2024, 4, 27), kind=WorkdayKind.DAY_OFF)
    assert workdays.is_working_day(d(2026, 6, 11)) is True  # cached until cleared
    workdays.clear_cache()
    assert workdays.is_working_day(d(2026, 6, 11)) is False
    assert workdays.is_working_day(d(2026, 1, 9)) is True
    assert workdays.is_working_day(d(2026, 6, 13)) is True
    assert workdays.is_working_day(d(2024, 4, 27)) is False
    assert workdays.add_working_days(d(2026, 6, 10), 1) == d(2026, 6, 13)
    assert workdays.working_days_between(d(2026, 6, 10), d(2026, 6, 15)) == 2  # 13 and 15
