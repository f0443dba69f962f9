"""Writes owned by `core`: notifications (the bell) and their e-mail copies; the administrator's
corrections of the production calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy

from crm.core import workdays
from crm.core.audit import audit_record, snapshot
from crm.core.jobs import job_enqueue
from crm.core.models import AuditAction, Notification, WorkdayCorrection, WorkdayKind


@transaction.atomic
def notification_create(
    *,
    user: Any,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
    key: str | None = None,
) -> Notification:
    """Show a message in the user's bell; with `email`, the worker also mails it (after commit,
    so a rolled-back change never sends mail). With `key`, a second call with the same key
    returns the first notification and sends nothing: delivery at least once, shown once."""
    if key is not None:
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, title=title, body=body, url=url, key=key
            )
    except IntegrityError:
        if key is None:
            raise
        return Notification.objects.get(key=key)  # another worker delivered it just now
    if email and user.email:
        transaction.on_commit(
            lambda: job_enqueue(
                kind="core.send_email",
                payload={"subject": title, "body": body, "to": [user.email]},
                key=f"notification-email:{notification.pk}",
            )
        )
    return notification


def notification_mark_read(*, user: Any, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` as read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(id=notification_id)
    return unread.update(read_at=timezone.now())


def notification_mark_read_by_keys(*, keys: list[str]) -> int:
    """Mark read the unread notifications with these keys, whoever got them (a reminder
    snoozed by the substitute is read for the absent colleague too)."""
    if not keys:
        return 0
    unread = Notification.objects.filter(key__in=keys, read_at__isnull=True)
    return unread.update(read_at=timezone.now())


WORKDAY_FIELDS = ("date", "kind", "comment")
ERROR_WORKDAY_DATE_REQUIRED = gettext_lazy("Укажите дату")
ERROR_WORKDAY_KIND_REQUIRED = gettext_lazy("Выберите, каким будет день: рабочим или выходным")
ERROR_WORKDAY_DATE_TAKEN = gettext_lazy(
    "На %(date)s поправка уже есть — удалите её, чтобы задать другую"
)
ERROR_WORKDAY_ALREADY_WORKING = gettext_lazy("%(date)s и так рабочий день")
ERROR_WORKDAY_ALREADY_OFF = gettext_lazy("%(date)s и так выходной")
ERROR_WORKDAY_COMMENT_LONG = gettext_lazy("Основание — не длиннее %(max)s символов")


def _clear_workday_cache() -> None:
    """This process forgets the calendar now and again after commit (a page drawn meanwhile
    by another thread must not keep the old calendar)."""
    workdays.clear_cache()
    transaction.on_commit(workdays.clear_cache)


@transaction.atomic
def workday_correction_save(
    *, by: Any, date: dt.date | None, kind: str, comment: str = ""
) -> WorkdayCorrection:
    """Add a correction of the production calendar: `date` becomes a working day or a day off
    (`WorkdayKind`). One correction per date; a correction that changes nothing is refused."""
    comment = " ".join((comment or "").split())
    max_length = WorkdayCorrection._meta.get_field("comment").max_length or 255
    errors: dict[str, list[Any]] = {}
    if date is None:
        errors["date"] = [ERROR_WORKDAY_DATE_REQUIRED]
    if kind not in WorkdayKind.values:
        errors["kind"] = [ERROR_WORKDAY_KIND_REQUIRED]
    if len(comment) > max_length:
        errors["comment"] = [ERROR_WORKDAY_COMMENT_LONG % {"max": max_length}]
    if errors:
        raise ValidationError(errors)
    assert date is not None
    shown = formats.date_format(date, "d.m.Y")
    if WorkdayCorrection.objects.select_for_update().filter(date=date).exists():
        raise ValidationError({"date": [ERROR_WORKDAY_DATE_TAKEN % {"date": shown}]})
    workdays.clear_cache()  # judge against the stored corrections, not another process's cache
    working = workdays.is_working_day(date)
    if kind == WorkdayKind.WORKING and working:
        raise ValidationError({"kind": [ERROR_WORKDAY_ALREADY_WORKING % {"date": shown}]})
    if kind == WorkdayKind.DAY_OFF and not working:
        raise ValidationError({"kind": [ERROR_WORKDAY_ALREADY_OFF % {"date": shown}]})
    try:
        with transaction.atomic():
            correction = WorkdayCorrection.objects.create(date=date, kind=kind, comment=comment)
    except IntegrityError:  # saved by someone else a moment ago
        raise ValidationError({"date": [ERROR_WORKDAY_DATE_TAKEN % {"date": shown}]}) from None
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=correction,
        after=snapshot(correction, WORKDAY_FIELDS),
    )
    _clear_workday_cache()
    return correction


@transaction.atomic
def workday_correction_delete(*, by: Any, correction: WorkdayCorrection) -> None:
    """Remove a correction: the day follows the Russian calendar again."""
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=correction,
        before=snapshot(correction, WORKDAY_FIELDS),
        after={},
    )
    correction.delete()
    _clear_workday_cache()
