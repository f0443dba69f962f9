"""`manage.py run_worker`: the loop, `--once`, and a clean stop on SIGTERM."""

from __future__ import annotations

import io
import os
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
@pytest.mark.usefixtures("keep_signal_handlers")
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
@pytest.mark.usefixtures("keep_signal_handlers")
def test_once_on_an_empty_queue_exits_at_once():
    out = io.StringIO()
    call_command("run_worker", "--once", "--worker-id", "w", stdout=out)
    assert out.getvalue().splitlines() == [
        "Обработчик задач w запущен",
        "Обработчик задач w остановлен, выполнено задач: 0",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("keep_signal_handlers")
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


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


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
        status = None
        while time.monotonic() < deadline and worker.poll() is None:
            with sqlite3.connect(database) as db:
                status = db.execute("SELECT status FROM core_job").fetchone()[0]
            if status == "done":
                break
            time.sleep(0.1)
        assert status == "done"
        assert worker.poll() is None  # idle, waiting for more work

        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    assert worker.returncode == 0, err
    assert out.splitlines() == [
        "Обработчик задач proc запущен",
        "core.send_email #1: done",
        "Обработчик задач proc остановлен, выполнено задач: 1",
    ]
