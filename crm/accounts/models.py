"""Users and departments. Roles are groups (see `roles.py`)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import ROLE_LABELS, ROLE_ORDER, Role
from crm.core.models import TimeStampedModel

TIME_ZONE_CHOICES = [
    (name, name)
    for name in sorted(zoneinfo.available_timezones())
    if name.startswith(("Europe/", "Asia/")) or name == "UTC"
]


class Department(TimeStampedModel):
    name = models.CharField(_("название"), max_length=150, unique=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("руководитель"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("отдел")
        verbose_name_plural = _("отделы")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    position = models.CharField(_("должность"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("отдел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    email_signature = models.TextField(_("подпись в письмах"), blank=True)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow"
    )
    language = models.CharField(
        _("язык интерфейса"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "username"]
        permissions = [("view_off_book_cash", _("Видит наличные вне бухгалтерии"))]

    def __str__(self) -> str:
        return self.short_name

    @property
    def full_name(self) -> str:
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(part for part in parts if part) or self.username

    @property
    def short_name(self) -> str:
        """«Иванова А. С.» — how Russian documents and lists name a person."""
        if not self.last_name:
            return self.first_name or self.username
        initials = "".join(f"{part[0]}. " for part in (self.first_name, self.middle_name) if part)
        return f"{self.last_name} {initials}".strip()

    @cached_property
    def role(self) -> Role | None:
        """The user's strongest role; a superuser counts as administrator."""
        if self.is_superuser:
            return Role.ADMINISTRATOR
        names = {group.name for group in self.groups.all()}
        return next((role for role in ROLE_ORDER if role.value in names), None)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role]) if self.role else str(_("без роли"))


class Absence(TimeStampedModel):
    """An employee away from `date_from` to `date_to` (inclusive) and who handles their work
    meanwhile: the substitute sees the absent one's clients and activities and gets their
    reminders. It ends by itself: nothing is moved, so nothing has to be moved back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отсутствующий"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("замещающий"),
        on_delete=models.PROTECT,
        related_name="substitutions",
    )
    date_from = models.DateField(_("с"))
    date_to = models.DateField(_("по"))
    reason = models.CharField(_("причина"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("отсутствие")
        verbose_name_plural = _("отсутствия")
        ordering = ["-date_from"]
        indexes = [models.Index(fields=["substitute", "date_from", "date_to"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")),
                name="accounts_absence_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("substitute")),
                name="accounts_absence_not_self",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user} → {self.substitute} ({self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y})"
        )
