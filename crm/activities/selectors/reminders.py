"""Reads on reminders for the people they are for: the user's own (and, while substituting, the
absent colleague's), the missed ones shown after login, the ones behind bell notifications."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from crm.accounts.access import acting_for
from crm.activities.models import Reminder, ReminderStatus
from crm.activities.services.delivery import reminder_notification_key
from crm.core.models import Notification

MISSED_SCANNED = 200  # the newest unanswered ones looked at; older ones wait their turn
KEY_PREFIX = "reminder:"


def reminders_of(user: Any, *, status: str = "") -> models.QuerySet[Reminder]:
    """Reminders for `user` or for whoever `user` substitutes today, soonest first."""
    reminders = Reminder.objects.filter(user_id__in=acting_for(user)).select_related(
        "activity__kind", "activity__client", "user"
    )
    if status:
        reminders = reminders.filter(status=status)
    return reminders.order_by("remind_at", "pk")


def reminder_get(*, user: Any, pk: Any) -> Reminder:
    """One reminder `user` may act on (snooze, dismiss, open), else Http404."""
    try:
        return reminders_of(user).get(pk=pk)
    except (Reminder.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def missed_reminders(user: Any, *, limit: int = MISSED_SCANNED) -> list[Reminder]:
    """Sent reminders of `user` nobody has answered: not opened, snoozed or dismissed, and
    their notification is unread — the newest `limit` of them (two queries, whatever their
    number)."""
    unseen = list(
        Reminder.objects.filter(user=user, status=ReminderStatus.SENT, seen_at__isnull=True)
        .select_related("activity__kind", "activity__client")
        .order_by("-sent_at", "-pk")[:limit]
    )
    if not unseen:
        return []
    read_keys = set(
        Notification.objects.filter(
            key__in=[reminder_notification_key(r) for r in unseen], read_at__isnull=False
        ).values_list("key", flat=True)
    )
    return [r for r in unseen if reminder_notification_key(r) not in read_keys]


def reminders_for_notifications(user: Any, notifications: list[Any]) -> dict[int, Reminder]:
    """{notification id: its reminder} for the bell notifications that show a reminder still
    waiting for an answer (sent at this very time) which `user` may snooze."""
    wanted: dict[int, int] = {}
    for notification in notifications:
        key = notification.key or ""
        if not key.startswith(KEY_PREFIX):
            continue
        reminder_id = key[len(KEY_PREFIX) :].split(":", 1)[0]
        if reminder_id.isdigit():
            wanted[notification.pk] = int(reminder_id)
    if not wanted:
        return {}
    reminders = {
        r.pk: r
        for r in Reminder.objects.filter(
            pk__in=set(wanted.values()),
            user_id__in=acting_for(user),
            status=ReminderStatus.SENT,
        )
    }
    keys = {n.pk: n.key for n in notifications}
    found = {}
    for notification_id, reminder_id in wanted.items():
        reminder = reminders.get(reminder_id)
        if reminder is not None and reminder_notification_key(reminder) == keys[notification_id]:
            found[notification_id] = reminder
    return found
