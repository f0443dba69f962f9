"""The database as the job queue: enqueue, conditional claim, leases, retries, e-mail."""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models import QuerySet

from crm.core import jobs
from crm.core.jobs import (
    LEASE_LOST,
    UnknownJobKind,
    backoff_delay,
    job_claim,
    job_enqueue,
    job_handler,
    job_run,
    job_set_progress,
    registered_kinds,
    run_pending,
)
from crm.core.models import Job, JobStatus

pytestmark = pytest.mark.usefixtures("no_periodic_jobs")
PERIODIC_AT_IMPORT = dict(jobs._periodic)  # before the fixture empties it

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


@pytest.fixture
def calls(register_job_kind):
    """A `test.count` job kind that records who ran which job."""
    seen: list[tuple[int, str]] = []
    lock = threading.Lock()

    def count(job: Job) -> dict:
        with lock:
            seen.append((job.id, job.locked_by))
        return {"ran_by": job.locked_by}

    register_job_kind("test.count", count)
    return seen


@pytest.fixture
def failing(register_job_kind):
    def fail(job: Job) -> dict:
        raise RuntimeError("Сбой связи с почтовым сервером")

    register_job_kind("test.fail", fail)


# --- registration and enqueuing -------------------------------------------------------------


def test_send_email_kind_is_registered():
    assert "core.send_email" in registered_kinds()


def test_registering_a_kind_twice_with_another_function_is_refused(register_job_kind):
    def first(job):
        return None

    def second(job):
        return None

    register_job_kind("test.twice", first)
    assert job_handler("test.twice")(first) is first  # the same function again is fine
    with pytest.raises(ValueError, match="registered twice"):
        job_handler("test.twice")(second)
    assert jobs._handlers["test.twice"] is first


@pytest.mark.django_db
def test_enqueue_stores_the_job_as_queued_and_due_now(calls, time_machine):
    time_machine.move_to(T0, tick=False)
    job = job_enqueue(kind="test.count", payload={"client": 7}, max_attempts=3)
    job.refresh_from_db()
    assert (job.kind, job.payload, job.status, job.run_at, job.attempts, job.max_attempts) == (
        "test.count",
        {"client": 7},
        JobStatus.QUEUED,
        T0,
        0,
        3,
    )
    assert job.key is None


@pytest.mark.django_db
def test_enqueue_with_the_same_key_returns_the_same_job(calls):
    first = job_enqueue(kind="test.count", payload={"n": 1}, key="reminder:42")
    second = job_enqueue(kind="test.count", payload={"n": 2}, key="reminder:42")
    assert second.pk == first.pk
    assert Job.objects.count() == 1
    assert Job.objects.get().payload == {"n": 1}


@pytest.mark.django_db
def test_enqueue_without_a_key_always_queues_a_new_job(calls):
    job_enqueue(kind="test.count")
    job_enqueue(kind="test.count")
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_enqueue_returns_the_existing_job_when_another_process_inserted_the_key_first(calls):
    existing = Job.objects.create(kind="test.count", key="race:1")
    # Our look-up happened before the other process committed: it finds nothing.
    with mock.patch.object(QuerySet, "first", return_value=None):
        job = job_enqueue(kind="test.count", key="race:1")
    assert job.pk == existing.pk
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_enqueue_of_an_unknown_kind_raises_and_stores_nothing():
    with pytest.raises(UnknownJobKind):
        job_enqueue(kind="no.such.kind", key="k")
    assert Job.objects.count() == 0


