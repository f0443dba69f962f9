"""Merging two cards of one client (or of one contact person) and undoing a merge.

The user chooses per field whose value the kept card takes. Then, in one transaction, every
reference to the merged card moves to the kept one. References are found through the model
relations — every ForeignKey and OneToOneField pointing at the model, including the tables of
many-to-many fields and the models of apps above `clients` (activities, deals, invoices…) — so
this module never imports those apps. A row that cannot move because the kept card already has
its twin (a unique constraint: the same contact person linked twice, the same bank account)
stays where it is. The merged client keeps its row as a snapshot: status MERGED and
`merged_into` the kept card; a merged contact person keeps its row without links.

The Merge row remembers what undo needs:

* `kept_before` = {"fields": the kept card's merge fields before (raw values, references as
  ids), "changed": the fields the merge changed, "merged_status": the merged client's status,
  "pairs": {pair id: status before} of the duplicate pairs the merge closed, "demoted": ids of
  ClientContact rows whose "main contact" mark was taken off so they could move, "promoted":
  ids of ClientContact rows that got the mark, "removed_links": ClientContact rows removed
  as twins (contact merges), as field dicts};
* `moved` = [[app_label.model, field name, [row ids]], …] — the rows that were re-pointed.

Undo moves exactly those rows back, restores the changed fields, the marks and the statuses. Only
the latest merge that touches a card can be undone (an older one would restore values a later
merge already replaced)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.clients.domain.normalize import comparable_name, searchable
from crm.clients.models import (
    Client,
    ClientContact,
    ClientDuplicate,
    ClientStatus,
    ContactDuplicate,
    ContactPerson,
    DuplicateStatus,
    Merge,
)
from crm.clients.services import (
    CLIENT_AUDIT_FIELDS,
    CONTACT_AUDIT_FIELDS,
    clean_client_fields,
    clean_contact_fields,
)
from crm.core.audit import audit_record, snapshot
from crm.core.models import AuditAction

CLIENT_MERGE_FIELDS = (
    "kind",
    "name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "phone",
    "email",
    "website",
    "industry",
    "region",
    "size",
    "source",
    "owner",
    "department",
    "comment",
)
CONTACT_MERGE_FIELDS = CONTACT_AUDIT_FIELDS
KEPT, MERGED = "kept", "merged"
KIND_CLIENT, KIND_CONTACT = "client", "contact"

ERROR_SAME_CARD = gettext_lazy("Нельзя объединить карточку саму с собой")
ERROR_ALREADY_MERGED = gettext_lazy("Карточка «%(name)s» уже объединена с другой")
ERROR_UNKNOWN_FIELD = gettext_lazy("Поля «%(field)s» нет среди объединяемых")
ERROR_BAD_CHOICE = gettext_lazy(
    "Для поля «%(field)s» выберите, чьё значение оставить: «kept» или «merged»"
)
ERROR_CHOICES_NOT_MAPPING = gettext_lazy("Ожидается словарь {поле: «kept» или «merged»}")
ERROR_ALREADY_UNDONE = gettext_lazy("Это объединение уже отменено")
ERROR_NOT_LAST = gettext_lazy(
    "Сначала отмените более позднее объединение с участием этих карточек (№ %(number)s)"
)
ERROR_CANNOT_UNDO = gettext_lazy(
    "Отменить объединение нельзя: после него у карточки появились такие же связи"
)


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


# Finding references --------------------------------------------------------------------------


def _skipped_fields() -> set[tuple[type[models.Model], str]]:
    """References that are not "something attached to the card": the chain of merges and the
    duplicate pairs themselves (the merge closes those)."""
    return {
        (Client, "merged_into"),
        (ClientDuplicate, "first"),
        (ClientDuplicate, "second"),
        (ContactDuplicate, "first"),
        (ContactDuplicate, "second"),
    }


def references_to(model: type[models.Model]) -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose ForeignKey or OneToOneField points at `model`, from any
    installed app, the auto-created tables of many-to-many fields included."""
    skipped = _skipped_fields()
    found = []
    for related in apps.get_models(include_auto_created=True):
        meta = related._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.local_fields:
            if (
                field.is_relation
                and (field.many_to_one or field.one_to_one)
                and field.related_model is model
                and (related, field.name) not in skipped
            ):
                found.append((related, field))
    return sorted(found, key=lambda item: (item[0]._meta.label_lower, item[1].name))


