"""Delivery by real workers: two racing for the same due reminders, and a worker process killed
between creating the notification and marking the reminder sent."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from crm.activities.models import Reminder, ReminderStatus
from crm.activities.services import delivery
from crm.activities.services.delivery import deliver_due_reminders
from crm.activities.tests.reminder_fixtures import (  # noqa: F401  (fixtures)
    company_language_and_time_zone,
    due_reminder,
)
from crm.core.models import Job, Notification
from crm.core.tests.test_jobs import database_for_threads, in_threads

BASE_DIR = Path(settings.BASE_DIR)
MANAGE_PY = BASE_DIR / "manage.py"


@pytest.mark.django_db(transaction=True)
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

SEED = """
import datetime as dt
from django.contrib.auth.models import Group
from django.utils import timezone
from crm.accounts.models import User
from crm.activities.models import Activity, ActivityKind, Reminder

user = User.objects.create(username="ivanova", last_name="Иванова", first_name="Анна",
                           email="ivanova@svod.test")
user.groups.add(Group.objects.get(name="manager"))
now = timezone.now()
activity = Activity.objects.create(kind=ActivityKind.objects.get(code="call"),
    subject="Позвонить в ООО «Ромашка»", start_at=now + dt.timedelta(minutes=14),
    responsible=user)
Reminder.objects.create(activity=activity, user=user, remind_at=now - dt.timedelta(minutes=1),
                        offset_minutes=15)
"""

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


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _state(database: Path) -> tuple[list[tuple[str, str | None]], int, list[str]]:
    """(reminder status and sent_at, notifications, e-mail job statuses)."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        reminders = db.execute("SELECT status, sent_at FROM activities_reminder").fetchall()
        (notifications,) = db.execute("SELECT count(*) FROM core_notification").fetchone()
        emails = [
            row[0]
            for row in db.execute("SELECT status FROM core_job WHERE kind = 'core.send_email'")
        ]
    return reminders, notifications, emails


def test_a_worker_killed_between_claiming_and_sending_still_delivers_once(tmp_path):
    database = tmp_path / "worker.sqlite3"
    marker = tmp_path / "reached"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        "WORKER_IDLE_SECONDS": "1",
        "SVOD_TEST_MARKER": str(marker),
    }
    _run(env, str(MANAGE_PY), "migrate", "--verbosity", "0")
    _run(env, str(MANAGE_PY), "shell", "-c", textwrap.dedent(SEED))

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
        doomed.send_signal(signal.SIGKILL)  # dies with the notification created, not committed
        doomed.communicate(timeout=10)
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.communicate()
    assert doomed.returncode == -signal.SIGKILL

    reminders, notifications, emails = _state(database)
    assert [status for status, _sent_at in reminders] == ["pending"]
    assert (notifications, emails) == (0, [])

    # The next round of the worker (a restarted one) delivers it.
    _run(
        env,
        str(MANAGE_PY),
        "shell",
        "-c",
        "from crm.core.jobs import job_enqueue; job_enqueue(kind='activities.send_reminders')",
    )
    revived = _run(env, str(MANAGE_PY), "run_worker", "--once", "--worker-id", "revived")
    assert "activities.send_reminders #" in revived.stdout
    assert "core.send_email #" in revived.stdout

    reminders, notifications, emails = _state(database)
    assert [status for status, _sent_at in reminders] == ["sent"]
    assert reminders[0][1] is not None
    assert (notifications, emails) == (1, ["done"])

    # And a third round changes nothing: shown once.
    _run(
        env,
        str(MANAGE_PY),
        "shell",
        "-c",
        "from crm.core.jobs import job_enqueue; job_enqueue(kind='activities.send_reminders')",
    )
    _run(env, str(MANAGE_PY), "run_worker", "--once", "--worker-id", "again")
    reminders, notifications, emails = _state(database)
    assert ([status for status, _ in reminders], notifications, emails) == (["sent"], 1, ["done"])
