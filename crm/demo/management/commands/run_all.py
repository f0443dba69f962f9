"""`manage.py run_all`: the web server and the worker together, for `make run`.

One Ctrl-C (or SIGTERM) stops both; if either stops on its own, the other is stopped too."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Запускает веб-сервер и обработчик фоновых задач вместе."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        web = subprocess.Popen([*manage, "runserver", address, "--noreload"])  # noqa: S603
        worker = subprocess.Popen([*manage, "run_worker"])  # noqa: S603
        processes = [web, worker]
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self._print_welcome(address)
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.3)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Свод остановлен.")

    def _print_welcome(self, address: str) -> None:
        from crm.demo.seed import DEMO_PASSWORD, demo_logins

        lines = [
            "",
            "=" * 64,
            f"  Свод CRM работает: http://{address}/",
            f"  API: http://{address}/api/v1/docs/",
            "",
            f"  Демо-входы (пароль у всех: {DEMO_PASSWORD}):",
        ]
        lines += [f"    {login:<12} — {role}" for login, role in demo_logins()]
        lines += ["", "  Остановить: Ctrl-C", "=" * 64, ""]
        self.stdout.write("\n".join(lines))
