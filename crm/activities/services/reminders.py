"""Writes on reminders by the people they are for: snooze, mark seen (opened or dismissed), add
one to an activity, remove one. Delivery itself is in `delivery.py`.

Only the reminder's user — or whoever substitutes that user today — may act on a reminder;
anyone else gets the same answer as for a reminder that does not exist (404, in the selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.accounts.access import acting_for
from crm.accounts.models import User
from crm.activities.models import Activity, ActivityStatus, Reminder, ReminderStatus
from crm.activities.services.delivery import reminder_notification_key
from crm.core.audit import audit_record
from crm.core.models import AuditAction
from crm.core.services import notification_mark_read_by_keys

# code → (how long, label); the order is the order of the buttons.
SNOOZE_DELTAS: dict[str, tuple[dt.timedelta, Any]] = {
    "5m": (dt.timedelta(minutes=5), gettext_lazy("5 минут")),
    "15m": (dt.timedelta(minutes=15), gettext_lazy("15 минут")),
    "1h": (dt.timedelta(hours=1), gettext_lazy("1 час")),
    "1d": (dt.timedelta(days=1), gettext_lazy("1 день")),
    "1w": (dt.timedelta(weeks=1), gettext_lazy("1 неделю")),
}
SNOOZE_CHOICES = [(code, label) for code, (_delta, label) in SNOOZE_DELTAS.items()]
SNOOZE_SHORT_LABELS = {  # the buttons under a notification in the bell are narrow
    "5m": gettext_lazy("5 мин"),
    "15m": gettext_lazy("15 мин"),
    "1h": gettext_lazy("1 ч"),
    "1d": gettext_lazy("1 день"),
    "1w": gettext_lazy("1 нед."),
}
MAX_OFFSET_MINUTES = 60 * 24 * 30

ERROR_SNOOZE_DELTA = gettext_lazy(
    "Выберите, на сколько отложить: 5 минут, 15 минут, 1 час, 1 день или 1 неделю"
)
ERROR_REMINDER_CANCELLED = gettext_lazy("Напоминание отменено: событие выполнено или отменено")
ERROR_ACTIVITY_NOT_PLANNED = gettext_lazy(
    "Событие уже выполнено или отменено — напоминание не нужно"
)
ERROR_REMINDER_WHEN = gettext_lazy(
    "Укажите время напоминания или за сколько минут до начала напомнить"
)
ERROR_REMINDER_OFFSET = gettext_lazy("Напомнить можно за 0–43 200 минут (30 дней) до начала")
ERROR_REMINDER_NOT_PENDING = gettext_lazy("Это напоминание уже отправлено или отменено")


def _state(reminder: Reminder) -> dict[str, Any]:
    return {
        "remind_at": reminder.remind_at.isoformat() if reminder.remind_at else None,
        "offset_minutes": reminder.offset_minutes,
        "status": reminder.status,
        "user": str(reminder.user) if reminder.user_id else None,
    }


def _check_actor(by: User, reminder: Reminder) -> None:
    """A second line of defence behind the selectors (which answer 404)."""
    if reminder.user_id not in acting_for(by):
        raise ValidationError({"reminder": [gettext_lazy("Это не ваше напоминание")]})


@transaction.atomic
def reminder_snooze(*, by: User, reminder: Reminder, delta: str) -> Reminder:
    """Remind again `delta` from now ("5m", "15m", "1h", "1d", "1w"): the reminder is pending
    again, counts one more snooze, and the notification it showed is marked read."""
    if delta not in SNOOZE_DELTAS:
        raise ValidationError({"delta": [ERROR_SNOOZE_DELTA]})
    reminder = (
        Reminder.objects.select_for_update().select_related("activity", "user").get(pk=reminder.pk)
    )
    _check_actor(by, reminder)
    if reminder.status == ReminderStatus.CANCELLED:
        raise ValidationError({"reminder": [ERROR_REMINDER_CANCELLED]})
    if reminder.activity.status != ActivityStatus.PLANNED:
        raise ValidationError({"reminder": [ERROR_ACTIVITY_NOT_PLANNED]})
    now = timezone.now()
    before = _state(reminder)
    shown_key = reminder_notification_key(reminder)
    reminder.remind_at = now + SNOOZE_DELTAS[delta][0]
    reminder.status = ReminderStatus.PENDING
    reminder.sent_at = None
    reminder.seen_at = now
    reminder.snooze_count += 1
    reminder.save(update_fields=["remind_at", "status", "sent_at", "seen_at", "snooze_count"])
    notification_mark_read_by_keys(keys=[shown_key])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=reminder,
        before=before,
        after=_state(reminder),
        comment=str(gettext_lazy("Напоминание отложено на %(delta)s"))
        % {"delta": SNOOZE_DELTAS[delta][1]},
    )
    return reminder


@transaction.atomic
def reminder_mark_seen(*, by: User, reminders: Iterable[Reminder]) -> int:
    """The user opened or dismissed these sent reminders: they leave the "missed" list and
    their notifications are marked read. Returns how many were unseen."""
    reminders = [r for r in reminders if r.user_id in acting_for(by)]
    unseen = [r for r in reminders if r.status == ReminderStatus.SENT and r.seen_at is None]
    if not unseen:
        return 0
    now = timezone.now()
    marked = Reminder.objects.filter(
        pk__in=[r.pk for r in unseen], status=ReminderStatus.SENT, seen_at__isnull=True
    ).update(seen_at=now)
    notification_mark_read_by_keys(keys=[reminder_notification_key(r) for r in unseen])
    return marked


@transaction.atomic
def reminder_add(
    *,
    by: User,
    activity: Activity,
    offset_minutes: int | None = None,
    remind_at: dt.datetime | None = None,
) -> Reminder:
    """A reminder of `activity` for `by`: `offset_minutes` before the start (then it follows
    the activity when it moves) or at `remind_at`. The caller has checked `by` may see it."""
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError({"activity": [ERROR_ACTIVITY_NOT_PLANNED]})
    if (offset_minutes is None) == (remind_at is None):
        raise ValidationError({"remind_at": [ERROR_REMINDER_WHEN]})
    if offset_minutes is not None:
        if not 0 <= offset_minutes <= MAX_OFFSET_MINUTES:
            raise ValidationError({"offset_minutes": [ERROR_REMINDER_OFFSET]})
        remind_at = activity.start_at - dt.timedelta(minutes=offset_minutes)
    assert remind_at is not None
    if timezone.is_naive(remind_at):
        remind_at = timezone.make_aware(remind_at)
    reminder = Reminder.objects.create(
        activity=activity, user=by, remind_at=remind_at, offset_minutes=offset_minutes
    )
    audit_record(actor=by, action=AuditAction.CREATE, instance=reminder, after=_state(reminder))
    return reminder


@transaction.atomic
def reminder_remove(*, by: User, reminder: Reminder) -> None:
    """Remove a pending reminder (a sent one stays: it is what happened)."""
    _check_actor(by, reminder)
    if reminder.status != ReminderStatus.PENDING:
        raise ValidationError({"reminder": [ERROR_REMINDER_NOT_PENDING]})
    audit_record(actor=by, action=AuditAction.DELETE, instance=reminder, before=_state(reminder))
    reminder.delete()
