"""Snooze, mark seen, add and remove reminders; the missed reminders and the bell's reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from crm.accounts.models import Absence
from crm.activities.models import ActivityStatus, Reminder, ReminderStatus
from crm.activities.selectors.reminders import missed_reminders, reminders_for_notifications
from crm.activities.services.delivery import deliver_due_reminders, reminder_notification_key
from crm.activities.services.reminders import (
    ERROR_ACTIVITY_NOT_PLANNED,
    ERROR_REMINDER_CANCELLED,
    ERROR_REMINDER_NOT_PENDING,
    ERROR_REMINDER_OFFSET,
    ERROR_REMINDER_WHEN,
    ERROR_SNOOZE_DELTA,
    reminder_add,
    reminder_mark_seen,
    reminder_remove,
    reminder_snooze,
)
from crm.activities.tests.factories import ActivityFactory
from crm.activities.tests.reminder_fixtures import T0, due_reminder
from crm.core.models import AuditEntry, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone")]


@pytest.fixture
def sent(manager, at_t0):
    """A reminder the worker delivered a minute ago, its notification unread."""
    reminder = due_reminder(manager)
    deliver_due_reminders()
    reminder.refresh_from_db()
    return reminder


# --- snooze -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "later"),
    [
        ("5m", dt.timedelta(minutes=5)),
        ("15m", dt.timedelta(minutes=15)),
        ("1h", dt.timedelta(hours=1)),
        ("1d", dt.timedelta(days=1)),
        ("1w", dt.timedelta(days=7)),
    ],
)
def test_snooze_reminds_again_exactly_that_much_later(manager, sent, time_machine, delta, later):
    shown = Notification.objects.get()
    clicked = T0 + dt.timedelta(minutes=2, seconds=30)
    time_machine.move_to(clicked, tick=False)

    reminder = reminder_snooze(by=manager, reminder=sent, delta=delta)

    reminder.refresh_from_db()
    assert (
        reminder.remind_at,
        reminder.status,
        reminder.snooze_count,
        reminder.sent_at,
        reminder.seen_at,
        reminder.offset_minutes,
    ) == (clicked + later, ReminderStatus.PENDING, 1, None, clicked, 15)
    shown.refresh_from_db()
    assert shown.read_at == clicked


def test_a_snoozed_reminder_fires_again_as_a_new_notification(manager, sent, time_machine):
    reminder_snooze(by=manager, reminder=sent, delta="5m")
    reminder_snooze(by=manager, reminder=sent, delta="15m")  # snoozed again before it fired
    time_machine.move_to(T0 + dt.timedelta(minutes=15), tick=False)

    assert deliver_due_reminders()["sent"] == 1

    sent.refresh_from_db()
    assert (sent.status, sent.snooze_count, sent.seen_at) == (ReminderStatus.SENT, 2, None)
    assert list(Notification.objects.order_by("pk").values_list("key", "read_at")) == [
        (f"reminder:{sent.pk}:2026-11-26T09:59:00+00:00", T0),
        (f"reminder:{sent.pk}:2026-11-26T10:15:00+00:00", None),
    ]


def test_snooze_is_audited(manager, sent):
    reminder_snooze(by=manager, reminder=sent, delta="1h")
    entry = AuditEntry.objects.get(object_id=str(sent.pk), content_type__model="reminder")
    assert (entry.actor, entry.action, entry.comment) == (
        manager,
        "update",
        "Напоминание отложено на 1 час",
    )
    assert entry.changes == {
        "remind_at": ["2026-11-26T09:59:00+00:00", "2026-11-26T11:00:00+00:00"],
        "status": ["sent", "pending"],
    }


@pytest.mark.parametrize("delta", ["", "2m", "1y", None])
def test_snooze_by_an_unknown_delta_changes_nothing(manager, sent, delta):
    with pytest.raises(ValidationError) as error:
        reminder_snooze(by=manager, reminder=sent, delta=delta)
    assert error.value.message_dict == {"delta": [str(ERROR_SNOOZE_DELTA)]}
    reminder = Reminder.objects.get(pk=sent.pk)
    assert (reminder.status, reminder.snooze_count) == (ReminderStatus.SENT, 0)
    assert Notification.objects.get().read_at is None


def test_a_cancelled_reminder_cannot_be_snoozed(manager, sent):
    Reminder.objects.filter(pk=sent.pk).update(status=ReminderStatus.CANCELLED)
    with pytest.raises(ValidationError) as error:
        reminder_snooze(by=manager, reminder=sent, delta="5m")
    assert error.value.message_dict == {"reminder": [str(ERROR_REMINDER_CANCELLED)]}


def test_a_reminder_of_a_done_activity_cannot_be_snoozed(manager, sent):
    sent.activity.status = ActivityStatus.DONE
    sent.activity.done_at = T0
    sent.activity.save()
    with pytest.raises(ValidationError) as error:
        reminder_snooze(by=manager, reminder=sent, delta="5m")
    assert error.value.message_dict == {"reminder": [str(ERROR_ACTIVITY_NOT_PLANNED)]}


def test_someone_elses_reminder_cannot_be_snoozed(colleague, sent):
    with pytest.raises(ValidationError):
        reminder_snooze(by=colleague, reminder=sent, delta="5m")
    assert Reminder.objects.get(pk=sent.pk).snooze_count == 0


def test_the_substitute_may_snooze_the_absent_ones_reminder(manager, colleague, sent):
    Absence.objects.create(
        user=manager, substitute=colleague, date_from=T0.date(), date_to=T0.date()
    )
    reminder = reminder_snooze(by=colleague, reminder=sent, delta="15m")
    assert reminder.remind_at == T0 + dt.timedelta(minutes=15)


# --- seen, missed -----------------------------------------------------------------------------


def test_mark_seen_takes_the_reminder_off_the_missed_list_and_reads_its_notification(manager, sent):
    assert missed_reminders(manager) == [sent]

    assert reminder_mark_seen(by=manager, reminders=[sent]) == 1

    assert missed_reminders(manager) == []
    assert Reminder.objects.get(pk=sent.pk).seen_at == T0
    assert Notification.objects.get().read_at == T0
    assert reminder_mark_seen(by=manager, reminders=[sent]) == 0  # once


def test_mark_seen_of_someone_elses_reminder_changes_nothing(colleague, sent):
    assert reminder_mark_seen(by=colleague, reminders=[sent]) == 0
    assert Reminder.objects.get(pk=sent.pk).seen_at is None


def test_missed_are_the_users_sent_unseen_reminders_with_unread_notifications(
    manager, colleague, at_t0
):
    first = due_reminder(manager, minutes_ago=30)
    second = due_reminder(manager, minutes_ago=10)
    read = due_reminder(manager, minutes_ago=20)
    seen = due_reminder(manager, minutes_ago=25)
    due_reminder(colleague, minutes_ago=5)
    pending = due_reminder(manager, minutes_ago=-10)
    for minutes in (30, 25, 20, 10):
        at = T0 - dt.timedelta(minutes=minutes)
        deliver_due_reminders(now=at)
    Notification.objects.filter(key=reminder_notification_key(read)).update(read_at=T0)
    Reminder.objects.filter(pk=seen.pk).update(seen_at=T0)
    deliver_due_reminders()

    assert missed_reminders(manager) == [second, first]  # the newest first
    assert Reminder.objects.get(pk=pending.pk).status == ReminderStatus.PENDING


def test_missed_reminders_cost_two_queries(manager, at_t0, django_assert_num_queries):
    for minutes in range(1, 8):
        due_reminder(manager, minutes_ago=minutes)
    deliver_due_reminders()
    with django_assert_num_queries(2):
        missed = missed_reminders(manager)
        assert [r.activity.kind.name for r in missed] == ["Звонок"] * 7


def test_the_bell_offers_snooze_for_the_notification_of_the_current_firing_only(
    manager, colleague, sent, time_machine
):
    first = Notification.objects.get()
    other = Notification.objects.create(user=manager, title="Другое", key="client:1")
    plain = Notification.objects.create(user=manager, title="Без ключа")
    notifications = [first, other, plain]
    assert reminders_for_notifications(manager, notifications) == {first.pk: sent}
    assert reminders_for_notifications(colleague, notifications) == {}

    reminder_snooze(by=manager, reminder=sent, delta="5m")
    time_machine.move_to(T0 + dt.timedelta(minutes=5), tick=False)
    deliver_due_reminders()
    second = Notification.objects.exclude(pk__in=[first.pk, other.pk, plain.pk]).get()
    assert reminders_for_notifications(manager, [second, first]) == {second.pk: sent}


# --- add, remove ---------------------------------------------------------------------------------


def test_add_a_relative_reminder(manager, at_t0):
    activity = ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(hours=2))
    reminder = reminder_add(by=manager, activity=activity, offset_minutes=30)
    assert (reminder.user, reminder.remind_at, reminder.offset_minutes, reminder.status) == (
        manager,
        T0 + dt.timedelta(minutes=90),
        30,
        ReminderStatus.PENDING,
    )


def test_add_an_absolute_reminder(manager, at_t0):
    activity = ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(days=2))
    reminder = reminder_add(by=manager, activity=activity, remind_at=T0 + dt.timedelta(days=1))
    assert (reminder.remind_at, reminder.offset_minutes) == (T0 + dt.timedelta(days=1), None)


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({}, {"remind_at": [str(ERROR_REMINDER_WHEN)]}),
        ({"offset_minutes": 5, "remind_at": T0}, {"remind_at": [str(ERROR_REMINDER_WHEN)]}),
        ({"offset_minutes": -1}, {"offset_minutes": [str(ERROR_REMINDER_OFFSET)]}),
        ({"offset_minutes": 43_201}, {"offset_minutes": [str(ERROR_REMINDER_OFFSET)]}),
    ],
)
def test_add_with_bad_input_creates_nothing(manager, at_t0, kwargs, errors):
    activity = ActivityFactory(responsible=manager)
    with pytest.raises(ValidationError) as error:
        reminder_add(by=manager, activity=activity, **kwargs)
    assert error.value.message_dict == errors
    assert Reminder.objects.count() == 0


def test_remove_a_pending_reminder_but_not_a_sent_one(manager, sent, at_t0):
    pending = due_reminder(manager, minutes_ago=-30)
    reminder_remove(by=manager, reminder=pending)
    assert not Reminder.objects.filter(pk=pending.pk).exists()
    with pytest.raises(ValidationError) as error:
        reminder_remove(by=manager, reminder=sent)
    assert error.value.message_dict == {"reminder": [str(ERROR_REMINDER_NOT_PENDING)]}