def _unique_sets(
    model: type[models.Model], field: models.Field
) -> list[tuple[tuple[str, ...], models.Q | None]]:
    """The unique rules of `model` that include `field`: (the other fields, condition)."""
    meta = model._meta
    sets: list[tuple[tuple[str, ...], models.Q | None]] = []
    if field.unique:
        sets.append(((), None))
    for names in meta.unique_together:
        if field.name in names:
            sets.append((tuple(n for n in names if n != field.name), None))
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field.name in constraint.fields:
            others = tuple(n for n in constraint.fields if n != field.name)
            sets.append((others, constraint.condition))
    return sets


def _twins(
    model: type[models.Model], field: models.Field, ids: list[int], kept_pk: Any
) -> set[int]:
    """Rows among `ids` (now pointing at the merged card) that would break a unique rule if
    they pointed at the kept card: it already has a row with the same other values."""
    manager = model._base_manager
    twins: set[int] = set()
    for others, condition in _unique_sets(model, field):
        kept_rows = manager.filter(**{field.attname: kept_pk})
        moving = manager.filter(pk__in=ids)
        if condition is not None:
            kept_rows, moving = kept_rows.filter(condition), moving.filter(condition)
        attnames = [_field(model, name).attname for name in others]
        if not attnames:
            if kept_rows.exists():
                twins.update(moving.values_list("pk", flat=True))
            continue
        taken = set(kept_rows.values_list(*attnames))
        for pk, *values in moving.values_list("pk", *attnames):
            if tuple(values) in taken:
                twins.add(pk)
    return twins


def _move_references(
    model: type[models.Model], kept: models.Model, merged: models.Model
) -> tuple[list[list[Any]], dict[str, list[int]]]:
    """Re-point every reference from `merged` to `kept`; returns what moved (the `moved`
    format) and the twins left behind, by model label."""
    moved: list[list[Any]] = []
    left: dict[str, list[int]] = {}
    for related, field in references_to(model):
        manager = related._base_manager
        ids = sorted(manager.filter(**{field.attname: merged.pk}).values_list("pk", flat=True))
        if not ids:
            continue
        twins = _twins(related, field, ids, kept.pk)
        moving = [pk for pk in ids if pk not in twins]
        if moving:
            manager.filter(pk__in=moving).update(**{field.attname: kept.pk})
            moved.append([related._meta.label_lower, field.name, moving])
        if twins:
            left.setdefault(related._meta.label_lower, []).extend(sorted(twins))
    return moved, left


# Choosing values -----------------------------------------------------------------------------


def _raw(instance: models.Model, name: str) -> Any:
    value = getattr(instance, _field(type(instance), name).attname)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


def merge_differing_fields(
    kept: models.Model, merged: models.Model, fields: Iterable[str]
) -> list[str]:
    """The merge fields whose values differ between the two cards."""
    return [name for name in fields if _raw(kept, name) != _raw(merged, name)]


def merge_default_choices(
    kept: models.Model, merged: models.Model, fields: Iterable[str]
) -> dict[str, str]:
    """What is taken when the user says nothing: the kept card's value, unless it is empty
    and the merged card has one."""
    return {
        name: MERGED if _is_empty(_raw(kept, name)) and not _is_empty(_raw(merged, name)) else KEPT
        for name in fields
    }


def _resolve_choices(
    kept: models.Model,
    merged: models.Model,
    fields: tuple[str, ...],
    choices: Mapping[str, Any] | None,
) -> dict[str, str]:
    if choices is not None and not isinstance(choices, Mapping):
        raise ValidationError({"choices": [str(ERROR_CHOICES_NOT_MAPPING)]})
    errors: list[str] = []
    for name, choice in (choices or {}).items():
        if name not in fields:
            errors.append(str(ERROR_UNKNOWN_FIELD) % {"field": name})
        elif choice not in (KEPT, MERGED):
            errors.append(str(ERROR_BAD_CHOICE) % {"field": name})
    if errors:
        raise ValidationError({"choices": errors})
    resolved = merge_default_choices(kept, merged, fields)
    resolved.update(choices or {})
    return resolved


