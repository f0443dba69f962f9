"""Delivery of due reminders: text, recipient, at-least-once yet shown once, cancellation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from crm.accounts.models import Absence
from crm.accounts.tests.factories import UserFactory
from crm.activities.models import ActivityStatus, Reminder, ReminderStatus
from crm.activities.services import delivery
from crm.activities.services.delivery import (
    deliver_due_reminders,
    reminder_email_key,
    reminder_notification_key,
)
from crm.activities.tests.factories import ActivityFactory, ReminderFactory
from crm.activities.tests.reminder_fixtures import T0, due_reminder
from crm.core import jobs
from crm.core.jobs import run_pending, schedule_periodic
from crm.core.models import Job, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone")]


class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, nothing catches it on the way."""


def email_jobs() -> list[Job]:
    return list(Job.objects.filter(kind="core.send_email").order_by("pk"))


# --- the message -------------------------------------------------------------------------------


def test_a_due_reminder_is_delivered_to_the_bell_and_queued_by_email(manager, romashka, at_t0):
    reminder = due_reminder(manager, client=romashka)

    assert deliver_due_reminders() == {"sent": 1, "skipped": 0, "failed": 0, "cancelled": 0}

    notification = Notification.objects.get()
    assert (notification.user, notification.title, notification.url, notification.key) == (
        manager,
        "Звонок: Обсудить поставку",
        reverse("activities:reminder_open", args=[reminder.pk]),
        f"reminder:{reminder.pk}:2026-11-26T09:59:00+00:00",
    )
    assert notification.body == (
        "Когда: 26.11.2026 13:14\nКлиент: ООО «Ромашка»\nЦель: Согласовать объём на декабрь"
    )
    (job,) = email_jobs()
    assert (job.key, job.payload) == (
        f"reminder-email:{reminder.pk}:2026-11-26T09:59:00+00:00",
        {
            "subject": "Звонок: Обсудить поставку",
            "body": notification.body,
            "to": ["manager@svod.test"],
        },
    )
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at, reminder.seen_at) == (ReminderStatus.SENT, T0, None)


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Звонок: ООО «Ромашка»", "Звонок: ООО «Ромашка»"),
        ("звонок по договору", "звонок по договору"),
        ("Перезвонить: ООО «Ромашка»", "Звонок: Перезвонить: ООО «Ромашка»"),
    ],
)
def test_the_kind_is_not_repeated_when_the_subject_starts_with_it(at_t0, manager, subject, title):
    due_reminder(manager, subject=subject)

    deliver_due_reminders()

    assert Notification.objects.get().title == title


def test_the_time_is_shown_in_the_recipients_time_zone(at_t0):
    user = UserFactory(time_zone="Asia/Yekaterinburg")
    due_reminder(user, start_at=T0)  # 10:00 UTC is 15:00 in Yekaterinburg, 13:00 in Moscow

    deliver_due_reminders()

    assert Notification.objects.get().body.splitlines()[0] == "Когда: 26.11.2026 15:00"


def test_an_all_day_activity_is_shown_by_its_date(manager, at_t0):
    due_reminder(manager, start_at=dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC), all_day=True)
    deliver_due_reminders()
    # 21:00 UTC on the 26th is already the 27th in Moscow, the company's day.
    assert Notification.objects.get().body == (
        "Когда: 27.11.2026, весь день\nЦель: Согласовать объём на декабрь"
    )


def test_a_user_without_email_gets_the_bell_only(at_t0):
    user = UserFactory(email="")
    due_reminder(user)
    deliver_due_reminders()
    assert Notification.objects.filter(user=user).count() == 1
    assert email_jobs() == []


def test_a_user_who_left_gets_no_email(at_t0):
    user = UserFactory(is_active=False)
    due_reminder(user)
    deliver_due_reminders()
    assert Notification.objects.filter(user=user).count() == 1
    assert email_jobs() == []


def test_a_reminder_not_yet_due_waits(manager, at_t0):
    reminder = due_reminder(manager, minutes_ago=-1)  # in a minute
    assert deliver_due_reminders()["sent"] == 0
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("status", [ActivityStatus.DONE, ActivityStatus.CANCELLED])
def test_reminders_of_finished_activities_are_cancelled_not_sent(manager, at_t0, status):
    reminder = due_reminder(manager, status=status)
    later = due_reminder(manager, minutes_ago=-60, status=status)  # not due: left alone

    assert deliver_due_reminders() == {"sent": 0, "skipped": 0, "failed": 0, "cancelled": 1}

    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED
    assert Reminder.objects.get(pk=later.pk).status == ReminderStatus.PENDING
    assert Notification.objects.count() == 0
    assert email_jobs() == []


