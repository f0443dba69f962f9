"""Reads owned by `core`: history of an object, the audit log, notifications, jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.core.models import AuditEntry, Job, Notification


def audit_history(instance: models.Model) -> models.QuerySet[AuditEntry]:
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return AuditEntry.objects.filter(
        content_type=content_type, object_id=str(instance.pk)
    ).select_related("actor", "content_type")


def audit_log(
    *,
    actor_id: int | None = None,
    content_type_id: int | None = None,
    action: str = "",
    source: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    query: str = "",
) -> models.QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if content_type_id:
        entries = entries.filter(content_type_id=content_type_id)
    if action:
        entries = entries.filter(action=action)
    if source:
        entries = entries.filter(source=source)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    if query:
        entries = entries.filter(object_repr__icontains=query)
    return entries


def audited_content_types() -> models.QuerySet[ContentType]:
    ids = AuditEntry.objects.values("content_type_id").distinct()
    return ContentType.objects.filter(id__in=ids).order_by("app_label", "model")


def notifications_for(user: Any) -> models.QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_notification_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def job_list(*, status: str = "") -> models.QuerySet[Job]:
    jobs = Job.objects.all()
    return jobs.filter(status=status) if status else jobs
