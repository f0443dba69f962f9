"""The administrator's catalogs of the client base: lead sources, industries, tags.

Names are unique regardless of case. A lead source that is used anywhere is switched off
instead of deleted (later apps point at sources too: deals, reports); an industry or a tag in
use is not deleted at all. Every change is audited."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy

from crm.accounts.access import can_administer
from crm.accounts.models import User
from crm.clients.models import Industry, LeadSource, Tag
from crm.core.audit import audit_record, audit_saved, snapshot
from crm.core.models import AuditAction

C = TypeVar("C", LeadSource, Industry, Tag)

SOURCE_FIELDS = ("name", "order", "is_active")
NAME_FIELDS = ("name",)

ERROR_NOT_ADMINISTRATOR = gettext_lazy("Справочники ведёт администратор")
ERROR_NAME_REQUIRED = gettext_lazy("Укажите название")
ERROR_NAME_LONG = gettext_lazy("Название — не длиннее %(max)s символов")
ERROR_SOURCE_TAKEN = gettext_lazy("Источник «%(name)s» уже есть")
ERROR_INDUSTRY_TAKEN = gettext_lazy("Отрасль «%(name)s» уже есть")
ERROR_TAG_TAKEN = gettext_lazy("Метка «%(name)s» уже есть")
ERROR_INDUSTRY_USED = gettext_lazy(
    "Отрасль указана у карточек (%(count)s) — удалить нельзя, сначала смените её у них"
)
ERROR_TAG_USED = gettext_lazy(
    "Метка стоит у карточек (%(count)s) — сначала снимите её групповым изменением"
)

TAKEN = {LeadSource: ERROR_SOURCE_TAKEN, Industry: ERROR_INDUSTRY_TAKEN, Tag: ERROR_TAG_TAKEN}


def usage_count(instance: models.Model) -> int:
    """How many rows of any model point at `instance` (foreign keys and many-to-many), found
    through its relations so later apps' references count too."""
    total = 0
    for relation in instance._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        related = relation.related_model
        if related is None or related._meta.auto_created:  # an M2M's through: counted below
            continue
        if relation.one_to_many or relation.one_to_one or relation.many_to_many:
            name = relation.field.name  # type: ignore[union-attr]
            total += related._base_manager.filter(**{name: instance}).count()
    return total


def _require_administrator(by: User) -> None:
    if not can_administer(by):
        raise PermissionDenied(ERROR_NOT_ADMINISTRATOR)


def _clean_name(model: type[C], name: str, instance: C | None) -> str:
    name = " ".join((name or "").split())
    max_length = model._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": [ERROR_NAME_REQUIRED]})
    if max_length and len(name) > max_length:
        raise ValidationError({"name": [ERROR_NAME_LONG % {"max": max_length}]})
    same = model._default_manager.filter(name__iexact=name)
    if instance is not None:
        same = same.exclude(pk=instance.pk)
    if same.exists():
        raise ValidationError({"name": [TAKEN[model] % {"name": name}]})
    return name


def _save(by: User, instance: C, fields: tuple[str, ...], before: dict[str, Any] | None) -> C:
    instance.full_clean()
    instance.save()
    audit_saved(actor=by, instance=instance, before=before, after=snapshot(instance, fields))
    return instance


@transaction.atomic
def lead_source_save(
    *,
    by: User,
    source: LeadSource | None = None,
    name: str,
    order: int = 100,
    is_active: bool = True,
) -> LeadSource:
    """Create a lead source (source=None) or change one."""
    _require_administrator(by)
    name = _clean_name(LeadSource, name, source)
    before = snapshot(source, SOURCE_FIELDS) if source else None
    source = source or LeadSource()
    source.name, source.order, source.is_active = name, order, is_active
    return _save(by, source, SOURCE_FIELDS, before)


@transaction.atomic
def industry_save(*, by: User, industry: Industry | None = None, name: str) -> Industry:
    _require_administrator(by)
    name = _clean_name(Industry, name, industry)
    before = snapshot(industry, NAME_FIELDS) if industry else None
    industry = industry or Industry()
    industry.name = name
    return _save(by, industry, NAME_FIELDS, before)


@transaction.atomic
def tag_save(*, by: User, tag: Tag | None = None, name: str) -> Tag:
    _require_administrator(by)
    name = _clean_name(Tag, name, tag)
    before = snapshot(tag, NAME_FIELDS) if tag else None
    tag = tag or Tag()
    tag.name = name
    return _save(by, tag, NAME_FIELDS, before)


def _delete(by: User, instance: models.Model, fields: tuple[str, ...]) -> None:
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=instance,
        before=snapshot(instance, fields),
        after={},
    )
    instance.delete()


@transaction.atomic
def lead_source_delete(*, by: User, source: LeadSource) -> bool:
    """Delete an unused source; a used one is switched off instead. True when deleted."""
    _require_administrator(by)
    if usage_count(source):
        if source.is_active:
            lead_source_save(
                by=by, source=source, name=source.name, order=source.order, is_active=False
            )
        return False
    _delete(by, source, SOURCE_FIELDS)
    return True


@transaction.atomic
def industry_delete(*, by: User, industry: Industry) -> None:
    _require_administrator(by)
    if count := usage_count(industry):
        raise ValidationError(ERROR_INDUSTRY_USED % {"count": count})
    _delete(by, industry, NAME_FIELDS)


@transaction.atomic
def tag_delete(*, by: User, tag: Tag) -> None:
    _require_administrator(by)
    if count := usage_count(tag):
        raise ValidationError(ERROR_TAG_USED % {"count": count})
    _delete(by, tag, NAME_FIELDS)
