"""Base models and the cross-cutting tables: audit history, background jobs, notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class AuditSource(models.TextChoices):
    WEB = "web", _("Веб-интерфейс")
    API = "api", _("API")
    IMPORT = "import", _("Импорт")
    WORKER = "worker", _("Фоновый обработчик")
    SYSTEM = "system", _("Система")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Создание")
    UPDATE = "update", _("Изменение")
    DELETE = "delete", _("Удаление")
    ARCHIVE = "archive", _("Архивирование")
    RESTORE = "restore", _("Восстановление")
    LOGIN = "login", _("Вход")
    OTHER = "other", _("Другое")


class AuditEntry(models.Model):
    """One change of one object: who, when, from which path, each field before → after.

    `changes` maps a field name to `[before, after]` (JSON values: strings for dates, Decimal and
    references). Written by services in the same transaction as the change itself."""

    at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("откуда"), max_length=16, choices=AuditSource.choices)
    action = models.CharField(_("действие"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("тип объекта"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("ид объекта"), max_length=64)
    object_repr = models.CharField(_("объект"), max_length=255)
    changes = models.JSONField(_("изменения"), default=dict, blank=True)
    comment = models.CharField(_("комментарий"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("запись истории")
        verbose_name_plural = _("история изменений")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Выполняется")
    DONE = "done", _("Выполнено")
    FAILED = "failed", _("Ошибка")


class Job(models.Model):
    """A unit of background work. The table is the queue: a worker claims a row with a
    conditional UPDATE, so two workers never run the same attempt."""

    kind = models.CharField(_("вид"), max_length=64)
    payload = models.JSONField(_("параметры"), default=dict, blank=True)
    key = models.CharField(
        _("ключ идемпотентности"), max_length=200, null=True, blank=True, unique=True
    )
    status = models.CharField(
        _("состояние"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    run_at = models.DateTimeField(_("выполнить не раньше"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    max_attempts = models.PositiveIntegerField(_("максимум попыток"), default=5)
    locked_by = models.CharField(_("обработчик"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("занято до"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("прогресс, %"), default=0)
    result = models.JSONField(_("результат"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершено"), null=True, blank=True)

    class Meta:
        verbose_name = _("фоновая задача")
        verbose_name_plural = _("фоновые задачи")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "run_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="core_job_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Notification(models.Model):
    """An in-app message for one user (the bell). Reminders, assignments and automatic steps
    create them; e-mail copies are sent by the worker."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"), blank=True)
    url = models.CharField(_("ссылка"), max_length=500, blank=True)
    key = models.CharField(
        _("ключ"), max_length=200, null=True, blank=True, unique=True
    )  # set by senders that may run twice (a reminder sent again after a worker restart)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class WorkdayKind(models.TextChoices):
    WORKING = "working", _("Рабочий день")
    DAY_OFF = "day_off", _("Выходной")


class WorkdayCorrection(models.Model):
    """The administrator's correction of the production calendar: a day the library does not
    know about yet (a new government decree) or a company's own day off."""

    date = models.DateField(_("дата"), unique=True)
    kind = models.CharField(_("день"), max_length=16, choices=WorkdayKind.choices)
    comment = models.CharField(_("основание"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("поправка производственного календаря")
        verbose_name_plural = _("поправки производственного календаря")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} — {self.get_kind_display()}"


class NumberSequence(models.Model):
    """The last number given to a document kind of one organization in one year. Services take
    the next number under a row lock in the transaction that issues the document, so numbers
    are gap-free and never repeat (`crm.core.numbering`)."""

    kind = models.CharField(_("вид документа"), max_length=40)
    organization_id = models.PositiveIntegerField(_("организация"), default=0)
    year = models.PositiveSmallIntegerField(_("год"))
    prefix = models.CharField(_("префикс"), max_length=20, blank=True)
    last_number = models.PositiveIntegerField(_("последний номер"), default=0)

    class Meta:
        verbose_name = _("нумератор")
        verbose_name_plural = _("нумераторы")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organization_id", "year"], name="core_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"
