"""Factories of activities for tests (extend, don't overwrite: several helpers use them)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from crm.accounts.tests.factories import UserFactory
from crm.activities.models import Activity, ActivityKind, ActivityStatus, Reminder


def kind(code: str = "call") -> ActivityKind:
    """A built-in kind (from migration 0002)."""
    return ActivityKind.objects.get(code=code)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = factory.LazyFunction(lambda: ActivityKind.objects.get(code="call"))
    subject = factory.Sequence(lambda n: f"Звонок {n}")
    start_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    status = ActivityStatus.PLANNED
    responsible = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda activity: activity.responsible.department)
    created_by = factory.LazyAttribute(lambda activity: activity.responsible)
    done_at = factory.LazyAttribute(
        lambda activity: activity.start_at if activity.status == ActivityStatus.DONE else None
    )

    @factory.post_generation
    def co_executors(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.co_executors.set(extracted)


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    activity = factory.SubFactory(ActivityFactory)
    user = factory.LazyAttribute(lambda reminder: reminder.activity.responsible)
    remind_at = factory.LazyAttribute(
        lambda reminder: reminder.activity.start_at - dt.timedelta(minutes=15)
    )
    offset_minutes = 15