def _check_pair(kept: models.Model, merged: models.Model, merged_check: bool = True) -> None:
    if kept.pk == merged.pk:
        raise ValidationError({"merged": [str(ERROR_SAME_CARD)]})
    if merged_check:
        for name, card in (("kept", kept), ("merged", merged)):
            if getattr(card, "status", None) == ClientStatus.MERGED:
                raise ValidationError({name: [str(ERROR_ALREADY_MERGED) % {"name": card}]})


def _close_pairs(
    model: type[ClientDuplicate] | type[ContactDuplicate], kept_pk: int, merged_pk: int
) -> dict[str, str]:
    first, second = sorted((kept_pk, merged_pk))
    pairs = {
        str(pk): status
        for pk, status in model.objects.filter(first_id=first, second_id=second).values_list(
            "pk", "status"
        )
    }
    model.objects.filter(pk__in=[int(pk) for pk in pairs]).update(status=DuplicateStatus.MERGED)
    return pairs


def relation_title(related: type[models.Model]) -> str:
    """A related model as people call it; the table of a many-to-many field by the field
    ("метки" rather than "Связи client-tag")."""
    owner: Any = related._meta.auto_created
    if owner:
        for field in owner._meta.many_to_many:
            if field.remote_field.through is related:
                return str(field.verbose_name)
    return str(related._meta.verbose_name_plural)


def _reference_summary(moved: list[list[Any]]) -> str:
    return ", ".join(
        f"{relation_title(apps.get_model(label))}: {len(ids)}" for label, _field, ids in moved
    )


# Clients -------------------------------------------------------------------------------------


@transaction.atomic
def client_merge(
    *, by: User, kept: Client, merged: Client, choices: Mapping[str, Any] | None = None
) -> Merge:
    """Merge `merged` into `kept` (see the module docstring). `choices` maps a field of
    CLIENT_MERGE_FIELDS to "kept" or "merged"; a field not named keeps the kept card's value
    unless that is empty (`merge_default_choices`). Tags are united. Raises ValidationError
    with a Russian message per field and changes nothing."""
    _check_pair(kept, merged)
    locked = {
        c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
    }
    kept, merged = locked[kept.pk], locked[merged.pk]
    _check_pair(kept, merged)
    resolved = _resolve_choices(kept, merged, CLIENT_MERGE_FIELDS, choices)
    fields_before = {name: _raw(kept, name) for name in CLIENT_MERGE_FIELDS}
    audit_before = snapshot(kept, CLIENT_AUDIT_FIELDS)
    taken = {
        name: getattr(merged, name)
        for name in CLIENT_MERGE_FIELDS
        if resolved[name] == MERGED and _raw(kept, name) != _raw(merged, name)
    }
    # Only what changes is checked again (with the kind, which decides the ИНН length and
    # whether a КПП is allowed): an old value nobody touches does not block a merge.
    check = {"kind": kept.kind, **taken}
    if "kind" in taken:
        check.update(
            {name: getattr(kept, name) for name in ("inn", "kpp", "ogrn") if name not in taken}
        )
    cleaned = clean_client_fields(check)
    for name, value in cleaned.items():
        setattr(kept, name, value)
    kept.full_clean(exclude=["tags", "merged_into"])
    demoted: list[int] = []
    if kept.contact_links.filter(is_main=True).exists():
        demoted = list(merged.contact_links.filter(is_main=True).values_list("pk", flat=True))
        ClientContact.objects.filter(pk__in=demoted).update(is_main=False)
    moved, _left = _move_references(Client, kept, merged)
    kept.save()
    merged_status = merged.status
    merged.status = ClientStatus.MERGED
    merged.merged_into = kept
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    pairs = _close_pairs(ClientDuplicate, kept.pk, merged.pk)
    merge = Merge.objects.create(
        kind=KIND_CLIENT,
        kept_id=kept.pk,
        merged_id=merged.pk,
        kept_before={
            "fields": fields_before,
            "changed": sorted(taken),
            "merged_status": merged_status,
            "pairs": pairs,
            "demoted": demoted,
        },
        moved=moved,
        by=by,
    )
    label = f"«{merged.name}» (№ {merged.pk})"
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=kept,
        before={**audit_before, "merged_with": None},
        after={**snapshot(kept, CLIENT_AUDIT_FIELDS), "merged_with": label},
        comment=_("Объединение № %(number)s: присоединена карточка %(card)s; перенесено — %(what)s")
        % {"number": merge.pk, "card": label, "what": _reference_summary(moved) or "—"},
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=merged,
        before={"status": merged_status, "merged_into": None},
        after={"status": ClientStatus.MERGED.value, "merged_into": f"«{kept.name}» (№ {kept.pk})"},
        comment=_("Объединение № %(number)s: карточка присоединена к «%(name)s» (№ %(pk)s)")
        % {"number": merge.pk, "name": kept.name, "pk": kept.pk},
    )
    _refresh_completeness(kept)
    return merge


