"""Writes owned by `core`: notifications (the bell) and their e-mail copies."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.core.jobs import job_enqueue
from crm.core.models import Notification


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
