"""`manage.py run_worker`: the loop, `--once`, and a clean stop on SIGTERM."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from crm.core.jobs import job_enqueue
from crm.core.models import Job, JobStatus

MANAGE_PY = Path(settings.BASE_DIR) / "manage.py"


@pytest.fixture
def ran(register_job_kind):
    seen: list[int] = []

    def record(job: Job) -> dict:
        seen.append(job.id)
        return {}

    register_job_kind("test.record", record)
    return seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers", "no_periodic_jobs")
def test_once_runs_the_due_jobs_and_exits(ran):
    first = job_enqueue(kind="test.record")
    second = job_enqueue(kind="test.record")
    later = job_enqueue(kind="test.record", run_at=first.run_at.replace(year=2999))
    out = io.StringIO()

    call_command("run_worker", "--once", "--worker-id", "test-worker", stdout=out)

    assert out.getvalue().splitlines() == [
        "Обработчик задач test-worker запущен",
        f"test.record #{first.id}: done",
        f"test.record #{second.id}: done",
        "Обработчик задач test-worker остановлен, выполнено задач: 2",
    ]
    assert ran == [first.id, second.id]
    assert Job.objects.get(pk=later.pk).status == JobStatus.QUEUED
    assert set(Job.objects.filter(status=JobStatus.DONE).values_list("locked_by", flat=True)) == {
        "test-worker"
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers", "no_periodic_jobs")
def test_once_on_an_empty_queue_exits_at_once():
    out = io.StringIO()
    call_command("run_worker", "--once", "--worker-id", "w", stdout=out)
    assert out.getvalue().splitlines() == [
        "Обработчик задач w запущен",
        "Обработчик задач w остановлен, выполнено задач: 0",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers", "no_periodic_jobs")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_lets_the_current_job_finish_and_stops_the_loop(register_job_kind, signum):
    def stop_me(job: Job) -> dict:
        os.kill(os.getpid(), signum)
        return {"finished": True}

    register_job_kind("test.stop_me", stop_me)
    first = job_enqueue(kind="test.stop_me")
    rest = [job_enqueue(kind="test.stop_me") for _ in range(2)]
    out = io.StringIO()

    call_command("run_worker", "--worker-id", "w", stdout=out)  # no --once: only the signal ends it

    assert out.getvalue().splitlines() == [
        "Обработчик задач w запущен",
        f"test.stop_me #{first.id}: done",
        "Обработчик задач w остановлен, выполнено задач: 1",
    ]
    assert Job.objects.get(pk=first.pk).result == {"finished": True}
    assert [Job.objects.get(pk=job.pk).status for job in rest] == [JobStatus.QUEUED] * 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers")
def test_the_running_worker_queues_the_periodic_jobs(no_periodic_jobs, register_job_kind):
    def tick(job: Job) -> dict:
        os.kill(os.getpid(), signal.SIGTERM)  # one round is enough for the test
        return {"ticked": True}

    register_job_kind("test.tick", tick)
    no_periodic_jobs["test.tick"] = 60
    out = io.StringIO()

    call_command("run_worker", "--worker-id", "w", stdout=out)

    job = Job.objects.get()
    assert (job.kind, job.status, job.result, job.key.startswith("periodic:test.tick:")) == (
        "test.tick",
        JobStatus.DONE,
        {"ticked": True},
        True,
    )
    assert out.getvalue().splitlines() == [
        "Обработчик задач w запущен",
        f"test.tick #{job.id}: done",
        "Обработчик задач w остановлен, выполнено задач: 1",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers")
def test_once_runs_only_what_is_queued_without_periodic_jobs(no_periodic_jobs, register_job_kind):
    register_job_kind("test.tick", lambda job: {})
    no_periodic_jobs["test.tick"] = 60
    out = io.StringIO()
    call_command("run_worker", "--once", "--worker-id", "w", stdout=out)
    assert Job.objects.count() == 0
    assert out.getvalue().splitlines()[-1] == "Обработчик задач w остановлен, выполнено задач: 0"


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def _queue_state(database: Path) -> tuple[str | None, int]:
    """The e-mail job's status and how many jobs are still waiting or running."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        email = db.execute("SELECT status FROM core_job WHERE kind = 'core.send_email'").fetchone()
        (pending,) = db.execute(
            "SELECT count(*) FROM core_job WHERE status IN ('queued', 'running')"
        ).fetchone()
    return (email[0] if email else None), pending


def test_sigterm_stops_a_real_worker_process_cleanly(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
        "WORKER_IDLE_SECONDS": "1",
    }
    _manage(env, "migrate", "core", "--verbosity", "0")
    enqueue = (
        "from crm.core.jobs import job_enqueue; job_enqueue(kind='core.send_email', "
        "payload={'subject': 'Тест', 'body': 'Текст', 'to': ['a@b.ru']})"
    )
    _manage(env, "shell", "-c", enqueue)
    worker = subprocess.Popen(
        [sys.executable, str(MANAGE_PY), "run_worker", "--worker-id", "proc"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        state: tuple[str | None, int] = (None, -1)
        while time.monotonic() < deadline and worker.poll() is None:
            state = _queue_state(database)
            if state == ("done", 0):
                break
            time.sleep(0.1)
        assert state == ("done", 0)
        assert worker.poll() is None  # idle, waiting for more work

        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=10)
        assert time.monotonic() - started < 10
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    assert worker.returncode == 0, err
    lines = out.splitlines()
    ran = lines[1:-1]
    assert lines[0] == "Обработчик задач proc запущен"
    assert "core.send_email #1: done" in ran
    assert all(re.fullmatch(r"[a-z_.]+ #\d+: (done|failed|queued)", line) for line in ran)
    assert lines[-1] == f"Обработчик задач proc остановлен, выполнено задач: {len(ran)}"
