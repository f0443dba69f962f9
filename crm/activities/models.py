"""Activities (события): every contact with a client — calls, meetings, letters, e-mails,
requests, complaints, service visits, tasks — with reminders, attachments, handovers and the
secret calendar feed of each user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Area
from crm.core.models import TimeStampedModel


class ActivityKind(models.Model):
    """A catalog the administrator extends; the built-in kinds have fixed codes."""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("название"), max_length=100)
    icon = models.CharField(_("значок"), max_length=40, default="circle")
    color = models.CharField(_("цвет"), max_length=7, default="#2f6fed")
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    default_duration_minutes = models.PositiveSmallIntegerField(
        _("длительность по умолчанию, мин"), default=30
    )
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("вид события")
        verbose_name_plural = _("виды событий")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ActivityOutcome(models.Model):
    """A result code of one kind: "дозвонился / не дозвонился" for calls."""

    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("вид"), on_delete=models.CASCADE, related_name="outcomes"
    )
    code = models.SlugField(_("код"), max_length=40)
    name = models.CharField(_("название"), max_length=100)
    is_success = models.BooleanField(_("успешный"), default=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("результат события")
        verbose_name_plural = _("результаты событий")
        ordering = ["kind", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="activities_outcome_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Исходящее")
    INCOMING = "incoming", _("Входящее")
    NONE = "none", _("—")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Запланировано")
    DONE = "done", _("Выполнено")
    CANCELLED = "cancelled", _("Отменено")


class Activity(TimeStampedModel):
    """One contact with a client or one task. Overdue is derived: planned and its start (or due
    time) has passed. The link to a deal is owned by `sales` (it sits above this app)."""

    access_area = Area.SALES
    access_owner_fields = ("responsible", "co_executors")
    access_department_field = "department"

    kind = models.ForeignKey(ActivityKind, verbose_name=_("вид"), on_delete=models.PROTECT)
    direction = models.CharField(
        _("направление"), max_length=16, choices=Direction.choices, default=Direction.OUTGOING
    )
    subject = models.CharField(_("тема"), max_length=255)
    goal = models.CharField(_("цель"), max_length=500, blank=True)
    description = models.TextField(_("описание"), blank=True)
    start_at = models.DateTimeField(_("начало / срок"), db_index=True)
    end_at = models.DateTimeField(_("окончание"), null=True, blank=True)
    all_day = models.BooleanField(_("весь день"), default=False)
    status = models.CharField(
        _("статус"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    done_at = models.DateTimeField(_("выполнено"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("длительность, мин"), null=True, blank=True)
    outcome = models.ForeignKey(
        ActivityOutcome,
        verbose_name=_("результат"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    result = models.TextField(_("итог"), blank=True)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("клиент"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # purging a junk card takes its history along
        related_name="activities",
    )
    contact = models.ForeignKey(
        "clients.ContactPerson",
        verbose_name=_("контактное лицо"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("отдел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("соисполнители"),
        blank=True,
        related_name="co_activities",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("продолжение события"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("создал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        ordering = ["start_at", "id"]
        indexes = [
            models.Index(fields=["responsible", "status", "start_at"]),
            models.Index(fields=["department", "status", "start_at"]),
            models.Index(fields=["status", "start_at"]),
            models.Index(fields=["client", "-start_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__isnull=True)
                | models.Q(end_at__gte=models.F("start_at")),
                name="activities_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_at__isnull=False),
                name="activities_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_overdue(self) -> bool:
        return self.status == ActivityStatus.PLANNED and self.start_at < timezone.now()


def attachment_path(instance: ActivityAttachment, filename: str) -> str:
    return f"activities/{timezone.now():%Y/%m}/{instance.activity_id}/{filename}"


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("файл"), upload_to=attachment_path)
    name = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveIntegerField(_("размер, байт"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Ждёт")
    SENT = "sent", _("Отправлено")
    CANCELLED = "cancelled", _("Отменено")


class Reminder(models.Model):
    """A reminder of an activity at `remind_at` — absolute, or `offset_minutes` before the start
    (then moved with the activity). Sent by the worker; `sent_at` and the notification's key make
    delivery at-least-once yet shown once."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кому"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    remind_at = models.DateTimeField(_("когда напомнить"))
    offset_minutes = models.PositiveIntegerField(
        _("за сколько минут до начала"), null=True, blank=True
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    seen_at = models.DateTimeField(_("просмотрено"), null=True, blank=True)
    snooze_count = models.PositiveSmallIntegerField(_("откладывалось раз"), default=0)

    class Meta:
        verbose_name = _("напоминание")
        verbose_name_plural = _("напоминания")
        ordering = ["remind_at", "id"]
        indexes = [
            models.Index(fields=["status", "remind_at"]),
            models.Index(fields=["user", "status", "seen_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.activity} @ {self.remind_at:%Y-%m-%d %H:%M}"


class Handover(models.Model):
    """A permanent handover of an employee's clients (all or a filtered part) with their open
    work to another employee or department. `moved` counts what each part moved:
    {"clients": 12, "activities": 40, "reminders": 7, "deals": …} (the higher apps add parts)."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("от кого"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кому"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("в отдел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client_ids = models.JSONField(_("клиенты"), default=list)
    moved = models.JSONField(_("перенесено"), default=dict)
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто передал"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("передача дел")
        verbose_name_plural = _("передачи дел")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user} ({self.at:%d.%m.%Y})"


class CalendarFeed(models.Model):
    """The secret iCalendar URL of one user; revoking replaces the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("ключ"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("календарь для подписки")
        verbose_name_plural = _("календари для подписки")

    def __str__(self) -> str:
        return f"{self.user}"
