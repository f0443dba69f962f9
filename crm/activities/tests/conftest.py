"""Fixtures shared by the tests of activities."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from crm.activities.tests.reminder_fixtures import T0
from crm.clients.tests.factories import ClientFactory
from crm.core import jobs


@pytest.fixture
def company_time_zone() -> Iterator[None]:
    """The middleware activates a user's time zone for the thread and leaves it; start and end
    with the company's."""
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
    """Thursday 26 November 2026, 10:00 UTC (13:00 in Moscow), the clock stopped."""
    time_machine.move_to(T0, tick=False)
    return T0


@pytest.fixture
def romashka(manager):
    return ClientFactory(name="ООО «Ромашка»", owner=manager)
