from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone, translation

from crm.core import jobs


@pytest.fixture(autouse=True)
def company_language_and_time_zone() -> Iterator[None]:
    """UserPreferencesMiddleware activates the user's language and time zone for the thread and
    leaves them active after the response; start and end every test with the company's."""
    translation.deactivate()
    timezone.deactivate()
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture
def register_job_kind() -> Iterator[Callable[[str, jobs.Handler], jobs.Handler]]:
    """Register a job handler for one test and remove it afterwards."""
    added: list[str] = []

    def register(kind: str, function: jobs.Handler) -> jobs.Handler:
        added.append(kind)
        return jobs.job_handler(kind)(function)

    yield register
    for kind in added:
        jobs._handlers.pop(kind, None)


@pytest.fixture
def no_periodic_jobs(monkeypatch) -> dict[str, int]:
    """The worker and `run_pending` queue the periodic jobs (core.cleanup_jobs, …) first; tests
    of the queue itself count only the jobs they queued."""
    periodic: dict[str, int] = {}
    monkeypatch.setattr(jobs, "_periodic", periodic)
    return periodic


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    """run_worker installs SIGTERM/SIGINT handlers; give pytest its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)
