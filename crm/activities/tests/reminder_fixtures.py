"""Helpers of the reminder, feed, handover and absence tests (their fixtures are in
conftest.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.activities.tests.factories import ActivityFactory, ReminderFactory

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # 13:00 in Moscow, a Thursday


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
