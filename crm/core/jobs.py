"""Background jobs with the database as the queue.

A job kind is a function registered with `@job_handler("kind")`; it receives the Job row and
returns a JSON-able result. Handlers must be idempotent: a job may run again after a worker dies
between doing the work and recording it (at-least-once), so a handler checks what is already
done before doing it.

Claiming is a conditional UPDATE (`… WHERE id = %s AND <still claimable>`): of several workers
racing for one row exactly one sees "1 row updated". A claim is a lease: a worker that dies
leaves the row RUNNING with `locked_until` in the past, and another worker takes it over."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.core.audit import audit_source
from crm.core.models import AuditSource, Job, JobStatus

logger = logging.getLogger(__name__)

Handler = Callable[[Job], dict[str, Any] | None]
_handlers: dict[str, Handler] = {}
_periodic: dict[str, int] = {}  # kind → period in seconds

BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600


class UnknownJobKind(LookupError):
    pass


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not function:
            raise ValueError(f"Job kind {kind!r} is registered twice")
        _handlers[kind] = function
        return function

    return register


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def periodic_job(kind: str, *, every_seconds: int) -> Callable[[Handler], Handler]:
    """Register a handler that the worker runs every `every_seconds` (e.g. sending due
    reminders each minute, the monthly ABC/XYZ snapshot daily check)."""

    def register(function: Handler) -> Handler:
        job_handler(kind)(function)
        _periodic[kind] = every_seconds
        return function

    return register


def schedule_periodic(*, now: dt.datetime | None = None) -> int:
    """Queue each periodic job once per period. The key names the period, so any number of
    workers calling this at once queue it once; returns how many were new."""
    now = now or timezone.now()
    created = 0
    for kind, every in _periodic.items():
        bucket = int(now.timestamp()) // every
        key = f"periodic:{kind}:{bucket}"
        if not Job.objects.filter(key=key).exists():
            job_enqueue(kind=kind, key=key, max_attempts=1)
            created += 1
    return created


def job_enqueue(
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: dt.datetime | None = None,
    key: str | None = None,
    max_attempts: int = 5,
) -> Job:
    """Queue a job. With `key`, enqueuing the same key again returns the existing job instead
    of queuing a second one (e.g. "reminder:42:2026-11-26T10:00")."""
    if kind not in _handlers:
        raise UnknownJobKind(kind)
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    fields = {
        "kind": kind,
        "payload": payload or {},
        "run_at": run_at or timezone.now(),
        "key": key,
        "max_attempts": max_attempts,
    }
    try:
        with transaction.atomic():
            return Job.objects.create(**fields)
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=JobStatus.QUEUED, run_at__lte=now) | Q(
        status=JobStatus.RUNNING, locked_until__lt=now
    )


def job_claim(*, worker_id: str, now: dt.datetime | None = None) -> Job | None:
    """Take the next due job for `worker_id`, or None when nothing is due."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    candidates = list(
        Job.objects.filter(_claimable(now))
        .order_by("run_at", "id")
        .values_list("id", flat=True)[:20]
    )
    for job_id in candidates:
        claimed = (
            Job.objects.filter(_claimable(now), id=job_id).update(
                status=JobStatus.RUNNING,
                locked_by=worker_id,
                locked_until=now + lease,
                attempts=F("attempts") + 1,
                started_at=now,
            )
            == 1
        )
        if claimed:
            return Job.objects.get(id=job_id)
    return None


def backoff_delay(attempt: int) -> dt.timedelta:
    """10 s after the first failure, doubling up to an hour."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def job_set_progress(job: Job, percent: int) -> None:
    Job.objects.filter(id=job.id, locked_by=job.locked_by).update(
        progress=max(0, min(100, percent))
    )


LEASE_LOST = "lease_lost"  # job_run's answer when another worker took the job over meanwhile


def job_run(job: Job) -> str:
    """Run a claimed job and record the outcome; returns the new status, or LEASE_LOST when
    the lease ran out and another worker took the job over: only the worker that still holds
    the lease records an outcome, so a job is never marked twice."""
    owned = Job.objects.filter(id=job.id, locked_by=job.locked_by, status=JobStatus.RUNNING)

    def record(status: str, **fields: Any) -> str:
        updated = owned.update(status=status, locked_until=None, **fields)
        return status if updated == 1 else LEASE_LOST

    if job.attempts > job.max_attempts:
        return record(
            JobStatus.FAILED,
            finished_at=timezone.now(),
            error=job.error or "Превышено число попыток",
        )
    handler = _handlers.get(job.kind)
    try:
        if handler is None:
            raise UnknownJobKind(f"Неизвестный вид задачи: {job.kind}")
        with audit_source(AuditSource.WORKER):
            result = handler(job) or {}
    except Exception:
        error = traceback.format_exc(limit=20)
        logger.exception("Job %s (%s) failed on attempt %s", job.id, job.kind, job.attempts)
        now = timezone.now()
        if job.attempts >= job.max_attempts or handler is None:
            return record(JobStatus.FAILED, error=error, finished_at=now)
        return record(JobStatus.QUEUED, error=error, run_at=now + backoff_delay(job.attempts))
    return record(JobStatus.DONE, result=result, progress=100, error="", finished_at=timezone.now())


def run_pending(*, worker_id: str, limit: int | None = None) -> int:
    """Claim and run due jobs until none is due (or `limit` ran); returns how many ran."""
    count = 0
    while limit is None or count < limit:
        job = job_claim(worker_id=worker_id)
        if job is None:
            break
        job_run(job)
        count += 1
    return count


@job_handler("core.send_email")
def send_email_job(job: Job) -> dict[str, Any]:
    """Send one e-mail. Idempotent through the job itself: a DONE job is never run again; the
    message id in the result shows what was sent."""
    payload = job.payload
    message = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["to"],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    sent = message.send(fail_silently=False)
    return {"sent": sent, "to": payload["to"]}


DONE_JOBS_KEPT_DAYS = 7


@periodic_job("core.cleanup_jobs", every_seconds=24 * 3600)
def cleanup_jobs(job: Job) -> dict[str, Any]:
    """Finished jobs older than a week are deleted (periodic ones pile up every minute);
    failed ones stay for the administrator to read."""
    cutoff = timezone.now() - dt.timedelta(days=DONE_JOBS_KEPT_DAYS)
    deleted, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff).delete()
    return {"deleted": deleted}