def test_sent_and_cancelled_reminders_are_not_sent_again(manager, at_t0):
    sent = due_reminder(manager)
    Reminder.objects.filter(pk=sent.pk).update(status=ReminderStatus.SENT, sent_at=T0)
    cancelled = due_reminder(manager)
    Reminder.objects.filter(pk=cancelled.pk).update(status=ReminderStatus.CANCELLED)
    assert deliver_due_reminders()["sent"] == 0
    assert Notification.objects.count() == 0


def test_due_reminders_are_delivered_in_batches_in_the_order_they_fell_due(
    manager, at_t0, monkeypatch
):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 2)
    reminders = [due_reminder(manager, minutes_ago=minutes) for minutes in (5, 1, 3, 4, 2)]

    assert deliver_due_reminders()["sent"] == 5

    by_time = sorted(reminders, key=lambda r: r.remind_at)
    assert list(Notification.objects.order_by("pk").values_list("key", flat=True)) == [
        reminder_notification_key(r) for r in by_time
    ]


def test_one_broken_reminder_does_not_hold_back_the_others(manager, at_t0, monkeypatch):
    broken, fine = due_reminder(manager, minutes_ago=2), due_reminder(manager, minutes_ago=1)
    real_text = delivery.reminder_text

    def text(reminder, **kwargs):
        if reminder.pk == broken.pk:
            raise RuntimeError("шаблон сломан")
        return real_text(reminder, **kwargs)

    monkeypatch.setattr(delivery, "reminder_text", text)

    assert deliver_due_reminders() == {"sent": 1, "skipped": 0, "failed": 1, "cancelled": 0}
    assert Reminder.objects.get(pk=broken.pk).status == ReminderStatus.PENDING
    assert Reminder.objects.get(pk=fine.pk).status == ReminderStatus.SENT

    monkeypatch.setattr(delivery, "reminder_text", real_text)
    assert deliver_due_reminders()["sent"] == 1  # the next run delivers it
    assert Notification.objects.count() == 2


# --- at least once, shown once ----------------------------------------------------------------


def test_a_worker_dying_after_the_notification_before_marking_sent_delivers_once(
    manager, at_t0, monkeypatch
):
    reminder = due_reminder(manager)
    real_mark_sent = delivery._mark_sent
    reached: list[int] = []

    def die(reminder, **kwargs):
        reached.append(Notification.objects.filter(key=reminder_notification_key(reminder)).count())
        raise WorkerKilled

    monkeypatch.setattr(delivery, "_mark_sent", die)
    with pytest.raises(WorkerKilled):
        deliver_due_reminders()

    assert reached == [1]  # it died with the notification created, not yet marked sent
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == (ReminderStatus.PENDING, None)
    assert Notification.objects.count() == 0  # nothing of the attempt was committed
    assert email_jobs() == []

    monkeypatch.setattr(delivery, "_mark_sent", real_mark_sent)
    assert deliver_due_reminders()["sent"] == 1
    assert deliver_due_reminders()["sent"] == 0  # and never again

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert Notification.objects.filter(user=manager).count() == 1
    assert [job.key for job in email_jobs()] == [reminder_email_key(reminder)]


def test_a_notification_and_email_left_by_an_earlier_attempt_are_not_repeated(manager, at_t0):
    """Should an earlier attempt ever have committed its notification and e-mail without
    marking the reminder sent, the keys make the next attempt find them."""
    reminder = due_reminder(manager)
    Notification.objects.create(
        user=manager, title="Звонок: Обсудить поставку", key=reminder_notification_key(reminder)
    )
    Job.objects.create(kind="core.send_email", key=reminder_email_key(reminder))

    assert deliver_due_reminders()["sent"] == 1

    assert Notification.objects.count() == 1
    assert len(email_jobs()) == 1
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


def test_a_reminder_taken_meanwhile_leaves_nothing_of_the_attempt(manager, at_t0, monkeypatch):
    """The conditional UPDATE finds nothing — another worker marked it sent, or the user
    snoozed it, since it was read: the notification and e-mail of this attempt roll back."""
    reminder = due_reminder(manager)
    monkeypatch.setattr(delivery, "_mark_sent", lambda reminder, **kwargs: False)

    assert deliver_due_reminders() == {"sent": 0, "skipped": 1, "failed": 0, "cancelled": 0}

    assert Notification.objects.count() == 0
    assert email_jobs() == []
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.PENDING


