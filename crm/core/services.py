"""Writes owned by `core`: notifications (the bell) and their e-mail copies."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.core.jobs import job_enqueue
from crm.core.models import Notification


@transaction.atomic
def notification_create(
    *, user: Any, title: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    """Show a message in the user's bell; with `email`, the worker also mails it (after commit,
    so a rolled-back change never sends mail)."""
    notification = Notification.objects.create(user=user, title=title, body=body, url=url)
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
