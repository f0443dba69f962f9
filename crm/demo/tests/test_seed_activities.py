"""Demo activities: a year of work for every manager, some overdue, planned ones with reminders,
inserted in bulk (the number of queries does not grow with the number of clients)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.activities.models import Activity, ActivityStatus, Reminder, ReminderStatus
from crm.clients.models import Client
from crm.clients.tests.factories import ClientFactory
from crm.demo.activities import seed_activities
from crm.demo.seed import seed

pytestmark = pytest.mark.django_db


def test_a_year_of_activities_for_every_manager():
    counts = seed("small")
    now = timezone.now()
    clients = Client.objects.count()
    assert 7 * clients <= counts["activities"] <= 13 * clients + 30
    assert counts["activities"] == Activity.objects.count()
    assert counts["reminders"] == Reminder.objects.count()
    managers = [user for user in User.objects.all() if user.role == Role.MANAGER]
    assert len(managers) == 4
    spans = {
        row["responsible"]: row
        for row in Activity.objects.values("responsible").annotate(
            first=Min("start_at"), last=Max("start_at"), total=Count("id")
        )
    }
    for manager in managers:
        span = spans[manager.pk]
        assert span["first"] < now - dt.timedelta(days=330), manager.username
        assert span["last"] > now + dt.timedelta(days=7), manager.username
        assert span["total"] >= 100
        overdue = Activity.objects.filter(
            responsible=manager, status=ActivityStatus.PLANNED, start_at__lt=now
        )
        assert overdue.count() >= 3, manager.username
    for activity in Activity.objects.select_related("responsible", "client", "outcome"):
        assert activity.department_id == activity.responsible.department_id
        assert activity.client.owner_id == activity.responsible_id
        if activity.status == ActivityStatus.DONE:
            assert activity.result
            assert activity.done_at is not None
            assert activity.outcome is None or activity.outcome.kind_id == activity.kind_id
        if activity.end_at:
            assert activity.end_at >= activity.start_at


def test_planned_activities_carry_reminders():
    seed("small")
    now = timezone.now()
    planned = Activity.objects.filter(status=ActivityStatus.PLANNED, start_at__gt=now)
    calls = planned.filter(kind__code="call")
    assert calls.exists()
    assert not calls.filter(reminders__isnull=True).exists()  # every planned call has one
    for reminder in Reminder.objects.filter(activity__in=planned).select_related("activity"):
        assert reminder.user_id == reminder.activity.responsible_id
        assert reminder.remind_at == reminder.activity.start_at - dt.timedelta(
            minutes=reminder.offset_minutes
        )
        expected = ReminderStatus.SENT if reminder.remind_at <= now else ReminderStatus.PENDING
        assert reminder.status == expected
    assert not Reminder.objects.filter(activity__status=ActivityStatus.DONE).exists()


def test_inserts_are_bulk(manager, colleague):
    """Rows go in batches (SQLite caps the parameters of one INSERT at 999, so a batch is about
    40 activities there): far fewer queries than rows, never one per row."""
    for n in range(60):
        ClientFactory(owner=manager if n % 2 else colleague)
    with CaptureQueriesContext(connection) as captured:
        made = seed_activities(managers=[manager, colleague], now=timezone.now())
    assert made["activities"] >= 7 * 60
    assert len(captured) * 20 < made["activities"] + made["reminders"]