def test_marking_sent_is_conditional_on_the_status_and_the_time(manager, at_t0):
    reminder = due_reminder(manager)
    stale = Reminder.objects.get(pk=reminder.pk)
    Reminder.objects.filter(pk=reminder.pk).update(remind_at=T0 + dt.timedelta(hours=1))
    assert delivery._mark_sent(stale, now=T0) is False  # snoozed since it was read
    Reminder.objects.filter(pk=reminder.pk).update(remind_at=stale.remind_at)
    assert delivery._mark_sent(stale, now=T0) is True
    assert delivery._mark_sent(stale, now=T0) is False  # already sent


def test_the_worker_runs_delivery_and_sends_the_email(manager, at_t0, only_reminder_job):
    reminder = due_reminder(manager)

    assert schedule_periodic() == 1
    assert run_pending(worker_id="w") == 2  # the reminder job, then the e-mail it queued

    job = Job.objects.get(kind="activities.send_reminders")
    assert (job.status, job.result) == (
        "done",
        {"sent": 1, "skipped": 0, "failed": 0, "cancelled": 0},
    )
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Звонок: Обсудить поставку", ["manager@svod.test"])
    ]
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


def test_the_job_is_periodic_every_30_seconds():
    assert jobs._periodic["activities.send_reminders"] == 30
    assert jobs._handlers["activities.send_reminders"] is delivery.send_reminders_job


# --- absences ------------------------------------------------------------------------------------


@pytest.fixture
def away(manager, colleague):
    """The manager is away 26–28 November; the colleague stands in."""
    return Absence.objects.create(
        user=manager,
        substitute=colleague,
        date_from=dt.date(2026, 11, 26),
        date_to=dt.date(2026, 11, 28),
        created_by=manager,
    )


def test_while_the_user_is_away_the_substitute_gets_the_reminder_and_whose_it_is(
    manager, colleague, romashka, away, at_t0
):
    reminder = due_reminder(manager, client=romashka)

    deliver_due_reminders()

    notification = Notification.objects.get()
    assert notification.user == colleague
    assert notification.title == f"Звонок: Обсудить поставку (за {manager.short_name})"
    assert notification.body.splitlines()[-1] == (
        f"Вы получили это напоминание как замещающий: событие сотрудника {manager.full_name}."
    )
    assert email_jobs()[0].payload["to"] == ["colleague@svod.test"]
    reminder.refresh_from_db()
    assert (reminder.status, reminder.user) == (ReminderStatus.SENT, manager)


def test_the_day_after_the_absence_the_reminder_goes_to_the_user_again(
    manager, colleague, away, time_machine
):
    midnight = dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC)  # the 29th begins in Moscow
    time_machine.move_to(midnight, tick=False)
    due_reminder(manager)

    deliver_due_reminders()

    assert Notification.objects.get().user == manager


def test_on_the_last_day_of_the_absence_the_substitute_still_gets_it(
    manager, colleague, away, time_machine
):
    time_machine.move_to(dt.datetime(2026, 11, 28, 20, 59, tzinfo=dt.UTC), tick=False)  # 23:59
    due_reminder(manager)
    deliver_due_reminders()
    assert Notification.objects.get().user == colleague


def test_a_substitute_who_left_does_not_get_it(manager, colleague, away, at_t0):
    colleague.is_active = False
    colleague.save()
    due_reminder(manager)
    deliver_due_reminders()
    assert Notification.objects.get().user == manager


def test_reminders_of_others_are_not_affected_by_an_absence(
    manager, colleague, other_manager, away, at_t0
):
    due_reminder(other_manager)
    deliver_due_reminders()
    assert Notification.objects.get().user == other_manager


def test_a_reminder_of_an_activity_is_delivered_to_its_own_user(manager, colleague, at_t0):
    """A co-executor's own reminder of the same activity goes to the co-executor."""
    activity = ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(minutes=10))
    ReminderFactory(activity=activity, user=manager, remind_at=T0)
    ReminderFactory(activity=activity, user=colleague, remind_at=T0)
    deliver_due_reminders()
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "colleague",
        "manager",
    ]
