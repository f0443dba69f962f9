"""Fixtures of the reminder, feed, handover and absence tests (imported by those modules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from crm.activities.tests.factories import ActivityFactory, ReminderFactory
from crm.clients.tests.factories import ClientFactory
from crm.core import jobs

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # 13:00 in Moscow, a Thursday


@pytest.fixture(autouse=True)
def company_language_and_time_zone() -> Iterator[None]:
    """The middleware activates a user's time zone for the thread and leaves it; every test
    starts and ends with the company's."""
    timezone.deactivate()
    yield
    timezone.deactivate()
    translation.activate("ru")


@pytest.fixture
def only_reminder_job(monkeypatch) -> dict[str, int]:
    """The periodic registry holds only the reminder job (not core.cleanup_jobs)."""
    periodic = {"activities.send_reminders": 30}
    monkeypatch.setattr(jobs, "_periodic", periodic)
    return periodic


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return T0


def due_reminder(user, *, client=None, minutes_ago: int = 1, **activity_fields):
    """A reminder of `user` that fell due `minutes_ago` before now, of a planned call."""
    now = timezone.now()
    fields = {
        "responsible": user,
        "subject": "Обсудить поставку",
        "goal": "Согласовать объём на декабрь",
        "start_at": now + dt.timedelta(minutes=15 - minutes_ago),
        "client": client,
        **activity_fields,
    }
    activity = ActivityFactory(**fields)
    return ReminderFactory(
        activity=activity,
        user=user,
        remind_at=now - dt.timedelta(minutes=minutes_ago),
        offset_minutes=15,
    )


@pytest.fixture
def romashka(manager):
    return ClientFactory(name="ООО «Ромашка»", owner=manager)