def _refresh_completeness(client: Client) -> None:
    from crm.clients.services.completeness import client_refresh_completeness

    client_refresh_completeness(client)


# Contacts ------------------------------------------------------------------------------------


@transaction.atomic
def contact_merge(
    *,
    by: User,
    kept: ContactPerson,
    merged: ContactPerson,
    choices: Mapping[str, Any] | None = None,
) -> Merge:
    """Merge contact person `merged` into `kept`: the chosen values, and every link to a
    client (and any other reference) moves to `kept`. Where both work for the same client, the
    merged person's link is removed (and its "main contact" mark passes to the kept person's
    link); undo puts it back."""
    _check_pair(kept, merged, merged_check=False)
    already = set(
        Merge.objects.filter(
            kind=KIND_CONTACT, undone_at__isnull=True, merged_id__in=[kept.pk, merged.pk]
        ).values_list("merged_id", flat=True)
    )
    for name, card in (("kept", kept), ("merged", merged)):
        if card.pk in already:
            raise ValidationError({name: [str(ERROR_ALREADY_MERGED) % {"name": card}]})
    locked = {
        c.pk: c
        for c in ContactPerson.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])
    }
    kept, merged = locked[kept.pk], locked[merged.pk]
    resolved = _resolve_choices(kept, merged, CONTACT_MERGE_FIELDS, choices)
    fields_before = {name: _raw(kept, name) for name in CONTACT_MERGE_FIELDS}
    audit_before = snapshot(kept, CONTACT_AUDIT_FIELDS)
    taken = {
        name: getattr(merged, name)
        for name in CONTACT_MERGE_FIELDS
        if resolved[name] == MERGED and _raw(kept, name) != _raw(merged, name)
    }
    cleaned = clean_contact_fields(dict(taken))
    for name, value in cleaned.items():
        setattr(kept, name, value)
    kept.full_clean()
    # Twins: both people work for the same client. The merged person's link goes; its marks
    # pass to the kept person's link.
    kept_links = {link.client_id: link for link in kept.links.all()}
    removed_links: list[dict[str, Any]] = []
    promoted: list[int] = []
    for link in merged.links.filter(client_id__in=list(kept_links)):
        twin = kept_links[link.client_id]
        removed_links.append(
            {
                "id": link.pk,
                "client_id": link.client_id,
                "contact_id": link.contact_id,
                "position": link.position,
                "is_decision_maker": link.is_decision_maker,
                "is_main": link.is_main,
            }
        )
        link.delete()
        marks = {}
        if link.is_main and not twin.is_main:
            marks["is_main"] = True
        if link.is_decision_maker and not twin.is_decision_maker:
            marks["is_decision_maker"] = True
        if marks:
            ClientContact.objects.filter(pk=twin.pk).update(**marks)
            promoted.append(twin.pk)
        removed_links[-1]["promoted"] = sorted(marks)
    moved, _left = _move_references(ContactPerson, kept, merged)
    kept.save()
    pairs = _close_pairs(ContactDuplicate, kept.pk, merged.pk)
    merge = Merge.objects.create(
        kind=KIND_CONTACT,
        kept_id=kept.pk,
        merged_id=merged.pk,
        kept_before={
            "fields": fields_before,
            "changed": sorted(taken),
            "pairs": pairs,
            "promoted": promoted,
            "removed_links": removed_links,
        },
        moved=moved,
        by=by,
    )
    label = f"«{merged.full_name}» (№ {merged.pk})"
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=kept,
        before={**audit_before, "merged_with": None},
        after={**snapshot(kept, CONTACT_AUDIT_FIELDS), "merged_with": label},
        comment=_("Объединение № %(number)s: присоединено контактное лицо %(card)s")
        % {"number": merge.pk, "card": label},
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=merged,
        before={"merged_into": None},
        after={"merged_into": f"«{kept.full_name}» (№ {kept.pk})"},
        comment=_("Объединение № %(number)s: присоединено к «%(name)s» (№ %(pk)s)")
        % {"number": merge.pk, "name": kept.full_name, "pk": kept.pk},
    )
    return merge