# --- claiming -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_takes_the_oldest_due_job_and_leases_it(calls):
    late = job_enqueue(kind="test.count", run_at=T0 + dt.timedelta(minutes=5))
    early = job_enqueue(kind="test.count", run_at=T0 - dt.timedelta(minutes=5))
    job_enqueue(kind="test.count", run_at=T0 + dt.timedelta(hours=1))

    claimed = job_claim(worker_id="host:1", now=T0)

    assert claimed.pk == early.pk
    assert (claimed.status, claimed.locked_by, claimed.locked_until, claimed.attempts) == (
        JobStatus.RUNNING,
        "host:1",
        T0 + LEASE,
        1,
    )
    assert claimed.started_at == T0
    assert job_claim(worker_id="host:1", now=T0) is None  # the others are not due yet
    late.refresh_from_db()
    assert late.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_claim_returns_none_on_an_empty_queue():
    assert job_claim(worker_id="host:1") is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED])
def test_finished_jobs_are_never_claimed(calls, status):
    Job.objects.create(kind="test.count", status=status, run_at=T0)
    assert job_claim(worker_id="host:1", now=T0 + dt.timedelta(days=1)) is None


@pytest.fixture
def rival_claims_first(monkeypatch):
    """Between reading the candidates and updating a row, another worker claims the first
    candidate: simulates two workers racing for the same row."""
    state = {"done": False}

    def stale_list(iterable):
        candidates = builtins.list(iterable)
        if not state["done"] and candidates:
            state["done"] = True
            rival = Job.objects.filter(id=candidates[0])
            assert (
                rival.update(status=JobStatus.RUNNING, locked_by="rival", locked_until=T0 + LEASE)
                == 1
            )
        return candidates

    monkeypatch.setattr(jobs, "list", stale_list, raising=False)
    return state


@pytest.mark.django_db
def test_claim_is_conditional_a_worker_that_lost_the_race_gets_nothing(calls, rival_claims_first):
    job = job_enqueue(kind="test.count", run_at=T0)

    assert job_claim(worker_id="late", now=T0) is None

    assert rival_claims_first["done"] is True
    job.refresh_from_db()
    assert (job.status, job.locked_by, job.attempts) == (JobStatus.RUNNING, "rival", 0)


@pytest.mark.django_db
def test_a_worker_that_lost_one_row_takes_the_next_candidate(calls, rival_claims_first):
    first = job_enqueue(kind="test.count", run_at=T0 - dt.timedelta(seconds=1))
    second = job_enqueue(kind="test.count", run_at=T0)

    claimed = job_claim(worker_id="late", now=T0)

    assert claimed.pk == second.pk
    assert claimed.locked_by == "late"
    first.refresh_from_db()
    assert first.locked_by == "rival"


