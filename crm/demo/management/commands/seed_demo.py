"""`manage.py seed_demo [--scale small|large|N] [--if-empty]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crm.accounts.models import User
from crm.demo.seed import resolve_scale, seed


class Command(BaseCommand):
    help = "Заполняет базу демонстрационными данными."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale", default="small", help="small (60 клиентов), large (100 000) или число"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ничего не делать, если в базе есть пользователи",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            resolve_scale(options["scale"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("В базе уже есть данные — демо-данные не загружаются.")
            return
        started = time.monotonic()
        counts = seed(options["scale"])
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{name}: {value}" for name, value in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Демо-данные загружены за {elapsed:.1f} с — {summary}")
        )
