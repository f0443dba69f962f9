"""Notifications (the bell) and their e-mail copies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from crm.accounts.tests.factories import UserFactory
from crm.core.jobs import run_pending
from crm.core.models import Job, JobStatus, Notification
from crm.core.services import notification_create, notification_mark_read

pytestmark = pytest.mark.django_db


def test_create_shows_the_message_and_queues_an_email_only_after_commit(
    manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notification_create(
            user=manager, title="Новый клиент", body="Вам передан ООО «Ромашка»", url="/clients/1/"
        )
        assert Job.objects.count() == 0  # not before commit

    assert Notification.objects.get() == notification
    assert (notification.title, notification.body, notification.url, notification.read_at) == (
        "Новый клиент",
        "Вам передан ООО «Ромашка»",
        "/clients/1/",
        None,
    )
    assert len(callbacks) == 1
    assert Job.objects.count() == 0

    callbacks[0]()

    job = Job.objects.get()
    assert (job.kind, job.status, job.key) == (
        "core.send_email",
        JobStatus.QUEUED,
        f"notification-email:{notification.pk}",
    )
    assert job.payload == {
        "subject": "Новый клиент",
        "body": "Вам передан ООО «Ромашка»",
        "to": ["manager@svod.test"],
    }


@pytest.mark.usefixtures("no_periodic_jobs")
def test_the_queued_email_is_sent_by_the_worker(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user=manager, title="Напоминание", body="Позвонить клиенту")
    assert mail.outbox == []

    assert run_pending(worker_id="w") == 1

    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        ("Напоминание", "Позвонить клиенту", ["manager@svod.test"])
    ]


def test_a_rolled_back_change_sends_no_mail(manager, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notification_create(user=manager, title="Не будет")
        raise RuntimeError
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Job.objects.count() == 0


def test_a_user_without_email_gets_the_bell_but_no_mail(django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_create(user=user, title="Без почты")
    assert callbacks == []
    assert Notification.objects.filter(user=user).count() == 1
    assert Job.objects.count() == 0


def test_email_false_sends_no_mail(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_create(user=manager, title="Только колокольчик", email=False)
    assert callbacks == []
    assert Job.objects.count() == 0


@pytest.fixture
def inbox(manager, colleague, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC), tick=False)
    mine = [Notification.objects.create(user=manager, title=f"Моё {n}") for n in range(3)]
    theirs = Notification.objects.create(user=colleague, title="Чужое")
    already = Notification.objects.create(
        user=manager, title="Прочитано", read_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC), tick=False)
    return mine, theirs, already


def test_mark_one_read(manager, inbox):
    mine, _theirs, _already = inbox
    assert notification_mark_read(user=manager, notification_id=mine[1].pk) == 1
    read = dict(Notification.objects.values_list("title", "read_at"))
    noon = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    assert read == {
        "Моё 0": None,
        "Моё 1": noon,
        "Моё 2": None,
        "Чужое": None,
        "Прочитано": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }


def test_mark_another_users_notification_changes_nothing(manager, inbox):
    _mine, theirs, _already = inbox
    assert notification_mark_read(user=manager, notification_id=theirs.pk) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_touches_only_the_users_unread_rows(manager, inbox):
    assert notification_mark_read(user=manager) == 3
    noon = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    assert dict(Notification.objects.values_list("title", "read_at")) == {
        "Моё 0": noon,
        "Моё 1": noon,
        "Моё 2": noon,
        "Чужое": None,
        "Прочитано": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }
