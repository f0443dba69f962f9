"""The one audit mechanism: services call `audit_record` inside their transaction.

The path a change came from (page, API, import, worker) is taken from a context variable that
the middleware, the worker and importers set, so services do not pass it around."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.core.domain.changes import diff_snapshots, to_json_value
from crm.core.models import AuditAction, AuditEntry, AuditSource

_source: contextvars.ContextVar[str] = contextvars.ContextVar(
    "audit_source", default=AuditSource.SYSTEM
)


@contextlib.contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Mark every audit record written inside the block as coming from `source`."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def current_audit_source() -> str:
    return _source.get()


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of `instance` as JSON-ready values; a relation is shown by its text
    (what a person reads in the history), many-to-many as a sorted list of texts."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(item) for item in getattr(instance, name).all())
        elif field.is_relation:
            related = getattr(instance, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = to_json_value(getattr(instance, name))
    return values


def stored_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields as the database holds them now. Take the "before" of an update from
    here: a ModelForm copies the new values onto the instance it validates, so the instance a
    view hands to a service no longer tells what was there."""
    if instance.pk is None:
        return {}
    stored = instance._meta.model._default_manager.filter(pk=instance.pk).first()
    return snapshot(stored, fields) if stored is not None else {}


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    comment: str = "",
) -> AuditEntry | None:
    """Write one history row. For an update, nothing is written when nothing changed."""
    changes = diff_snapshots(before or {}, after or {})
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        source=current_audit_source(),
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes,
        comment=comment[:255],
    )


def audit_saved(
    *,
    actor: Any,
    instance: models.Model,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    comment: str = "",
) -> AuditEntry | None:
    """The history row of a service that creates or changes a row: a creation when there was
    no `before` (take it with `stored_snapshot` before saving, None for a new row), else an
    update before → after."""
    return audit_record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=instance,
        before=before,
        after=after,
        comment=comment,
    )


def audit_records_bulk(
    *, actor: Any, action: str, rows: Iterable[tuple[models.Model, Mapping, Mapping]], comment: str
) -> int:
    """History rows for a group change, one per object, in one INSERT."""
    entries = []
    source = current_audit_source()
    for instance, before, after in rows:
        changes = diff_snapshots(before, after)
        if not changes:
            continue
        entries.append(
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                source=source,
                action=action,
                content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
                object_id=str(instance.pk),
                object_repr=str(instance)[:255],
                changes=changes,
                comment=comment[:255],
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)
