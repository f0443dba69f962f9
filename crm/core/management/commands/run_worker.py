"""`manage.py run_worker`: the background worker loop."""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from crm.core.jobs import job_claim, job_run, schedule_periodic


class Command(BaseCommand):
    help = (
        "Забирает из базы задачи, срок которых наступил, и выполняет их (Ctrl-C / SIGTERM — стоп)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Выполнить готовые задачи и выйти")
        parser.add_argument("--worker-id", default="", help="Имя обработчика в журнале задач")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = False

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Обработчик задач {worker_id} запущен")
        ran = 0
        while not self.stopping:
            close_old_connections()
            if not options["once"]:
                schedule_periodic()
            job = job_claim(worker_id=worker_id)
            if job is None:
                if options["once"]:
                    break
                self._sleep(settings.WORKER_IDLE_SECONDS)
                continue
            status = job_run(job)
            ran += 1
            self.stdout.write(f"{job.kind} #{job.id}: {status}")
        self.stdout.write(f"Обработчик задач {worker_id} остановлен, выполнено задач: {ran}")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)