# Undo ----------------------------------------------------------------------------------------


def _model_of(merge: Merge) -> type[Client] | type[ContactPerson]:
    return Client if merge.kind == KIND_CLIENT else ContactPerson


@transaction.atomic
def merge_undo(*, by: User, merge: Merge) -> Merge:
    """Undo a merge exactly: the moved rows go back, the kept card's changed fields, the
    merged card's status and the closed pairs are restored."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(str(ERROR_ALREADY_UNDONE))
    cards = [merge.kept_id, merge.merged_id]
    later = (
        Merge.objects.filter(kind=merge.kind, undone_at__isnull=True, pk__gt=merge.pk)
        .filter(models.Q(kept_id__in=cards) | models.Q(merged_id__in=cards))
        .order_by("-pk")
        .first()
    )
    if later is not None:
        raise ValidationError(str(ERROR_NOT_LAST) % {"number": later.pk})
    model = _model_of(merge)
    locked = {c.pk: c for c in model.objects.select_for_update().filter(pk__in=cards)}
    kept, merged = locked[merge.kept_id], locked[merge.merged_id]
    before = merge.kept_before
    fields = CLIENT_AUDIT_FIELDS if merge.kind == KIND_CLIENT else CONTACT_AUDIT_FIELDS
    audit_before = snapshot(kept, fields)
    try:
        with transaction.atomic():
            for label, name, ids in merge.moved:
                related = apps.get_model(label)
                attname = _field(related, name).attname
                related._base_manager.filter(pk__in=ids, **{attname: kept.pk}).update(
                    **{attname: merged.pk}
                )
            ClientContact.objects.filter(pk__in=before.get("demoted", [])).update(is_main=True)
            for link in before.get("removed_links", []):
                for mark in link.get("promoted", []):
                    ClientContact.objects.filter(
                        client_id=link["client_id"], contact_id=kept.pk
                    ).update(**{mark: False})
                ClientContact.objects.create(
                    pk=link["id"],
                    client_id=link["client_id"],
                    contact_id=link["contact_id"],
                    position=link["position"],
                    is_decision_maker=link["is_decision_maker"],
                    is_main=link["is_main"],
                )
    except IntegrityError as error:
        raise ValidationError(str(ERROR_CANNOT_UNDO)) from error
    for name in before.get("changed", []):
        field = _field(model, name)
        value = before["fields"][name]
        if value is not None and field.get_internal_type() == "DateField":
            value = field.to_python(value)
        setattr(kept, field.attname, value)
    if isinstance(kept, Client):
        kept.name_search = searchable(kept.name)
        kept.name_comparable = comparable_name(kept.name)
    kept.save()
    pair_model = ClientDuplicate if merge.kind == KIND_CLIENT else ContactDuplicate
    for pk, status in before.get("pairs", {}).items():
        pair_model.objects.filter(pk=int(pk)).update(status=status)
    merged_before: dict[str, Any] = {"merged_into": str(kept)}
    merged_after: dict[str, Any] = {"merged_into": None}
    if isinstance(merged, Client):
        merged_before["status"] = merged.status
        merged.status = before["merged_status"]
        merged.merged_into = None
        merged.save(update_fields=["status", "merged_into", "updated_at"])
        merged_after["status"] = merged.status
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=kept,
        before={**audit_before, "merged_with": str(merged)},
        after={**snapshot(kept, fields), "merged_with": None},
        comment=_("Объединение № %(number)s отменено: карточка «%(name)s» (№ %(pk)s) отделена")
        % {"number": merge.pk, "name": merged, "pk": merged.pk},
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=merged,
        before=merged_before,
        after=merged_after,
        comment=_("Объединение № %(number)s отменено") % {"number": merge.pk},
    )
    if isinstance(kept, Client) and isinstance(merged, Client):
        _refresh_completeness(kept)
        _refresh_completeness(merged)
    return merge
