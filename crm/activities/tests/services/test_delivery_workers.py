"""Delivery by real workers: two racing for the same due reminders, and a worker process killed
between creating the notification and marking the reminder sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from crm.activities.models import Reminder, ReminderStatus
from crm.activities.services import delivery
from crm.activities.services.delivery import deliver_due_reminders
from crm.activities.tests.reminder_fixtures import due_reminder
from crm.core.models import Job, Notification
from crm.core.tests.test_jobs import database_for_threads, in_threads

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.usefixtures("company_time_zone")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_deliver_each_reminder_exactly_once(manager, tmp_path, monkeypatch):
    now = timezone.now()
    ids = [due_reminder(manager, minutes_ago=1).pk for _ in range(20)]
    real_mark_sent = delivery._mark_sent

    def slow_mark_sent(reminder, **kwargs):
        time.sleep(0.003)  # let the other worker reach the same reminder
        return real_mark_sent(reminder, **kwargs)

    monkeypatch.setattr(delivery, "_mark_sent", slow_mark_sent)

    with database_for_threads(tmp_path):
        results = in_threads(
            lambda: deliver_due_reminders(now=now), lambda: deliver_due_reminders(now=now)
        )
        ((notifications, emails, reminders),) = in_threads(
            lambda: (
                list(Notification.objects.values_list("user_id", "key")),
                list(Job.objects.filter(kind="core.send_email").values_list("key", flat=True)),
                list(Reminder.objects.values_list("pk", "status")),
            )
        )

    assert sum(result["sent"] for result in results) == 20
    assert sum(result["failed"] for result in results) == 0
    per_reminder = Counter(key.split(":")[1] for _user, key in notifications)
    assert sorted(int(pk) for pk in per_reminder) == sorted(ids)
    assert set(per_reminder.values()) == {1}
    assert {user for user, _key in notifications} == {manager.pk}
    assert len(emails) == len(set(emails)) == 20
    assert sorted(reminders) == [(pk, ReminderStatus.SENT) for pk in sorted(ids)]


# --- a real worker process, killed --------------------------------------------------------------

# The worker of the project, except that it stops dead after creating the notification and
# queuing the e-mail, before marking the reminder sent — and says so in a file.
DOOMED_WORKER = """
import os, time, pathlib
import django
django.setup()
from crm.activities.services import delivery

def stall(reminder, **kwargs):
    pathlib.Path(os.environ["SVOD_TEST_MARKER"]).write_text(str(reminder.pk))
    time.sleep(600)

delivery._mark_sent = stall
from django.core.management import call_command
call_command("run_worker", "--worker-id", "doomed")
"""

# The next round of a (restarted) worker: the period's job is queued, the worker runs what is due.
NEXT_ROUND = """
import django
django.setup()
from django.core.management import call_command
from crm.core.jobs import job_enqueue
job_enqueue(kind="activities.send_reminders")
call_command("run_worker", "--once", "--worker-id", "revived")
"""


def _database_url() -> str:
    """The test database as the worker processes reach it (a file copy on SQLite)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return (
        f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )


def _python(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _state() -> tuple[list[tuple[str, bool]], int, list[str]]:
    """(each reminder's status and whether it has sent_at, notifications, e-mail job
    statuses), read over a fresh connection."""
    ((reminders, notifications, emails),) = in_threads(
        lambda: (
            [
                (status, sent_at is not None)
                for status, sent_at in Reminder.objects.values_list("status", "sent_at")
            ],
            Notification.objects.count(),
            list(Job.objects.filter(kind="core.send_email").values_list("status", flat=True)),
        )
    )
    return reminders, notifications, emails


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_between_claiming_and_sending_still_delivers_once(manager, tmp_path):
    due_reminder(manager)
    marker = tmp_path / "reached"
    with database_for_threads(tmp_path):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PYTHONUNBUFFERED": "1",
            "WORKER_IDLE_SECONDS": "1",
            "SVOD_TEST_MARKER": str(marker),
        }
        doomed = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(DOOMED_WORKER)],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not marker.exists() and time.monotonic() < deadline and doomed.poll() is None:
                time.sleep(0.05)
            assert marker.exists(), doomed.communicate(timeout=5)
            doomed.send_signal(signal.SIGKILL)  # the notification is created, not committed
            doomed.communicate(timeout=10)
        finally:
            if doomed.poll() is None:
                doomed.kill()
                doomed.communicate()
        assert doomed.returncode == -signal.SIGKILL

        assert _state() == ([(ReminderStatus.PENDING, False)], 0, [])

        revived = _python(env, NEXT_ROUND)
        assert "activities.send_reminders #" in revived.stdout
        assert "core.send_email #" in revived.stdout
        assert _state() == ([(ReminderStatus.SENT, True)], 1, ["done"])

        _python(env, NEXT_ROUND)  # another round changes nothing: shown once
        assert _state() == ([(ReminderStatus.SENT, True)], 1, ["done"])