@contextlib.contextmanager
def database_for_threads(tmp_path: Path) -> Iterator[None]:
    """On PostgreSQL the threads share the test database as it is. SQLite's in-memory test
    database answers concurrent writers with "table is locked" (shared cache, no busy wait),
    unlike the file database the project runs on: the threads get a file copy of it, opened
    with the project's settings (WAL, busy timeout)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "threads.sqlite3"
    copy = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connection.settings_dict  # shared with connections opened by new threads
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = name


def in_threads(*functions: Callable[[], object]) -> list[object]:
    """Run each function in its own thread (own connection), all starting together."""
    start = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)
    errors: list[BaseException] = []

    def work(index: int, function: Callable[[], object]) -> None:
        try:
            start.wait(timeout=10)
            results[index] = function()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_run_every_job_exactly_once(register_job_kind, tmp_path):
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    def count(job: Job) -> dict:
        with lock:
            runs[job.id] += 1
        time.sleep(0.002)  # let the other worker reach the same rows
        return {"ran_by": job.locked_by}

    register_job_kind("test.race", count)
    ids = [job_enqueue(kind="test.race").id for _ in range(30)]

    with database_for_threads(tmp_path):
        ran = in_threads(
            lambda: run_pending(worker_id="worker-1"), lambda: run_pending(worker_id="worker-2")
        )
        (rows,) = in_threads(
            lambda: list(Job.objects.values_list("id", "status", "attempts", "locked_by", "result"))
        )

    assert sum(ran) == 30
    assert sorted(runs) == sorted(ids)
    assert set(runs.values()) == {1}
    assert len(rows) == 30
    for _id, status, attempts, locked_by, result in rows:
        assert (status, attempts) == (JobStatus.DONE, 1)
        assert locked_by in {"worker-1", "worker-2"}
        assert result == {"ran_by": locked_by}


# --- leases -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_running_job_is_not_taken_over_while_its_lease_holds(calls):
    job_enqueue(kind="test.count", run_at=T0)
    assert job_claim(worker_id="A", now=T0) is not None
    assert job_claim(worker_id="B", now=T0 + LEASE) is None  # locked_until is not < now


@pytest.mark.django_db
def test_an_expired_lease_lets_another_worker_take_over_and_the_old_one_records_nothing(calls):
    job_enqueue(kind="test.count", run_at=T0)
    held_by_a = job_claim(worker_id="A", now=T0)
    later = T0 + LEASE + dt.timedelta(seconds=1)
    held_by_b = job_claim(worker_id="B", now=later)
    assert held_by_b.pk == held_by_a.pk
    assert (held_by_b.locked_by, held_by_b.attempts, held_by_b.locked_until) == (
        "B",
        2,
        later + LEASE,
    )

    assert job_run(held_by_a) == LEASE_LOST  # A wakes up and finishes: the row is no longer A's
    row = Job.objects.get(pk=held_by_a.pk)
    assert (row.status, row.locked_by, row.result, row.finished_at) == (
        JobStatus.RUNNING,
        "B",
        {},
        None,
    )

    assert job_run(held_by_b) == JobStatus.DONE
    row.refresh_from_db()
    assert (row.status, row.result, row.locked_by) == (JobStatus.DONE, {"ran_by": "B"}, "B")
    assert calls == [(row.pk, "A"), (row.pk, "B")]


@pytest.mark.django_db
def test_the_old_worker_finishing_after_the_new_one_does_not_overwrite_the_outcome(calls):
    job_enqueue(kind="test.count", run_at=T0)
    held_by_a = job_claim(worker_id="A", now=T0)
    held_by_b = job_claim(worker_id="B", now=T0 + LEASE + dt.timedelta(seconds=1))
    assert job_run(held_by_b) == JobStatus.DONE
    finished = Job.objects.get(pk=held_by_b.pk)

    assert job_run(held_by_a) == LEASE_LOST

    row = Job.objects.get(pk=held_by_b.pk)
    assert (row.status, row.result, row.finished_at, row.locked_by) == (
        JobStatus.DONE,
        {"ran_by": "B"},
        finished.finished_at,
        "B",
    )


@pytest.mark.django_db
def test_a_job_taken_over_beyond_its_attempts_fails_without_running(calls):
    job_enqueue(kind="test.count", run_at=T0, max_attempts=1)
    job_claim(worker_id="A", now=T0)  # A dies while running it
    retaken = job_claim(worker_id="B", now=T0 + LEASE + dt.timedelta(seconds=1))
    assert retaken.attempts == 2

    assert job_run(retaken) == JobStatus.FAILED

    row = Job.objects.get(pk=retaken.pk)
    assert (row.status, row.error) == (JobStatus.FAILED, "Превышено число попыток")
    assert row.finished_at is not None
    assert calls == []


# --- outcomes, retries ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_successful_run_records_result_progress_and_releases_the_lease(calls, time_machine):
    time_machine.move_to(T0, tick=False)
    job_enqueue(kind="test.count")
    job = job_claim(worker_id="host:1")

    assert job_run(job) == JobStatus.DONE

    job.refresh_from_db()
    assert (job.status, job.result, job.progress, job.error, job.finished_at) == (
        JobStatus.DONE,
        {"ran_by": "host:1"},
        100,
        "",
        T0,
    )
    assert job.locked_until is None
    assert job_claim(worker_id="host:1", now=T0 + dt.timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(0, 10), (1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (9, 2560), (10, 3600), (50, 3600)],
)
def test_backoff_doubles_from_ten_seconds_up_to_an_hour(attempt, seconds):
    assert backoff_delay(attempt) == dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_failing_job_is_retried_with_backoff_then_fails_keeping_the_error(failing, time_machine):
    time_machine.move_to(T0, tick=False)
    job_enqueue(kind="test.fail", max_attempts=3)

    job = job_claim(worker_id="w")
    assert job_run(job) == JobStatus.QUEUED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.run_at, job.locked_until) == (
        JobStatus.QUEUED,
        1,
        T0 + dt.timedelta(seconds=10),
        None,
    )
    assert "RuntimeError: Сбой связи с почтовым сервером" in job.error
    assert job_claim(worker_id="w") is None  # not due before the back-off ends

    time_machine.move_to(T0 + dt.timedelta(seconds=10), tick=False)
    job = job_claim(worker_id="w")
    assert job_run(job) == JobStatus.QUEUED
    job.refresh_from_db()
    assert (job.attempts, job.run_at) == (2, T0 + dt.timedelta(seconds=30))

    time_machine.move_to(T0 + dt.timedelta(seconds=30), tick=False)
    job = job_claim(worker_id="w")
    assert job_run(job) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at, job.locked_until) == (
        JobStatus.FAILED,
        3,
        T0 + dt.timedelta(seconds=30),
        None,
    )
    assert job.error.startswith("Traceback (most recent call last):")
    assert job.error.rstrip().endswith("RuntimeError: Сбой связи с почтовым сервером")

    time_machine.move_to(T0 + dt.timedelta(days=1), tick=False)
    assert job_claim(worker_id="w") is None


@pytest.mark.django_db
def test_a_job_of_an_unregistered_kind_fails_at_once(time_machine):
    time_machine.move_to(T0, tick=False)
    Job.objects.create(kind="ghost.kind", max_attempts=5)
    job = job_claim(worker_id="w")

    assert job_run(job) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert "Неизвестный вид задачи: ghost.kind" in job.error


@pytest.mark.django_db
def test_a_later_success_clears_the_error_of_an_earlier_attempt(register_job_kind):
    outcomes = iter([RuntimeError("временный сбой"), None])

    def flaky(job):
        outcome = next(outcomes)
        if outcome:
            raise outcome
        return {"ok": True}

    register_job_kind("test.flaky", flaky)
    job_enqueue(kind="test.flaky", run_at=T0)
    assert job_run(job_claim(worker_id="w", now=T0)) == JobStatus.QUEUED
    job = job_claim(worker_id="w", now=T0 + dt.timedelta(days=1))
    assert job_run(job) == JobStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.error, job.result, job.attempts) == (
        JobStatus.DONE,
        "",
        {"ok": True},
        2,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("percent", "stored"), [(42, 42), (0, 0), (100, 100), (150, 100), (-5, 0)])
def test_set_progress_is_clamped_to_0_100(calls, percent, stored):
    job_enqueue(kind="test.count", run_at=T0)
    job = job_claim(worker_id="w", now=T0)
    job_set_progress(job, percent)
    job.refresh_from_db()
    assert job.progress == stored


@pytest.mark.django_db
def test_set_progress_of_a_worker_that_lost_its_lease_changes_nothing(calls):
    job_enqueue(kind="test.count", run_at=T0)
    stale = job_claim(worker_id="A", now=T0)
    job_claim(worker_id="B", now=T0 + LEASE + dt.timedelta(seconds=1))
    job_set_progress(stale, 60)
    assert Job.objects.get(pk=stale.pk).progress == 0


@pytest.mark.django_db
def test_run_pending_runs_due_jobs_up_to_the_limit(calls):
    for _ in range(3):
        job_enqueue(kind="test.count")
    job_enqueue(kind="test.count", run_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC))

    assert run_pending(worker_id="w", limit=2) == 2
    assert run_pending(worker_id="w") == 1
    assert run_pending(worker_id="w") == 0
    assert len(calls) == 3
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 1


# --- e-mail -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_email_job_sends_through_the_configured_backend():
    job_enqueue(
        kind="core.send_email",
        payload={"subject": "Напоминание", "body": "Позвонить в ООО «Ромашка»", "to": ["a@b.ru"]},
    )
    assert run_pending(worker_id="w") == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.subject, message.body, message.to, message.from_email) == (
        "Напоминание",
        "Позвонить в ООО «Ромашка»",
        ["a@b.ru"],
        settings.DEFAULT_FROM_EMAIL,
    )
    job = Job.objects.get()
    assert (job.status, job.result) == (JobStatus.DONE, {"sent": 1, "to": ["a@b.ru"]})


@pytest.mark.django_db
def test_send_email_job_with_a_bad_payload_retries_and_sends_nothing():
    job_enqueue(kind="core.send_email", payload={"subject": "Без адресата"})
    assert run_pending(worker_id="w") == 1
    job = Job.objects.get()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert "KeyError: 'body'" in job.error
    assert mail.outbox == []


# --- periodic jobs ----------------------------------------------------------------------------


@pytest.fixture
def tick(no_periodic_jobs, register_job_kind):
    """A periodic kind `test.tick` every 60 s, alone in the periodic registry."""
    seen: list[int] = []

    def run(job: Job) -> dict:
        seen.append(job.id)
        return {}

    register_job_kind("test.tick", run)
    no_periodic_jobs["test.tick"] = 60
    return seen


def test_periodic_job_registers_the_handler_and_its_period(no_periodic_jobs):
    def nightly(job):
        return None

    try:
        assert jobs.periodic_job("test.nightly", every_seconds=3600)(nightly) is nightly
        assert jobs._handlers["test.nightly"] is nightly
        assert no_periodic_jobs == {"test.nightly": 3600}
    finally:
        jobs._handlers.pop("test.nightly", None)


def test_cleanup_is_a_daily_periodic_job():
    assert PERIODIC_AT_IMPORT["core.cleanup_jobs"] == 24 * 3600
    assert "core.cleanup_jobs" in registered_kinds()


@pytest.mark.django_db
def test_schedule_periodic_queues_each_kind_once_per_period(tick):
    at = dt.datetime.fromtimestamp(60 * 1000, tz=dt.UTC)  # the start of period 1000

    assert jobs.schedule_periodic(now=at) == 1
    assert jobs.schedule_periodic(now=at + dt.timedelta(seconds=59)) == 0
    assert jobs.schedule_periodic(now=at + dt.timedelta(seconds=60)) == 1

    assert list(Job.objects.order_by("id").values_list("kind", "key", "max_attempts")) == [
        ("test.tick", "periodic:test.tick:1000", 1),
        ("test.tick", "periodic:test.tick:1001", 1),
    ]


@pytest.mark.django_db
def test_cleanup_deletes_done_jobs_older_than_a_week_and_keeps_failures(time_machine):
    time_machine.move_to(T0, tick=False)
    week = dt.timedelta(days=7)
    old_done = Job.objects.create(
        kind="a", status=JobStatus.DONE, finished_at=T0 - week - dt.timedelta(seconds=1)
    )
    recent_done = Job.objects.create(
        kind="b", status=JobStatus.DONE, finished_at=T0 - week + dt.timedelta(seconds=1)
    )
    old_failed = Job.objects.create(kind="c", status=JobStatus.FAILED, finished_at=T0 - 10 * week)
    queued = Job.objects.create(kind="d", run_at=T0 - 10 * week)

    result = jobs.cleanup_jobs(Job(kind="core.cleanup_jobs"))

    assert result == {"deleted": 1}
    assert set(Job.objects.values_list("id", flat=True)) == {
        recent_done.id,
        old_failed.id,
        queued.id,
    }
    assert not Job.objects.filter(id=old_done.id).exists()
